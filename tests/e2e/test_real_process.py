"""Acceptance from the outside: `python -m bot run` as a real process, a week of real use.

The bot is configured only through the documented environment variables, talks over HTTP to
the Bot API double on 127.0.0.1 and is driven by a therapist and three clients (London,
Sydney, New York) exactly as people would: invite links, consent, time zones, reminder
times, the safety screen, prescriptions, questions, reminders sent by `python -m bot tick
--at …` at each client's own local time, Done / Partly / Skip / How to, pain check-ins with a
note, the weekly questionnaire, a red flag typed in free text, the therapist's views and
exports, a client who blocks the bot and comes back, a restart mid-onboarding, export and
erasure. Throughout: every button press is answered, nothing is stored twice, the right
person is told, and the process's logs hold no traceback, token, name or typed text.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import sys
import zipfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot import texts
from bot.config import DEFAULT_EMERGENCY_ADVICE
from bot.db.engine import Database
from bot.db.models import (
    Alert,
    Audit,
    Client,
    ClientStatus,
    Delivery,
    ExerciseLog,
    ExerciseOutcome,
    OutcomeMeasure,
    PainEntry,
    Prescription,
    RedFlagEvent,
    Schedule,
)
from bot.texts import checkin as checkin_texts
from bot.texts import onboarding as onboarding_texts
from bot.texts import privacy as privacy_texts
from bot.texts import reminders as reminder_texts
from tests.conftest import CONTENT_DIR, postgres_url_or_skip
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.telegram_payloads import TgUser

TOKEN = "987654:E2E-SECRET-TOKEN-abcdefghij"
THERAPIST = TgUser(id=910_001, first_name="Terry", last_name="Therapist")
STRANGER = TgUser(id=910_999, first_name="Mallory")
LINK = re.compile(r"https://t\.me/\w+\?start=(?P<token>[A-Za-z0-9_-]+)")
EXERCISES = ("Glute bridge", "Clamshell", "Seated piriformis stretch")
STEP_TIMEOUT = 20.0
EDITED = "<the pressed message is edited>"  # generous: the suite may share a busy machine


@dataclass(frozen=True)
class Person:
    user: TgUser
    name: str  # as the therapist types it in /invite
    zone: str
    offset: timedelta  # their reminder comes this long after the test's base hour


ALICE = Person(
    TgUser(id=920_001, first_name="Alice"), "Alice Archer", "Europe/London", timedelta(minutes=7)
)
BRUCE = Person(
    TgUser(id=920_002, first_name="Bruce"),
    "Bruce Banner",
    "Australia/Sydney",
    timedelta(minutes=17),
)
CAROL = Person(
    TgUser(id=920_003, first_name="Carol"), "Carol Cole", "America/New_York", timedelta(minutes=27)
)
CLIENTS = (ALICE, BRUCE, CAROL)
NOTE = "Walking the dog by the river helped a lot"
QUESTION = "how do I do the bridge?"
RED_FLAG_TEXT = "I can't feel between my legs and can't pee"
SECRET_WORDS = (
    TOKEN,
    NOTE,
    QUESTION,
    RED_FLAG_TEXT,
    "Terry",
    "Mallory",
    *(word for person in CLIENTS for word in person.name.split()),
)


# ---------------------------------------------------------------- the bot as a process


@dataclass
class BotProcess:
    """`python -m bot run` (or any `python -m bot …`) with the documented environment."""

    env: dict[str, str]
    cwd: Path
    stderr: list[str] = field(default_factory=list)
    process: asyncio.subprocess.Process | None = None
    _reader: asyncio.Task[None] | None = None

    async def command(self, *args: str) -> tuple[int, str, str]:
        """Run a one-shot CLI command to completion; returns (status, stdout, stderr)."""
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(child.communicate(), 120)
        self.stderr.append(err.decode())
        assert child.returncode is not None
        return child.returncode, out.decode(), err.decode()

    async def start(self, botapi: BotApiDouble) -> None:
        mark = botapi.mark()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read(self.process))
        await botapi.wait_for("getUpdates", after=mark, timeout=60)

    async def _read(self, process: asyncio.subprocess.Process) -> None:
        assert process.stderr is not None and process.stdout is not None
        streams = (process.stderr, process.stdout)

        async def drain(stream: asyncio.StreamReader) -> None:
            while line := await stream.readline():
                self.stderr.append(line.decode())

        await asyncio.gather(*(drain(s) for s in streams))

    async def stop(self) -> int:
        """SIGTERM, as a service manager stops it; returns the exit status."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(self.process.wait(), 10)
        if self._reader is not None:
            await asyncio.wait_for(self._reader, 5)
        self.process = None
        return status

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    def log(self) -> str:
        return "".join(self.stderr)


# ---------------------------------------------------------------- playing the people


def rendered(call: RecordedCall) -> str:
    """What the user reads: Telegram's rendered text or caption of a send or edit."""
    if isinstance(call.result, dict):
        for key in ("text", "caption"):
            if isinstance(call.result.get(key), str):
                return str(call.result[key])
    return call.text or ""


_SHOWN = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageCaption")


@dataclass
class World:
    botapi: BotApiDouble
    bot: BotProcess
    db: Database

    async def reply(self, chat_id: int, expect: str, *, after: int) -> RecordedCall:
        """The first send/edit in the chat since `after` whose text contains `expect`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STEP_TIMEOUT
        while True:
            for call in self.botapi.calls(chat_id=chat_id, after=after):
                if call.ok and call.method in _SHOWN and expect in rendered(call):
                    return call
            if loop.time() > deadline:
                raise AssertionError(
                    f"chat {chat_id} never showed {expect!r}\n" + self.botapi.report(after)
                )
            await asyncio.sleep(0.02)

    async def say(self, user: TgUser, message: str, expect: str) -> RecordedCall:
        mark = self.botapi.mark()
        if message.startswith("/"):
            command, _, args = message[1:].partition(" ")
            self.botapi.send_command(user, command, args)
        else:
            self.botapi.send_text(user, message)
        return await self.reply(user.id, expect, after=mark)

    async def press(
        self,
        user: TgUser,
        label: str,
        expect: str | None,
        *,
        on: RecordedCall | Mapping[str, Any] | None = None,
        reply_chat: int | None = None,
    ) -> RecordedCall | None:
        """Press `label` on `on` (default: the newest message with buttons); wait for the
        press to be answered and, with `expect`, for the reply that shows it."""
        mark = self.botapi.mark()
        message = on if on is not None else self.latest_with_buttons(user.id)
        query_id = self.botapi.press_button(user, message, label)
        await self.botapi.wait_for(
            "answerCallbackQuery",
            predicate=lambda call: call.params.get("callback_query_id") == query_id,
            after=mark,
            timeout=STEP_TIMEOUT,
        )
        if expect is None:
            return None
        if expect == EDITED:  # the pressed message itself changes
            message_id = (
                message.message_id
                if isinstance(message, RecordedCall)
                else int(message["message_id"])
            )
            return await self.botapi.wait_for(
                "editMessageText",
                chat_id=user.id,
                predicate=lambda call: call.ok and call.message_id == message_id,
                after=mark,
                timeout=STEP_TIMEOUT,
            )
        return await self.reply(reply_chat or user.id, expect, after=mark)

    def latest_with_buttons(self, chat_id: int) -> dict[str, Any]:
        for message in reversed(self.botapi.sent_messages(chat_id)):
            if self.botapi.callback_buttons(message):
                return message
        raise AssertionError("no message with buttons\n" + self.botapi.report())

    def current(self, chat_id: int, call: RecordedCall) -> dict[str, Any]:
        assert call.message_id is not None
        return self.botapi.message(chat_id, call.message_id)

    async def settle(self) -> None:
        await self.botapi.settle(quiet=0.4, timeout=STEP_TIMEOUT)

    async def tick(self, at: datetime) -> str:
        status, out, err = await self.bot.command("tick", "--at", at.isoformat())
        assert status == 0, err
        return out

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self.db.sessions() as session:
            query = select(func.count()).select_from(model).where(*where)
            return int((await session.execute(query)).scalar_one())

    async def client_row(self, person: Person) -> Client:
        async with self.db.sessions() as session:
            return (
                await session.execute(select(Client).where(Client.telegram_id == person.user.id))
            ).scalar_one()

    def check_invariants(self) -> None:
        assert self.botapi.unanswered_callback_ids() == set(), self.botapi.report()
        log = self.bot.log()
        assert "Traceback" not in log, log
        for word in SECRET_WORDS:
            assert word not in log, f"{word!r} is in the bot's log"
        for line in log.splitlines():
            if line.startswith("{"):
                record = json.loads(line)  # LOG_FORMAT=json: every record is one JSON object
                assert record["level"] != "ERROR", line


async def no_duplicate_rows(world: World) -> None:
    """Rows that must be unique by meaning, whatever the schema enforces."""
    groups = {
        "active prescription per client and exercise": (
            select(Prescription.client_id, Prescription.exercise_slug)
            .where(Prescription.active_to.is_(None))
            .group_by(Prescription.client_id, Prescription.exercise_slug)
        ),
        "active schedule per client, kind and time": (
            select(Schedule.client_id, Schedule.kind, Schedule.local_times)
            .where(Schedule.active.is_(True))
            .group_by(
                Schedule.client_id, Schedule.therapist_id, Schedule.kind, Schedule.local_times
            )
        ),
        "delivery per schedule and slot": select(Delivery.schedule_id, Delivery.slot).group_by(
            Delivery.schedule_id, Delivery.slot
        ),
        "exercise log per delivery": select(ExerciseLog.delivery_id).group_by(
            ExerciseLog.delivery_id
        ),
        "pain entry per client and day": select(PainEntry.client_id, PainEntry.day).group_by(
            PainEntry.client_id, PainEntry.day
        ),
        "alert per client, kind and episode": select(
            Alert.client_id, Alert.kind, Alert.episode_key
        ).group_by(Alert.client_id, Alert.kind, Alert.episode_key),
        "client per Telegram user": select(Client.telegram_id).group_by(Client.telegram_id),
    }
    async with world.db.sessions() as session:
        for meaning, grouped in groups.items():
            repeated = (await session.execute(grouped.having(func.count() > 1))).all()
            assert repeated == [], f"stored twice: {meaning}: {repeated}"


# ---------------------------------------------------------------- databases


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def e2e_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A SQLite file, or a fresh PostgreSQL database of its own (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"
        return
    base = make_url(postgres_url_or_skip())
    name = f"{base.database}_e2e_process"
    admin = create_async_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        await admin.dispose()


def bot_environment(botapi: BotApiDouble, database_url: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "THERAPIST_", "DATABASE_", "LOG_", "CONTENT_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=botapi.base_url,
        TELEGRAM_FILE_BASE_URL=botapi.file_base_url,
        THERAPIST_IDS=str(THERAPIST.id),
        DATABASE_URL=database_url,
        CONTENT_DIR=str(CONTENT_DIR),
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
async def world(e2e_database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with BotApiDouble() as botapi:
        process = BotProcess(bot_environment(botapi, e2e_database_url), tmp_path)
        status, _, err = await process.command("db", "upgrade")
        assert status == 0, err
        db = Database.connect(e2e_database_url)
        try:
            await process.start(botapi)
            yield World(botapi, process, db)
        finally:
            await process.kill()
            await db.dispose()


# ---------------------------------------------------------------- the week


def reminder_instants(now: datetime) -> dict[int, datetime]:
    """Each client's reminder instant: a couple of hours from now, never a preset time."""
    base = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=2)
    return {person.user.id: base + person.offset for person in CLIENTS}


def local_hhmm(instant: datetime, zone: str) -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%H:%M")


async def invite(world: World, person: Person) -> str:
    call = await world.say(THERAPIST, f"/invite {person.name}", "invite link")
    found = LINK.search(rendered(call))
    assert found is not None, rendered(call)
    return found["token"]


async def join_until_reminder_times(world: World, person: Person) -> RecordedCall:
    """Invite link → consent → time zone; returns the reminder-times question."""
    user = person.user
    token = await invite(world, person)
    consent = await world.say(user, f"/start {token}", "Do you agree")
    assert person.name in rendered(consent)
    await world.press(user, onboarding_texts.AGREE_BUTTON, "Which time zone", on=consent)
    city = person.zone.split("/")[-1].replace("_", " ")
    if person is ALICE:
        asked = world.latest_with_buttons(user.id)
        await world.press(user, city, "Time zone set", on=asked)
    else:  # typed, as the question invites
        await world.say(user, city, "Time zone set")
    return await world.reply(user.id, "When would you like", after=0)


async def finish_onboarding(
    world: World,
    person: Person,
    times_question: RecordedCall,
    at: datetime,
    *,
    restart_while_typing: bool = False,
) -> None:
    """Own reminder time (typed, which replaces the presets), Done, a clear safety screen.

    With `restart_while_typing` the bot is stopped and started again between "Other time…"
    and the typed time: what it was waiting for lives in the database, not in memory.
    """
    user, hhmm = person.user, local_hhmm(at, person.zone)
    await world.press(user, onboarding_texts.CUSTOM_BUTTON, "Type the time", on=times_question)
    if restart_while_typing:
        assert await world.bot.stop() == 0
        await world.bot.start(world.botapi)
    chosen = await world.say(user, hhmm, hhmm)
    ticked = [label for label, _ in BotApiDouble.callback_buttons(chosen) if label.startswith("✅")]
    assert ticked == [f"✅ {hhmm}"], ticked
    mark = world.botapi.mark()
    await world.press(user, onboarding_texts.DONE_BUTTON, "safety", on=chosen)
    for number in range(2, 6):
        await world.press(user, "No", f"Question {number} of 5")
    await world.press(user, "No", None)
    done = await world.reply(user.id, "You're all set", after=mark)
    assert hhmm in rendered(done)
    await world.reply(THERAPIST.id, f"{person.name} has finished setting up", after=mark)


async def prescribe(world: World, person: Person) -> None:
    flow = await world.say(
        THERAPIST, f"/prescribe {person.name.split()[0]}", f"Prescription for {person.name}"
    )
    for label in (*EXERCISES, "Next", "Next", "Next"):
        await world.press(THERAPIST, label, EDITED, on=world.current(THERAPIST.id, flow))
    mark = world.botapi.mark()
    await world.press(THERAPIST, "Confirm", None, on=world.current(THERAPIST.id, flow))
    told = await world.reply(person.user.id, "updated your exercises", after=mark)
    assert all(title in rendered(told) for title in EXERCISES)
    await world.reply(THERAPIST.id, "updated", after=mark)


async def reminder_for(world: World, person: Person, at: datetime) -> RecordedCall:
    """`tick --at` the client's reminder instant: the reminder reaches them and no one else."""
    mark = world.botapi.mark()
    report = await world.tick(at)
    sent = [line for line in report.splitlines() if line.startswith("exercise_reminder ")]
    assert len(sent) == 1 and "status=sent" in sent[0], report
    slot = datetime.fromisoformat(sent[0].split("slot=")[1].split()[0])
    assert slot == at  # on time, at the client's own local time
    reminders = [
        call
        for call in world.botapi.calls("sendMessage", after=mark)
        if reminder_texts.REMINDER_HEADER in rendered(call)
    ]
    assert [call.chat_id for call in reminders] == [person.user.id], world.botapi.report(mark)
    assert all(title in rendered(reminders[0]) for title in EXERCISES)
    return reminders[0]


def commands(menu: list[dict[str, Any]]) -> list[str]:
    return [command["command"] for command in menu]


def chat_scope(person_or_user: Person | TgUser) -> dict[str, Any]:
    user = person_or_user.user if isinstance(person_or_user, Person) else person_or_user
    return {"type": "chat", "chat_id": user.id}


async def therapist_and_stranger_start(world: World) -> None:
    await world.say(THERAPIST, "/start", "registered as the therapist")
    await world.say(THERAPIST, "/help", "/invite <name>")
    await world.say(THERAPIST, "/frobnicate", "don't know that command")
    await world.say(STRANGER, "/help", "invite link from your therapist")
    await world.say(STRANGER, "/clients", "invite link from your therapist")
    await world.say(STRANGER, "/start not-a-real-token", "doesn't work")
    assert commands(world.botapi.my_commands(chat_scope(THERAPIST))) == [
        c for c, _ in texts.THERAPIST_COMMANDS
    ]
    assert commands(world.botapi.my_commands()) == [c for c, _ in texts.DEFAULT_COMMANDS]


async def clients_join(world: World, instants: Mapping[int, datetime]) -> dict[int, int]:
    """All three join; the bot is restarted while Carol is typing her reminder time."""
    for person in CLIENTS:
        question = await join_until_reminder_times(world, person)
        await finish_onboarding(
            world,
            person,
            question,
            instants[person.user.id],
            restart_while_typing=person is CAROL,
        )
    ids = {}
    for person in CLIENTS:
        assert commands(world.botapi.my_commands(chat_scope(person))) == [
            c for c, _ in texts.CLIENT_COMMANDS
        ]
        row = await world.client_row(person)
        assert (row.timezone, row.status, row.onboarding_step) == (
            person.zone,
            ClientStatus.ACTIVE,
            None,
        )
        ids[person.user.id] = row.id
    await world.say(ALICE.user, "/help", "/exercises")
    await world.say(ALICE.user, "/invite Eve", "don't know that command")
    await world.say(ALICE.user, "/frobnicate", "don't know that command")
    return ids


async def exercises_prescribed_and_explained(world: World) -> None:
    for person in CLIENTS:
        await prescribe(world, person)
    listing = await world.say(ALICE.user, "/exercises", "")
    labels = [label for label, _ in world.botapi.callback_buttons(listing)]
    assert all(any(title in label for label in labels) for title in EXERCISES), labels
    await world.press(ALICE.user, "Clamshell", "Clamshell", on=listing)
    how_to = await world.say(BRUCE.user, QUESTION, "Glute bridge")
    assert how_to.method == "sendPhoto"


async def reminders_answered(
    world: World, instants: Mapping[int, datetime], ids: Mapping[int, int]
) -> None:
    order = sorted(CLIENTS, key=lambda p: instants[p.user.id])
    sent = {p.user.id: await reminder_for(world, p, instants[p.user.id]) for p in order}
    alice, bruce, carol = (sent[p.user.id] for p in CLIENTS)
    # A quick double tap: both presses carry the original message.
    world.botapi.press_button(ALICE.user, alice, reminder_texts.DONE_BUTTON)
    await world.press(ALICE.user, reminder_texts.DONE_BUTTON, "Done — well done", on=alice)
    await world.settle()
    await world.press(ALICE.user, "Clamshell", "Clamshell", on=world.current(ALICE.user.id, alice))
    # Telegram's flood control answers the edit with 429: waited out, the press still lands.
    world.botapi.fail_next("editMessageText", error_code=429, retry_after=1, chat_id=BRUCE.user.id)
    await world.press(BRUCE.user, reminder_texts.PARTLY_BUTTON, "Partly done", on=bruce)
    await world.press(CAROL.user, reminder_texts.SKIP_BUTTON, reminder_texts.WHY_SKIPPED, on=carol)
    await world.press(
        CAROL.user,
        reminder_texts.SKIP_REASONS["time"],
        "Skipped (no time)",
        on=world.current(CAROL.user.id, carol),
    )
    await world.settle()
    async with world.db.sessions() as session:
        outcomes = {
            (row.client_id, row.outcome, row.skip_reason)
            for row in (await session.execute(select(ExerciseLog))).scalars()
        }
    assert outcomes == {
        (ids[ALICE.user.id], ExerciseOutcome.DONE, None),
        (ids[BRUCE.user.id], ExerciseOutcome.PARTLY, None),
        (ids[CAROL.user.id], ExerciseOutcome.SKIPPED, "time"),
    }


async def pain_and_weekly_check_ins(world: World, ids: Mapping[int, int]) -> None:
    prompt = await world.say(ALICE.user, "/pain", "leg")
    await world.press(ALICE.user, "3", "back", on=prompt)
    await world.press(
        ALICE.user, "2", "type a sentence", on=world.latest_with_buttons(ALICE.user.id)
    )
    mark = world.botapi.mark()
    note_id = world.botapi.send_text(ALICE.user, NOTE)
    await world.reply(ALICE.user.id, checkin_texts.NOTE_SAVED, after=mark)
    # Editing the note afterwards is not a second note, nor a question to answer.
    mark = world.botapi.mark()
    world.botapi.edit_text(ALICE.user, note_id, NOTE + " and stretching")
    prompt = await world.say(BRUCE.user, "/pain", "leg")
    await world.press(BRUCE.user, "5", "back", on=prompt)
    await world.press(
        BRUCE.user, "4", "type a sentence", on=world.latest_with_buttons(BRUCE.user.id)
    )
    await world.press(BRUCE.user, checkin_texts.SKIP_BUTTON, "No note today")
    await world.settle()
    assert world.botapi.calls(chat_id=ALICE.user.id, after=mark) == []
    async with world.db.sessions() as session:
        entries = {
            (row.client_id, row.leg, row.back, row.note)
            for row in (await session.execute(select(PainEntry))).scalars()
        }
    assert entries == {(ids[ALICE.user.id], 3, 2, NOTE), (ids[BRUCE.user.id], 5, 4, None)}

    await world.say(CAROL.user, "/weekly", "1 of 4")
    for score, expect in (("2", "2 of 4"), ("3", "3 of 4"), ("1", "4 of 4"), ("0", "6 out of 24")):
        await world.press(CAROL.user, score, expect)
    assert await world.count(OutcomeMeasure, OutcomeMeasure.client_id == ids[CAROL.user.id]) == 1


async def red_flag_in_free_text(world: World, ids: Mapping[int, int]) -> None:
    """Advice for the client at once, an urgent alert for the therapist, Acknowledge works."""
    mark = world.botapi.mark()
    world.botapi.send_text(BRUCE.user, RED_FLAG_TEXT)
    await world.reply(BRUCE.user.id, DEFAULT_EMERGENCY_ADVICE[:40], after=mark)
    urgent = await world.reply(THERAPIST.id, "URGENT", after=mark)
    assert BRUCE.name in rendered(urgent)
    await world.settle()
    assert all(
        person is BRUCE or not world.botapi.calls(chat_id=person.user.id, after=mark)
        for person in CLIENTS
    )
    assert await world.count(RedFlagEvent, RedFlagEvent.client_id == ids[BRUCE.user.id]) == 1
    await world.say(THERAPIST, "/alerts", BRUCE.name)
    await world.press(THERAPIST, "Acknowledge", "Acknowledged", on=urgent)
    async with world.db.sessions() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
    assert (alert.client_id, alert.acknowledged_by) == (ids[BRUCE.user.id], THERAPIST.id)


async def therapist_views_and_exports(world: World) -> None:
    overview = await world.say(THERAPIST, "/clients", ALICE.name)
    assert all(p.name in rendered(overview) for p in CLIENTS)
    await world.say(THERAPIST, "/client alise", ALICE.name)
    await world.say(THERAPIST, "/summary", "summary")
    mark = world.botapi.mark()
    world.botapi.send_command(THERAPIST, "export")
    document = await world.botapi.wait_for(
        "sendDocument", chat_id=THERAPIST.id, after=mark, timeout=STEP_TIMEOUT
    )
    with zipfile.ZipFile(io.BytesIO(next(iter(document.files.values())))) as sheets:
        csv = "".join(sheets.read(name).decode("utf-8-sig") for name in sheets.namelist())
    assert NOTE in csv and all(p.name in csv for p in CLIENTS)
    assert await world.count(Audit, Audit.actor_telegram_id == THERAPIST.id) > 0
    # Flood control on an interactive reply: waited out, the reply still arrives.
    world.botapi.fail_next("sendMessage", error_code=429, retry_after=1, chat_id=ALICE.user.id)
    await world.say(ALICE.user, "/help", "/exercises")


async def blocked_and_back(world: World, instants: Mapping[int, datetime]) -> None:
    """Alice blocks the bot: her next reminder fails with 403, the therapist is told once,
    and her /start after unblocking brings the reminders back."""
    world.botapi.user_blocks_bot(ALICE.user)
    next_day = instants[ALICE.user.id] + timedelta(days=1)
    mark = world.botapi.mark()
    await world.tick(next_day)
    await world.reply(THERAPIST.id, "has blocked the bot", after=mark)
    assert (await world.client_row(ALICE)).status is ClientStatus.BLOCKED
    world.botapi.user_unblocks_bot(ALICE.user)
    await world.say(ALICE.user, "/start", "Welcome back")
    assert (await world.client_row(ALICE)).status is ClientStatus.ACTIVE
    mark = world.botapi.mark()
    await world.tick(next_day + timedelta(days=1))
    await world.reply(ALICE.user.id, reminder_texts.REMINDER_HEADER, after=mark)
    notices = [
        call
        for call in world.botapi.calls("sendMessage", chat_id=THERAPIST.id)
        if "has blocked the bot" in rendered(call)
    ]
    assert len(notices) == 1


async def export_and_erase(world: World, ids: Mapping[int, int]) -> None:
    """Carol takes a copy of her data and leaves; the therapist is told; old buttons are dead."""
    mark = world.botapi.mark()
    world.botapi.send_command(CAROL.user, "export")
    await world.botapi.wait_for(
        "sendDocument", chat_id=CAROL.user.id, after=mark, timeout=STEP_TIMEOUT
    )
    old_reminder = next(
        m
        for m in world.botapi.sent_messages(CAROL.user.id)
        if reminder_texts.REMINDER_HEADER in str(m.get("text"))
    )
    confirm = await world.say(CAROL.user, "/delete", "cannot be undone")
    mark = world.botapi.mark()
    await world.press(CAROL.user, privacy_texts.DELETE_YES, "erased", on=confirm)
    await world.reply(THERAPIST.id, f"{CAROL.name} has left the bot", after=mark)
    await world.settle()
    for model in (PainEntry, ExerciseLog, OutcomeMeasure, RedFlagEvent, Prescription):
        assert await world.count(model, model.client_id == ids[CAROL.user.id]) == 0
    assert world.botapi.my_commands(chat_scope(CAROL)) == []
    await world.say(CAROL.user, "/pain", "invite link")
    world.botapi.forge_press(CAROL.user, "rem:done:1", int(old_reminder["message_id"]))
    await world.settle()
    assert await world.count(ExerciseLog, ExerciseLog.client_id == ids[CAROL.user.id]) == 0


async def test_a_week_with_the_real_bot_process(world: World) -> None:
    instants = reminder_instants(datetime.now(tz=UTC))

    await therapist_and_stranger_start(world)
    ids = await clients_join(world, instants)
    await exercises_prescribed_and_explained(world)
    world.check_invariants()
    await reminders_answered(world, instants, ids)
    await pain_and_weekly_check_ins(world, ids)
    await red_flag_in_free_text(world, ids)
    await therapist_views_and_exports(world)
    world.check_invariants()
    await no_duplicate_rows(world)
    await blocked_and_back(world, instants)
    await export_and_erase(world, ids)

    await world.settle()
    world.check_invariants()
    await no_duplicate_rows(world)
    assert await world.bot.stop() == 0  # SIGTERM: a clean exit within seconds
    world.check_invariants()


async def test_without_a_token_run_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {n: v for n, v in os.environ.items() if not n.startswith(("TELEGRAM_", "THERAPIST_"))}
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 2
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert out == b""


@pytest.mark.parametrize(
    "args", [("--help",), ("tick", "--help"), ("run", "--help"), ("content", "check")]
)
async def test_the_cli_explains_itself(tmp_path: Path, args: tuple[str, ...]) -> None:
    env = {n: v for n, v in os.environ.items() if not n.startswith(("TELEGRAM_", "THERAPIST_"))}
    env["CONTENT_DIR"] = str(CONTENT_DIR)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 0, err.decode()
    assert out.strip() and b"Traceback" not in err
