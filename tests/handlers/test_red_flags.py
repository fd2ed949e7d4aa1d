"""Red flags: the client gets the emergency advice at once and the permitted therapists are told.

Who may be told (bot.domain.recipients): the client's own therapist while in THERAPIST_IDS,
and RED_FLAG_ALSO_NOTIFY. Another therapist of the practice is never sent a client's red flag.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.config import DEFAULT_EMERGENCY_ADVICE, Settings
from bot.db.engine import Database
from bot.db.models import Alert, RedFlagEvent
from tests.conftest import THERAPIST_ID, make_settings
from tests.handlers.client_seed import add_client, pain_rows
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=620_001, first_name="Alice")
# Two therapists in THERAPIST_IDS: the client's own, and a colleague who is not theirs.
OWN_THERAPIST_ID = 900_002
COLLEAGUE_ID = THERAPIST_ID
# The clinic's duty therapist, told of red flags only (RED_FLAG_ALSO_NOTIFY).
DUTY_THERAPIST_ID = 900_003
TOLD = (OWN_THERAPIST_ID, DUTY_THERAPIST_ID)
ALL_THERAPISTS = (COLLEAGUE_ID, *TOLD)


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    return make_settings(
        botapi,
        database_url,
        therapist_ids=frozenset({COLLEAGUE_ID, OWN_THERAPIST_ID}),
        red_flag_also_notify=frozenset({DUTY_THERAPIST_ID}),
    )


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(
        db, CLIENT, name="Alice Example", therapist_telegram_id=OWN_THERAPIST_ID
    )


async def counts(db: Database) -> tuple[int, int]:
    async with db.sessions() as session:
        alerts = (
            await session.execute(
                select(func.count()).select_from(Alert).where(Alert.kind == "red_flag")
            )
        ).scalar_one()
        events = (
            await session.execute(select(func.count()).select_from(RedFlagEvent))
        ).scalar_one()
    return alerts, events


def texts_to(botapi: BotApiDouble, chat_id: int, after: int = 0) -> list[str]:
    return [call.text or "" for call in botapi.calls("sendMessage", chat_id=chat_id, after=after)]


def urgent_messages(botapi: BotApiDouble, chat_id: int) -> list[RecordedCall]:
    return [
        call
        for call in botapi.calls("sendMessage", chat_id=chat_id)
        if "URGENT" in (call.text or "")
    ]


async def assert_every_therapist_was_told_once(
    bot: RunningApplication, botapi: BotApiDouble, client_id: int
) -> str:
    """The own and the duty therapist get one urgent alert each; the colleague gets none."""
    for chat_id in TOLD:
        await botapi.wait_for(
            "sendMessage", chat_id=chat_id, predicate=lambda c: "URGENT" in (c.text or "")
        )
    await bot.settle()
    assert urgent_messages(botapi, COLLEAGUE_ID) == []
    bodies = []
    for chat_id in TOLD:
        messages = urgent_messages(botapi, chat_id)
        assert len(messages) == 1, chat_id
        message = messages[0]
        assert "Alice Example" in (message.text or "")
        data = [value for _, value in botapi.callback_buttons(message)]
        assert data[0].startswith("alert:ack:")
        assert data[1:] == [f"client:open:{client_id}", f"client:msg:{client_id}"]
        bodies.append(message.text or "")
    return bodies[0]


async def answer_screen(
    bot: RunningApplication, botapi: BotApiDouble, answers: str
) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(CLIENT, "symptoms")
    screen = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    for answer in answers:
        botapi.press_button(CLIENT, screen, "Yes" if answer == "y" else "No")
        await bot.settle()
    return screen


async def test_a_yes_at_symptoms_brings_emergency_advice_and_tells_every_therapist(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await answer_screen(bot, botapi, "nny")

    assert DEFAULT_EMERGENCY_ADVICE in texts_to(botapi, CLIENT.id)
    body = await assert_every_therapist_was_told_once(bot, botapi, client_id)
    assert "saddle-area numbness — YES" in body
    assert "BOTH legs — no" in body
    assert await counts(db) == (1, 1)
    assert not botapi.unanswered_callback_ids()


async def test_all_no_is_reassured_and_told_how_to_report_changes(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await answer_screen(bot, botapi, "nnnnn")

    assert "/symptoms" in botapi.last_text(CLIENT.id)
    assert DEFAULT_EMERGENCY_ADVICE not in texts_to(botapi, CLIENT.id)
    assert all(not urgent_messages(botapi, chat_id) for chat_id in ALL_THERAPISTS)
    assert await counts(db) == (0, 0)


async def test_a_double_tap_on_yes_alerts_the_therapists_once(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    mark = botapi.mark()
    botapi.send_command(CLIENT, "symptoms")
    screen = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    data = botapi.button_data(screen, "Yes")
    botapi.press(CLIENT, screen, data)
    botapi.forge_press(CLIENT, data, screen.message_id or 0)
    await bot.settle()

    await assert_every_therapist_was_told_once(bot, botapi, client_id)
    assert await counts(db) == (1, 1)
    # The client is never left without the advice, whichever tap they look at.
    assert texts_to(botapi, CLIENT.id).count(DEFAULT_EMERGENCY_ADVICE) >= 1
    assert not botapi.unanswered_callback_ids()


@pytest.mark.parametrize(
    ("message", "sign"),
    [
        ("I've gone numb between my legs since last night", "saddle-area numbness"),
        ("I can't pee properly today", "bladder or bowel"),
        ("the pain is going down both legs now", "BOTH legs"),
    ],
)
async def test_a_red_flag_in_free_text_brings_advice_and_an_urgent_alert(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    client_id: int,
    message: str,
    sign: str,
) -> None:
    botapi.send_text(CLIENT, message)
    await bot.settle()

    replies = texts_to(botapi, CLIENT.id)
    assert replies[0] == DEFAULT_EMERGENCY_ADVICE
    # The urgent path answers the message: no "I'm not sure what you mean" after the advice.
    assert not any("not sure" in reply for reply in replies)
    body = await assert_every_therapist_was_told_once(bot, botapi, client_id)
    assert sign in body
    assert message not in body
    assert await counts(db) == (1, 1)


async def test_a_red_flag_in_a_checkin_note_is_caught_and_the_note_is_kept(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    mark = botapi.mark()
    botapi.send_command(CLIENT, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=CLIENT.id, after=mark)
    botapi.press_button(CLIENT, prompt, "5")
    await bot.settle()
    botapi.press_button(CLIENT, prompt, "2")
    await bot.settle()
    botapi.send_text(CLIENT, "leg ok but I've had trouble peeing since yesterday")
    await bot.settle()

    assert DEFAULT_EMERGENCY_ADVICE in texts_to(botapi, CLIENT.id)
    await assert_every_therapist_was_told_once(bot, botapi, client_id)
    assert [row[3] for row in await pain_rows(db, client_id)] == [
        "leg ok but I've had trouble peeing since yesterday"
    ]


@pytest.mark.parametrize(
    "message",
    [
        "both exercises done",
        "Did both exercises this morning, legs feel good",
        "my back is a bit stiff",
    ],
)
async def test_everyday_messages_do_not_raise_a_red_flag(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int, message: str
) -> None:
    botapi.send_text(CLIENT, message)
    await bot.settle()

    assert DEFAULT_EMERGENCY_ADVICE not in texts_to(botapi, CLIENT.id)
    assert all(not urgent_messages(botapi, chat_id) for chat_id in ALL_THERAPISTS)
    assert await counts(db) == (0, 0)


async def test_a_therapist_writing_about_red_flags_is_not_given_emergency_advice(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    therapist = TgUser(id=THERAPIST_ID, first_name="Terry")
    botapi.send_text(therapist, "does anyone have numbness between the legs?")
    await bot.settle()
    assert DEFAULT_EMERGENCY_ADVICE not in texts_to(botapi, THERAPIST_ID)
    assert await counts(db) == (0, 0)


async def test_a_yes_from_someone_who_is_not_a_client_still_gets_the_advice(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    stranger = TgUser(id=620_099, first_name="Sam")
    botapi.forge_press(stranger, "rf:s:0:y", 1)
    await bot.settle()
    assert DEFAULT_EMERGENCY_ADVICE in texts_to(botapi, stranger.id)
    assert await counts(db) == (0, 0)
    assert all(not urgent_messages(botapi, chat_id) for chat_id in ALL_THERAPISTS)
