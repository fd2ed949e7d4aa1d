"""/cancel ends whatever typed input the bot was waiting for; the next text is fresh input."""

from __future__ import annotations

from bot import texts
from bot.db.engine import Database
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

BOB = TgUser(id=655_001, first_name="Bob")


async def test_a_note_to_self_after_cancel_never_reaches_the_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, BOB, name="Bob Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    assert "Send /cancel to stop" in botapi.last_text(therapist.id)

    botapi.send_command(therapist, "cancel")
    await bot.settle()
    assert botapi.last_text(therapist.id) == texts.CANCELLED

    mark = botapi.mark()
    botapi.send_text(therapist, "Note to self: Bob's MRI results due Friday, chase the GP")
    await bot.settle()
    assert botapi.calls("sendMessage", chat_id=BOB.id, after=mark) == []
    # Read as fresh input: the therapist is answered, not told it was sent to Bob.
    assert "Sent to" not in botapi.last_text(therapist.id)


async def test_cancel_ends_a_clients_pain_note(
    bot: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    await add_client(db, BOB)
    mark = botapi.mark()
    botapi.send_command(BOB, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=BOB.id, after=mark)
    botapi.press_button(BOB, prompt, "5")
    await bot.settle()
    botapi.press_button(BOB, prompt, "2")
    await bot.settle()

    botapi.send_command(BOB, "cancel")
    await bot.settle()
    assert botapi.last_text(BOB.id) == texts.CANCELLED
    botapi.send_command(BOB, "cancel")
    await bot.settle()
    assert botapi.last_text(BOB.id) == texts.NOTHING_TO_CANCEL


async def test_cancel_is_in_both_command_menus() -> None:
    assert "cancel" in [name for name, _ in texts.CLIENT_COMMANDS]
    assert "cancel" in [name for name, _ in texts.THERAPIST_COMMANDS]
