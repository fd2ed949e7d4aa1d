"""Exercises in the chat, as clients and the therapist use them (issue 4, parts 4-6).

/exercises lists a client's prescription (or, while nothing is prescribed, the whole library
with a note saying so — a new client expects to be able to look around rather than be told
"nothing here"); the therapist gets the whole library. A button shows the picture with title,
purpose and dosage, then the steps and cautions. A client can also just ask in their own words.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import texts
from bot.app import build_application
from bot.config import Settings
from bot.content import ExerciseLibrary, load_library
from bot.db.engine import Database
from bot.db.models import Prescription
from tests.conftest import CONTENT_DIR, DEFAULT_NOW, THERAPIST_ID, FrozenClock
from tests.handlers.client_seed import add_client
from tests.scheduling import add_client as add_scheduled_client
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication, running_application
from tests.support.telegram_payloads import TgUser

CLIENT = TgUser(id=640_001, first_name="Alice")
STRANGER = TgUser(id=640_099, first_name="Sam")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_CAPTION = 1024
MAX_MESSAGE = 4096
REMINDER_SLOT = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London
PRESCRIBED = ("supine-piriformis-stretch", "glute-bridge", "clamshell")


async def prescribe(
    db: Database, client_id: int, slug: str, *, dosage: str = "3 × 10 reps", times: int = 1
) -> None:
    async with db.sessions.begin() as session:
        session.add(
            Prescription(
                client_id=client_id,
                exercise_slug=slug,
                dosage=dosage,
                times_per_day=times,
                active_from=DEFAULT_NOW - timedelta(days=7),
                created_at=DEFAULT_NOW - timedelta(days=7),
            )
        )


@pytest.fixture
async def client_id(db: Database) -> int:
    return await add_client(db, CLIENT, name="Alice Example")


@pytest.fixture
async def prescribed_client(db: Database, client_id: int) -> int:
    for slug in PRESCRIBED:
        await prescribe(db, client_id, slug)
    return client_id


async def command(botapi: BotApiDouble, user: TgUser, name: str) -> RecordedCall:
    mark = botapi.mark()
    botapi.send_command(user, name)
    return await botapi.wait_for("sendMessage", chat_id=user.id, after=mark)


async def press_and_settle(
    bot: RunningApplication, botapi: BotApiDouble, user: TgUser, message: RecordedCall, label: str
) -> tuple[str, list[RecordedCall]]:
    """Press a button; returns the query id and every call the bot made in response."""
    mark = botapi.mark()
    query_id = botapi.press_button(user, message, label)
    await bot.settle()
    return query_id, botapi.calls(after=mark)


async def say(bot: RunningApplication, botapi: BotApiDouble, text: str) -> list[RecordedCall]:
    mark = botapi.mark()
    botapi.send_text(CLIENT, text)
    await bot.settle()
    return botapi.calls(after=mark)


def photos(calls: list[RecordedCall], chat_id: int) -> list[RecordedCall]:
    return [c for c in calls if c.method == "sendPhoto" and c.chat_id == chat_id and c.ok]


def texts_to(calls: list[RecordedCall], chat_id: int) -> list[str]:
    return [c.text or "" for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]


def assert_exercise_view(calls: list[RecordedCall], title: str) -> RecordedCall:
    """One picture (a PNG upload) captioned with the title; the steps follow as text."""
    sent = photos(calls, CLIENT.id)
    assert len(sent) == 1, [c.summary() for c in calls]
    photo = sent[0]
    assert bytes(photo.files["photo"]).startswith(PNG_SIGNATURE)
    assert (photo.text or "").startswith(title)
    follow_up = "\n".join(texts_to(calls, CLIENT.id))
    assert "1. " in (photo.text or "") + follow_up
    assert "Stop and contact your therapist if:" in (photo.text or "") + follow_up
    return photo


# --- /exercises ------------------------------------------------------------------------------


async def test_a_client_sees_their_prescribed_exercises_as_buttons(
    bot: RunningApplication, botapi: BotApiDouble, prescribed_client: int
) -> None:
    menu = await command(botapi, CLIENT, "exercises")

    assert "Your exercises" in (menu.text or "")
    assert sorted(botapi.callback_buttons(menu)) == [
        ("Clamshell", "ex:show:clamshell"),
        ("Glute bridge", "ex:show:glute-bridge"),
        ("Lying piriformis stretch", "ex:show:supine-piriformis-stretch"),
    ]


async def test_a_client_with_nothing_prescribed_is_told_so_and_can_browse_the_library(
    bot: RunningApplication, botapi: BotApiDouble, library: ExerciseLibrary, client_id: int
) -> None:
    menu = await command(botapi, CLIENT, "exercises")

    assert "hasn't prescribed any exercises for you yet" in (menu.text or "")
    assert len(botapi.callback_buttons(menu)) == len(library)


async def test_the_therapist_sees_the_whole_library(
    bot: RunningApplication, botapi: BotApiDouble, library: ExerciseLibrary, therapist: TgUser
) -> None:
    menu = await command(botapi, therapist, "exercises")

    assert [data for _, data in botapi.callback_buttons(menu)] == [
        f"ex:show:{exercise.slug}" for exercise in library.all()
    ]


async def test_a_stranger_asking_for_exercises_is_told_to_ask_for_an_invite(
    bot: RunningApplication, botapi: BotApiDouble
) -> None:
    reply = await command(botapi, STRANGER, "exercises")

    assert "invite" in (reply.text or "")
    assert not botapi.callback_buttons(reply)


# --- the exercise view -----------------------------------------------------------------------


async def test_pressing_an_exercise_sends_its_picture_with_title_purpose_dosage_and_steps(
    bot: RunningApplication, botapi: BotApiDouble, library: ExerciseLibrary, client_id: int
) -> None:
    menu = await command(botapi, CLIENT, "exercises")
    query_id, calls = await press_and_settle(bot, botapi, CLIENT, menu, "Glute bridge")

    photo = assert_exercise_view(calls, "Glute bridge")
    caption = botapi.message(CLIENT.id, photo.message_id or 0)["caption"]
    assert library["glute-bridge"].purpose in caption
    assert "Usual dosage: 3 × 10 reps, once a day" in caption
    assert query_id in botapi.answered_callback_ids()
    assert not botapi.unanswered_callback_ids()


async def test_the_clients_prescribed_dosage_is_shown_instead_of_the_default(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    await prescribe(db, client_id, "glute-bridge", dosage="2 × 6 reps", times=2)
    menu = await command(botapi, CLIENT, "exercises")
    _, calls = await press_and_settle(bot, botapi, CLIENT, menu, "Glute bridge")

    caption = photos(calls, CLIENT.id)[0].text or ""
    assert "Your dosage: 2 × 6 reps, 2× a day (as prescribed by your therapist)" in caption
    assert "3 × 10" not in caption


async def test_a_stopped_prescription_no_longer_sets_the_dosage_or_the_menu(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, client_id: int
) -> None:
    async with db.sessions.begin() as session:
        session.add(
            Prescription(
                client_id=client_id,
                exercise_slug="clamshell",
                dosage="1 × 5 reps",
                times_per_day=3,
                active_from=DEFAULT_NOW - timedelta(days=30),
                active_to=DEFAULT_NOW - timedelta(days=1),
                created_at=DEFAULT_NOW - timedelta(days=30),
            )
        )
    menu = await command(botapi, CLIENT, "exercises")
    assert "hasn't prescribed" in (menu.text or "")
    _, calls = await press_and_settle(bot, botapi, CLIENT, menu, "Clamshell")

    assert "Usual dosage" in (photos(calls, CLIENT.id)[0].text or "")


async def test_the_therapist_can_open_any_exercise_with_its_usual_dosage(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    menu = await command(botapi, therapist, "exercises")
    _, calls = await press_and_settle(bot, botapi, therapist, menu, "Dead bug")

    sent = photos(calls, therapist.id)
    assert len(sent) == 1 and (sent[0].text or "").startswith("Dead bug")
    assert "Usual dosage" in (sent[0].text or "")


async def test_a_forged_press_for_an_unknown_exercise_is_answered_and_sends_nothing(
    bot: RunningApplication, botapi: BotApiDouble, client_id: int
) -> None:
    mark = botapi.mark()
    forged = [
        botapi.forge_press(CLIENT, data, message_id=1)
        for data in ("ex:show:nonexistent", "ex:show:../../etc/passwd", "ex:show:", "ex:bogus")
    ]
    await bot.settle()

    # A well-formed slug the library lacks is "can't find"; malformed data "expired".
    assert "can't find that exercise" in botapi.callback_answer(forged[0])["text"]
    for query_id in forged[1:]:
        assert botapi.callback_answer(query_id)["text"] == texts.STALE_BUTTON
    assert not [c for c in botapi.calls(after=mark) if c.method.startswith("send")]


async def test_a_stranger_pressing_an_exercise_button_gets_nothing_about_exercises(
    bot: RunningApplication, botapi: BotApiDouble
) -> None:
    mark = botapi.mark()
    query_id = botapi.forge_press(STRANGER, "ex:show:glute-bridge", message_id=1)
    await bot.settle()

    assert botapi.callback_answer(query_id)["text"] == texts.NOT_YOURS
    assert not [c for c in botapi.calls(after=mark) if c.method.startswith("send")]


class TestLongInstructions:
    """An exercise whose text is longer than a caption and than one message."""

    @pytest.fixture
    def library(self) -> ExerciseLibrary:
        shipped = load_library(CONTENT_DIR)
        bridge = shipped["glute-bridge"]
        long_bridge = replace(
            bridge,
            purpose=bridge.purpose + " It also matters a great deal." * 20,
            steps=tuple(f"{step} " + "Keep breathing steadily. " * 12 for step in bridge.steps) * 4,
            cautions=bridge.cautions * 6,
        )
        return ExerciseLibrary([long_bridge, *(e for e in shipped.values() if e is not bridge)])

    async def test_long_instructions_are_split_within_telegrams_limits_and_nothing_is_lost(
        self,
        bot: RunningApplication,
        botapi: BotApiDouble,
        library: ExerciseLibrary,
        client_id: int,
    ) -> None:
        menu = await command(botapi, CLIENT, "exercises")
        _, calls = await press_and_settle(bot, botapi, CLIENT, menu, "Glute bridge")

        photo = assert_exercise_view(calls, "Glute bridge")
        follow_ups = texts_to(calls, CLIENT.id)
        assert len(photo.text or "") <= MAX_CAPTION
        assert len(follow_ups) >= 2
        assert all(len(text) <= MAX_MESSAGE for text in follow_ups)
        everything = "\n".join([photo.text or "", *follow_ups])
        for n, step in enumerate(library["glute-bridge"].steps, 1):
            assert f"{n}. {step}" in everything
        assert not [c for c in calls if not c.ok]


# --- the "How to" button on a reminder -------------------------------------------------------


@pytest.fixture
async def running_at_reminder_time(
    settings: Settings, db: Database, library: ExerciseLibrary, botapi: BotApiDouble
) -> AsyncIterator[RunningApplication]:
    app = build_application(
        settings, db=db, library=library, clock=FrozenClock(REMINDER_SLOT), scheduler_tick_job=False
    )
    async with running_application(app, botapi) as running:
        yield running


async def test_the_how_to_button_on_a_reminder_opens_the_same_view(
    running_at_reminder_time: RunningApplication, botapi: BotApiDouble, db: Database
) -> None:
    running = running_at_reminder_time
    await add_scheduled_client(
        db,
        now=REMINDER_SLOT - timedelta(hours=1),
        telegram_id=CLIENT.id,
        exercises=[("glute-bridge", 1), ("clamshell", 1)],
        therapist_telegram_id=THERAPIST_ID,
    )
    botapi.add_user(CLIENT)
    scheduler = running.application.bot_data.scheduler
    await scheduler.run_pass(REMINDER_SLOT)
    await scheduler.dispatcher.drain()
    reminder = await botapi.wait_for("sendMessage", chat_id=CLIENT.id)

    query_id, calls = await press_and_settle(running, botapi, CLIENT, reminder, "How to: Clamshell")

    photo = assert_exercise_view(calls, "Clamshell")
    assert "as prescribed by your therapist" in (photo.text or "")
    assert query_id in botapi.answered_callback_ids()


# --- questions in the client's own words ------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "title"),
    [
        ("how do I do the piriformis stretch?", "Lying piriformis stretch"),
        ("perifomis", "Lying piriformis stretch"),
        ("what's the bridge one", "Glute bridge"),
        ("how do i do the brige", "Glute bridge"),
        ("clam shells?", "Clamshell"),
        ("cobra", "Prone press-up"),
    ],
)
async def test_a_question_naming_an_exercise_gets_its_view(
    bot: RunningApplication,
    botapi: BotApiDouble,
    prescribed_client: int,
    question: str,
    title: str,
) -> None:
    calls = await say(bot, botapi, question)

    assert_exercise_view(calls, title)
    assert not texts_to(calls, THERAPIST_ID)


async def test_an_ambiguous_question_offers_three_choices_and_a_choice_opens_the_view(
    bot: RunningApplication, botapi: BotApiDouble, client_id: int
) -> None:
    calls = await say(bot, botapi, "how do I do the piriformis stretch?")

    [choices] = [c for c in calls if c.method == "sendMessage" and c.chat_id == CLIENT.id]
    assert "Did you mean" in (choices.text or "")
    buttons = botapi.callback_buttons(choices)
    assert len(buttons) == 3
    assert ("Seated piriformis stretch", "ex:show:seated-piriformis-stretch") in buttons

    query_id, calls = await press_and_settle(bot, botapi, CLIENT, choices, "Seated piriformis")
    assert_exercise_view(calls, "Seated piriformis stretch")
    assert query_id in botapi.answered_callback_ids()


async def test_an_unmatched_question_lists_their_exercises_and_reaches_the_therapist_once(
    bot: RunningApplication, botapi: BotApiDouble, prescribed_client: int
) -> None:
    question = "How do I do the one with the towel?"
    mark = botapi.mark()
    await say(bot, botapi, question)
    await botapi.wait_for("sendMessage", chat_id=THERAPIST_ID, after=mark)  # via the outbox
    await bot.settle()
    calls = botapi.calls(after=mark)

    [reply] = [c for c in calls if c.method == "sendMessage" and c.chat_id == CLIENT.id]
    assert "passed your question on to your therapist" in (reply.text or "")
    assert len(botapi.callback_buttons(reply)) == len(PRESCRIBED)
    [forwarded] = texts_to(calls, THERAPIST_ID)
    assert "Alice Example" in forwarded and question in forwarded

    again = await say(bot, botapi, "how do I do the one with the towel")
    assert not texts_to(again, THERAPIST_ID)
    assert "already passed that question on" in botapi.last_text(CLIENT.id)

    mark = botapi.mark()
    await say(bot, botapi, "Which exercise is the wall one?")
    # Through the dispatcher: at most one message a second to the therapist's chat.
    await botapi.wait_for(
        "sendMessage",
        chat_id=THERAPIST_ID,
        after=mark,
        predicate=lambda c: "wall" in (c.text or ""),
    )
    assert len(texts_to(botapi.calls(after=mark), THERAPIST_ID)) == 1


async def test_the_therapist_answers_a_forwarded_question_by_replying_to_it(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser, prescribed_client: int
) -> None:
    mark = botapi.mark()
    await say(bot, botapi, "what is the towel exercise?")
    # Forwarded through the outbox: sent, then tied to the client, by the dispatcher.
    forwarded = await botapi.wait_for("sendMessage", chat_id=THERAPIST_ID, after=mark)
    await bot.settle()

    assert forwarded.message_id is not None
    mark = botapi.mark()
    botapi.inject(
        {
            "message": {
                "message_id": 900_000 + forwarded.message_id,
                "from": therapist.to_json(),
                "chat": therapist.private_chat(),
                "date": int(DEFAULT_NOW.timestamp()),
                "text": "That's the nerve glide, Alice.",
                "reply_to_message": botapi.message(THERAPIST_ID, forwarded.message_id),
            }
        }
    )
    await botapi.wait_for(
        "sendMessage",
        chat_id=CLIENT.id,
        after=mark,
        predicate=lambda c: "That's the nerve glide" in (c.text or ""),
    )


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("thanks", "You're welcome!"),
        ("ok, done them all", "No exercise reminder is waiting for an answer right now"),
        ("my back hurts today", "I'm not sure what you mean. Use /help to see what I can do."),
    ],
)
async def test_everyday_text_is_not_taken_for_an_exercise_question(
    bot: RunningApplication, botapi: BotApiDouble, prescribed_client: int, text: str, answer: str
) -> None:
    calls = await say(bot, botapi, text)

    [reply] = texts_to(calls, CLIENT.id)
    assert reply.startswith(answer) or answer in reply
    assert not texts_to(calls, THERAPIST_ID)
    assert not photos(calls, CLIENT.id)


async def test_a_question_mentioning_a_red_flag_gets_the_urgent_path_not_an_exercise(
    bot: RunningApplication, botapi: BotApiDouble, settings: Settings, prescribed_client: int
) -> None:
    calls = await say(bot, botapi, "how do I do the bridge? I have numbness in both legs")

    assert settings.emergency_advice in texts_to(calls, CLIENT.id)
    assert not photos(calls, CLIENT.id)
    assert not any(
        "asked something about their exercises" in t for t in texts_to(calls, THERAPIST_ID)
    )


async def test_a_note_after_a_checkin_stays_a_note_even_if_it_names_an_exercise(
    bot: RunningApplication, botapi: BotApiDouble, prescribed_client: int
) -> None:
    prompt = await command(botapi, CLIENT, "pain")
    botapi.press_button(CLIENT, prompt, "4")
    await bot.settle()
    botapi.press_button(CLIENT, prompt, "2")
    await bot.settle()

    calls = await say(bot, botapi, "the bridge felt easier today")

    assert "added your note" in botapi.last_text(CLIENT.id)
    assert not photos(calls, CLIENT.id)


async def test_the_therapists_own_text_is_not_treated_as_a_client_question(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    mark = botapi.mark()
    botapi.send_text(therapist, "how do I do the bridge?")
    await bot.settle()

    assert not photos(botapi.calls(after=mark), therapist.id)
    assert "not sure what you mean" in botapi.last_text(therapist.id)
