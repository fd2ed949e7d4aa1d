"""Prescribing along the sheet's progression ladder: a step easier or harder is the sheet's own
step (a named harder variant included), the client is told it by name and shown how to do it."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.models import Prescription
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=640_001, first_name="Alice")


async def _press(
    bot: RunningApplication, botapi: BotApiDouble, user: TgUser, flow: RecordedCall, label: str
) -> None:
    query_id = botapi.press_button(user, flow, label)
    await bot.settle()
    assert query_id in botapi.answered_callback_ids()


def _text(botapi: BotApiDouble, chat_id: int, flow: RecordedCall) -> str:
    assert flow.message_id is not None
    return str(botapi.message(chat_id, flow.message_id).get("text", ""))


async def _prescribe_bridge(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, step: str | None
) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(therapist, "prescribe", "Alice")
    flow = await botapi.wait_for("sendMessage", chat_id=therapist.id, after=mark)
    if "✅ Glute bridge" not in _text(botapi, therapist.id, flow):
        await _press(bot, botapi, therapist, flow, "Glute bridge")
    await _press(bot, botapi, therapist, flow, "Next")
    if step is not None:
        await _press(bot, botapi, therapist, flow, f"1. {step}")
    return flow


async def _bridge_dosage(db: Database, client_id: int) -> str:
    async with db.sessions() as session:
        return (
            await session.execute(
                select(Prescription.dosage).where(
                    Prescription.client_id == client_id,
                    Prescription.exercise_slug == "glute-bridge",
                    Prescription.active_to.is_(None),
                )
            )
        ).scalar_one()


async def test_a_step_harder_on_the_bridge_prescribes_the_single_leg_bridge_by_name(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE)
    flow = await _prescribe_bridge(bot, botapi, therapist, "harder")
    assert "Single-leg bridge, 3 × 8 reps each side (harder)" in _text(botapi, therapist.id, flow)
    await _press(bot, botapi, therapist, flow, "Next")
    await _press(bot, botapi, therapist, flow, "Next")
    mark = botapi.mark()
    await _press(bot, botapi, therapist, flow, "Confirm")

    assert await _bridge_dosage(db, client_id) == "Single-leg bridge, 3 × 8 reps each side"
    [notice] = botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)
    assert "Glute bridge — Single-leg bridge, 3 × 8 reps each side" in (notice.text or "")


async def test_a_step_easier_uses_the_sheets_easier_dosage(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE)
    flow = await _prescribe_bridge(bot, botapi, therapist, "easier")
    for label in ("Next", "Next", "Confirm"):
        await _press(bot, botapi, therapist, flow, label)

    assert await _bridge_dosage(db, client_id) == "2 × 8 reps"


async def test_editing_a_prescription_on_the_harder_variant_starts_from_harder(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE)
    flow = await _prescribe_bridge(bot, botapi, therapist, "harder")
    for label in ("Next", "Next", "Confirm"):
        await _press(bot, botapi, therapist, flow, label)

    again = await _prescribe_bridge(bot, botapi, therapist, None)
    assert "Single-leg bridge, 3 × 8 reps each side (harder)" in _text(botapi, therapist.id, again)


async def test_the_client_on_the_single_leg_bridge_is_shown_how_it_differs(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE)
    flow = await _prescribe_bridge(bot, botapi, therapist, "harder")
    for label in ("Next", "Next", "Confirm"):
        await _press(bot, botapi, therapist, flow, label)

    mark = botapi.mark()
    botapi.send_command(ALICE, "exercises")
    menu = await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    botapi.press_button(ALICE, menu, "Glute bridge")
    await bot.settle()

    [photo] = botapi.calls("sendPhoto", chat_id=ALICE.id, after=mark)
    caption = photo.text or ""
    assert "Your dosage: Single-leg bridge, 3 × 8 reps each side" in caption
    assert "Single-leg bridge: Keep one foot off the floor" in caption
