"""A fuzz run of hostile updates (hypothesis) against the real Application over the Bot API
double, from all seven kinds of people: callback data built by the real codecs with mutated
fields, pure junk, out-of-range scores, huge, empty-looking and odd Unicode texts, commands
with junk arguments, edited messages, group and channel messages, the previous action repeated,
an earlier update (the latest or one of the four before) delivered again with its own
update_id (a redelivery after a crash, a webhook retry) and two updates handed over newest
first (a webhook gets them in any order).

After every update: no handler raised, every press was answered, nothing was shown in a chat
other than the sender's own, their therapist's (a client) or their clients' (a therapist), and a
redelivered update showed nothing at all. After every batch: one pain entry per client per day,
scores in range, no orphan rows. SQLite runs 20 batches of at least 50 updates (1,000),
PostgreSQL 4 (200); the test asserts the number of updates played and that every kind of
update was among them.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import CommandHandler

from bot.app import build_application
from bot.buttons import Button, Digits, RecordId
from bot.content import ExerciseLibrary
from bot.db.engine import Database
from bot.db.migrate import upgrade_async
from bot.db.models import Base, OutcomeMeasure, PainEntry
from bot.domain.red_flags import red_flags_in_text
from bot.handlers.buttons import ButtonHandler
from tests.conftest import FrozenClock, make_settings, postgres_url_or_skip, reset_postgres
from tests.security.world import THERAPIST_IDS, USERS, Role, World, build_world
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication, running_application

log = logging.getLogger(__name__)
BATCH = 50
GONE_MESSAGE = 900_000
GROUP_ID = -100_700
CHANNEL_ID = -100_800
SHOWN = ("send", "edit", "copy", "forward")
ODD_TEXTS = [
    "\u200b",
    "\u200b\u200c\u200d\ufeff",
    "\u202eeman ym si siht",
    "שלום, הרגל כואבת",
    "مرحبا",
    "🙂" * 50,
    "👨‍👩‍👧‍👦🏳️‍🌈",
    "a" * 5000,
    "x\n" * 300,
    "   ",
    "$\\foo$ <b>bold</b> &amp;",
    "08:30",
    "25:99",
    "London",
    "how do I do the bridge?",
    "I can't feel between my legs",
    '=HYPERLINK("http://x")',
    "/",
]
MUTATED_PARTS = [
    "",
    "²",
    "٣",
    "-1",
    "007",
    "0",
    "11",
    "99999999999999999999",
    "2147483648",
    "123456789012345678",
    " 5",
    "5\u200b",
    "x",
    "🙂",
    "25",
    "20261399",
]


KINDS = ("press", "text", "command", "edit", "group", "channel", "repeat", "redeliver", "swap")


@dataclass(frozen=True)
class Action:
    kind: str  # one of KINDS; "swap" plays `then` before this one
    role: Role
    payload: str = ""
    args: str = ""
    chat_of: Role | None = None  # a press on a message in someone else's chat
    on_real_message: bool = False
    then: Action | None = None  # a swap: sent after this one, handed to the bot before it


class Fuzz:
    """What the running bot offers: its button kinds and commands (from the registered handlers)."""

    def __init__(self, running: RunningApplication, world: World) -> None:
        handlers = [h for hs in running.application.handlers.values() for h in hs]
        self.kinds: list[type[Button]] = sorted(
            {k for h in handlers if isinstance(h, ButtonHandler) for k in h.area.kinds},
            key=lambda k: k.tag,
        )
        self.commands = sorted(
            {c for h in handlers if isinstance(h, CommandHandler) for c in h.commands}
        )
        self.world = world


def part_for(codec_kind: object, world: World) -> st.SearchStrategy[str]:
    mutated = st.sampled_from(MUTATED_PARTS) | st.text(max_size=6)
    if isinstance(codec_kind, RecordId):
        ids = sorted({*world.records.values(), *world.client_ids.values(), 1, 2, 3})
        valid = st.sampled_from([str(i) for i in ids])
    elif isinstance(codec_kind, Digits):
        valid = st.integers(codec_kind.low - 1, codec_kind.high + 1).map(str)
    else:
        valid = st.just(codec_kind.encode(codec_kind.example()))  # type: ignore[attr-defined]
    return st.one_of(valid, valid, mutated)


@st.composite
def callback_data(draw: st.DrawFn, fuzz: Fuzz) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=70))
    kind = draw(st.sampled_from(fuzz.kinds))
    parts = [draw(part_for(codec.kind, fuzz.world)) for codec in kind.codecs()]
    if parts and draw(st.integers(0, 9)) == 0:
        parts = (
            parts[:-1] if draw(st.booleans()) else [*parts, draw(st.sampled_from(MUTATED_PARTS))]
        )
    return ":".join([kind.tag, *parts])


@st.composite
def actions(draw: st.DrawFn, fuzz: Fuzz, *, swap: bool = True) -> Action:
    role = draw(st.sampled_from(list(Role)))
    kinds = ["press"] * 6 + ["text"] * 2 + ["command"] * 2 + list(KINDS[3:])
    kind = draw(st.sampled_from(kinds if swap else kinds[:-1]))
    if kind == "swap":
        first = draw(actions(fuzz, swap=False))
        second = draw(actions(fuzz, swap=False))
        return replace(first, then=second) if {first.kind, second.kind} <= SENT else first
    texts = st.sampled_from(ODD_TEXTS) | st.text(min_size=1, max_size=60).filter(str.strip)
    if kind == "press":
        chat_of = draw(st.sampled_from([None] * 6 + list(Role)))
        return Action(
            "press",
            role,
            draw(callback_data(fuzz)),
            chat_of=chat_of,
            on_real_message=draw(st.booleans()),
        )
    if kind == "command":
        command = draw(st.sampled_from([*fuzz.commands, "nonexistent"]))
        args = draw(st.sampled_from(["", "Carla", "Otto"]) | st.text(max_size=30))
        return Action("command", role, command, args=args.replace("\n", " "))
    if kind in ("text", "edit", "group", "channel"):
        return Action(kind, role, draw(texts))
    if kind == "redeliver":  # the latest update, or one of the four before it
        return Action(kind, role, str(draw(st.integers(0, 4))))
    return Action(kind, role)


# What a swap can reorder: actions that always send one new update.
SENT = frozenset({"press", "text", "command", "group", "channel"})


def repeated_advice_chats(payload: dict[str, Any]) -> set[int]:
    """Where a redelivered update may still show something: a client's typed red flag is
    screened before the redelivery check (the emergency advice never waits for the database), so
    its sender may see the advice again. Nobody else is told twice: the report is stored once."""
    message = payload.get("message") or {}
    sender = (message.get("from") or {}).get("id")
    text = message.get("text") or message.get("caption") or ""
    private = (message.get("chat") or {}).get("type") == "private"
    if not private or sender is None or sender in THERAPIST_IDS or not red_flags_in_text(text):
        return set()
    return {int(message["chat"]["id"])}


class Runner:
    def __init__(self, running: RunningApplication, botapi: BotApiDouble, world: World) -> None:
        self.running, self.botapi, self.world = running, botapi, world
        self.last: Action | None = None
        self.handed: list[int] = []  # update ids the bot was given, oldest first
        self.written: dict[int, int] = {}  # user id -> their last message id
        self.updates = 0
        self.played: Counter[str] = Counter()

    def allowed_chats(self, action: Action) -> set[int]:
        user = USERS[action.role]
        allowed = {user.id}
        if action.role is Role.CLIENT or action.role is Role.ERASED_CLIENT:
            allowed.add(USERS[Role.OWNING_THERAPIST].id)
        if action.role is Role.OTHER_CLIENT:
            allowed.add(USERS[Role.OTHER_THERAPIST].id)
        if action.role is Role.OWNING_THERAPIST:
            allowed |= {USERS[Role.CLIENT].id, USERS[Role.ERASED_CLIENT].id}
        if action.role is Role.OTHER_THERAPIST:
            allowed.add(USERS[Role.OTHER_CLIENT].id)
        if action.kind == "group":
            allowed.add(GROUP_ID)
        if action.kind == "channel":
            allowed.add(CHANNEL_ID)
        if action.then is not None:
            allowed |= self.allowed_chats(action.then)
        return allowed

    def send(self, action: Action) -> tuple[int, str | None] | None:
        """Offer the action's update to the bot: its update id and, for a press, the query id
        (None: an edit with nothing to edit sends nothing)."""
        botapi, user = self.botapi, USERS[action.role]
        query_id = None
        if action.kind == "press":
            chat = USERS[action.chat_of or action.role].id
            message_id = GONE_MESSAGE
            if action.on_real_message and (messages := botapi.sent_messages(chat)):
                message_id = int(messages[-1]["message_id"])
            query_id = botapi.forge_press(user, action.payload, message_id, chat_id=chat)
        elif action.kind == "text":
            self.written[user.id] = botapi.send_text(user, action.payload)
        elif action.kind == "command":
            self.written[user.id] = botapi.send_command(user, action.payload, action.args)
        elif action.kind == "edit":
            if user.id not in self.written:
                return None
            botapi.edit_text(user, self.written[user.id], action.payload)
        elif action.kind == "group":
            botapi.send_group_text(user, GROUP_ID, action.payload)
        else:
            botapi.inject(
                {
                    "channel_post": {
                        "message_id": 1 + self.updates,
                        "chat": {"id": CHANNEL_ID, "type": "channel", "title": "News"},
                        "date": 1_780_000_000,
                        "text": action.payload,
                    }
                }
            )
        return botapi.update_ids()[-1], query_id

    async def hand_over(self, payload: dict[str, Any]) -> None:
        """Give the application an update directly, as its webhook server would."""
        application = self.running.application
        await application.update_queue.put(Update.de_json(payload, application.bot))

    async def play(self, action: Action) -> None:
        mark = self.botapi.mark()
        queries: list[str | None] = []
        if action.kind == "redeliver":
            back = int(action.payload)
            if len(self.handed) <= back:
                return
            payload = self.botapi.sent_update(self.handed[-1 - back])
            await self.hand_over(payload)
            self.updates += 1
            self.played["redeliver"] += 1
            await self.running.settle()
            assert self.running.take_handler_errors() == [], action
            shown = self._shown_since(mark)
            assert shown <= repeated_advice_chats(payload), ("a redelivered update acted", back)
            return
        if action.kind == "repeat":
            if self.last is None:
                return
            self.played["repeat"] += 1
            action = self.last
        sent = self.send(action)
        if sent is None:
            return
        self.handed.append(sent[0])
        if action.then is not None:
            second = self.send(action.then)
            assert second is not None  # a swap pairs actions that always send an update
            # Both fetched by nobody yet: handed over newest first.
            for update_id in (second[0], sent[0]):
                await self.hand_over(self.botapi.withhold(update_id))
            queries.append(second[1])
            self.handed.append(second[0])
            self.played["swap"] += 1
            self.updates += 1
        queries.append(sent[1])
        self.last = action
        self.played[action.kind] += 1
        self.updates += 1
        await self.running.settle()
        errors = self.running.take_handler_errors()
        assert errors == [], (action, [repr(e) for e in errors])
        answered = self.botapi.answered_callback_ids()
        assert all(query in answered for query in queries if query is not None), action
        shown = self._shown_since(mark)
        assert shown <= self.allowed_chats(action), (action, shown)

    def _shown_since(self, mark: int) -> set[int]:
        return {
            int(c.chat_id)
            for c in self.botapi.calls(after=mark)
            if c.method.startswith(SHOWN) and c.chat_id is not None
        }


async def check_database(db: Database) -> None:
    async with db.sessions() as session:
        per_day = (
            (
                await session.execute(
                    select(func.count())
                    .select_from(PainEntry)
                    .group_by(PainEntry.client_id, PainEntry.day)
                )
            )
            .scalars()
            .all()
        )
        assert all(count == 1 for count in per_day)
        scores = (await session.execute(select(PainEntry.leg, PainEntry.back))).all()
        assert all(0 <= leg <= 10 and 0 <= back <= 10 for leg, back in scores)
        sbi = (await session.execute(select(OutcomeMeasure.items, OutcomeMeasure.total))).all()
        assert all(0 <= total <= 24 for _, total in sbi)
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                for fk in column.foreign_keys:
                    parent = fk.column
                    orphans = (
                        await session.execute(
                            select(func.count())
                            .select_from(table)
                            .where(column.is_not(None), column.not_in(select(parent)))
                        )
                    ).scalar_one()
                    assert orphans == 0, f"orphan {table.name}.{column.name}"


@pytest.fixture
async def fuzz_world(
    request: pytest.FixtureRequest, botapi: BotApiDouble, library: ExerciseLibrary, tmp_path: Path
) -> AsyncIterator[tuple[Runner, Fuzz, Database]]:
    if request.param == "postgres":
        url = postgres_url_or_skip()
        await reset_postgres(url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'fuzz.db'}"
    await upgrade_async(url)
    db = Database.connect(url)
    world = await build_world(db)
    app = build_application(
        make_settings(botapi, url, therapist_ids=THERAPIST_IDS),
        db=db,
        library=library,
        clock=FrozenClock(),
        scheduler_tick_job=False,
    )
    assert app.job_queue is not None
    try:
        async with running_application(app, botapi) as running:
            for job in app.job_queue.jobs():  # only what the fuzzed updates do is judged
                job.schedule_removal()
            yield Runner(running, botapi, world), Fuzz(running, world), db
    finally:
        await db.dispose()


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


async def play_hostile_updates(fuzz_world: tuple[Runner, Fuzz, Database], *, batches: int) -> None:
    """`batches` hypothesis examples of at least BATCH updates each, on the running bot.

    Hypothesis draws in a worker thread while the updates play on the test's event loop, so
    the test itself can assert what was played once hypothesis is done."""
    runner, fuzz, db = fuzz_world
    loop = asyncio.get_running_loop()

    def on_the_loop(step: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(step, loop).result()

    @fuzz_settings(batches)
    @given(data=st.data())
    def batch(data: st.DataObject) -> None:
        goal = runner.updates + BATCH
        while runner.updates < goal:  # an edit with nothing to edit sends no update
            on_the_loop(runner.play(data.draw(actions(fuzz))))
        on_the_loop(check_database(db))
        assert runner.botapi.unanswered_callback_ids() == set()

    await asyncio.to_thread(batch)
    # Hypothesis stops an example early when it draws past its data limit: the updates it
    # played were checked one by one, and the database is checked once more after the last.
    await check_database(db)
    assert runner.botapi.unanswered_callback_ids() == set()
    presses = len(runner.botapi.answered_callback_ids())
    log.warning(
        "fuzz: %d updates played (%s), %d presses answered",
        runner.updates,
        ", ".join(f"{kind} {runner.played[kind]}" for kind in KINDS),
        presses,
    )
    assert runner.updates >= batches * BATCH
    assert {kind for kind in KINDS if runner.played[kind] == 0} == set()


@pytest.mark.parametrize("fuzz_world", ["sqlite"], indirect=True)
async def test_a_thousand_hostile_updates_on_sqlite(
    fuzz_world: tuple[Runner, Fuzz, Database],
) -> None:
    await play_hostile_updates(fuzz_world, batches=1_000 // BATCH)


@pytest.mark.postgres
@pytest.mark.parametrize("fuzz_world", ["postgres"], indirect=True)
async def test_two_hundred_hostile_updates_on_postgresql(
    fuzz_world: tuple[Runner, Fuzz, Database],
) -> None:
    await play_hostile_updates(fuzz_world, batches=200 // BATCH)
