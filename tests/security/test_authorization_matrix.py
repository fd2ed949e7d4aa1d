"""The authorization matrix, generated from the REGISTERED handlers (a new command or button is
in it without anyone remembering to add it): every command and every button kind × seven
people. The rightful ones act — the reply or edit they should see, the rows they should write;
everyone else gets a refusal and not one row changes.

Rightful, per button audience (bot.handlers.buttons.Audience): a therapist button naming a
record → the therapist owning that client; a client button naming a record → that client; a
button naming no record → everyone of its audience (they act on their own data). Per command:
its menu (bot.texts: therapist, client or everyone's commands).

What acting means is written down for every button kind and command in PRESSES and COMMANDS
below: a handler registered without an entry there fails the test, so a new one cannot slip
in without saying what its rightful users get.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from typing import ClassVar

import pytest
from telegram.ext import CommandHandler

from bot import texts
from bot.buttons import Area, Button
from bot.buttons.checkin import BackPain, KeepEntry, LegPain, SkipNote, UpdateEntry
from bot.buttons.exercises import ShowExercise
from bot.buttons.fields import ClientId
from bot.buttons.onboarding import (
    Agree,
    ChooseTimeZone,
    Decline,
    SaveReminderTimes,
    TickReminderTime,
    TypeReminderTime,
)
from bot.buttons.reminders import (
    LegAnswer,
    LegAnswerPress,
    ReminderPress,
    SkipReasonPress,
    WhichExercisePress,
)
from bot.buttons.safety import Answer, ConfirmDelete, KeepData, RedFlagAnswer, SbiAnswers
from bot.buttons.settings import (
    CheckinAt,
    OpenSetting,
    PauseFor,
    QuietFrom,
    QuietOff,
    QuietUntil,
    Setting,
    TypeCheckinTime,
)
from bot.buttons.suggestions import SuggestionPress
from bot.buttons.therapist import (
    AcknowledgeAlert,
    CancelDraft,
    CancelRelay,
    CancelTimes,
    ChooseDays,
    ChooseTimesPerDay,
    ChooseVariant,
    ClientChart,
    ClientsPage,
    ConfirmDraft,
    DraftStep,
    EditTimes,
    ExportClient,
    MessageClient,
    NotesPage,
    OpenClient,
    OpenTimes,
    PauseClient,
    PrescribeClient,
    SaveTimes,
    ShowStep,
    StopConfirmed,
    StopPrescription,
    ToggleExercise,
)
from bot.config import DEFAULT_EMERGENCY_ADVICE, Settings
from bot.db.engine import Database
from bot.handlers.buttons import Audience, ButtonHandler
from bot.services.prescriptions import Days, Variant
from bot.texts import checkin as checkin_texts
from bot.texts import exercises as exercise_texts
from bot.texts import privacy as privacy_texts
from bot.texts import progress as progress_texts
from bot.texts import red_flags as red_flag_texts
from bot.texts import settings as settings_texts
from bot.texts import therapist as therapist_texts
from bot.texts import weekly as weekly_texts
from tests.conftest import make_settings
from tests.handlers.db_dump import BOOKKEEPING_TABLES, Dump, restore_dump, table_dump
from tests.security.world import (
    CLIENTS,
    THERAPIST_IDS,
    THERAPISTS,
    USERS,
    Role,
    World,
    build_world,
    button_about_the_client,
    names_a_record,
)
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import AnyApplication, RunningApplication

log = logging.getLogger(__name__)
# A bot message the double does not have: edits answer "message to edit not found" (harmless).
GONE_MESSAGE = 900_000
GUARD_REFUSALS = {texts.STALE_BUTTON, texts.NOT_YOURS, therapist_texts.THERAPIST_ONLY_BUTTON}
# A command from someone it is not for: the unknown-command answer, or the feature's own "this
# is for clients" (a stranger is told to ask for an invite; asked about their data, someone the
# bot knows nothing of is told so).
COMMAND_REFUSALS = {
    texts.UNKNOWN_COMMAND,
    texts.STRANGER,
    checkin_texts.CLIENTS_ONLY,
    weekly_texts.CLIENTS_ONLY,
    progress_texts.CLIENTS_ONLY,
    red_flag_texts.CLIENTS_ONLY,
    settings_texts.NOT_A_CLIENT,
    exercise_texts.NOT_FOR_YOU,
    privacy_texts.NOTHING_STORED,
    privacy_texts.PRIVACY_NOT_CLIENT,
}
LIVE = {Role.OWNING_THERAPIST, Role.OTHER_THERAPIST, *CLIENTS}
SHOWN = ("send", "edit", "copy", "forward", "delete")
# Commands for more people than their menus show. /cancel ends any pending typed input, which
# an invitee in the middle of onboarding has too; /exercises shows a therapist the library as a
# client sees it.
ALSO_FOR = {"cancel": frozenset(Role), "exercises": frozenset(THERAPISTS[:2])}
# The first name of the client each rightful therapist asks about in /client <name> and the like.
OWN_CLIENT = {Role.OWNING_THERAPIST: "Carla", Role.OTHER_THERAPIST: "Otto"}


@dataclass(frozen=True)
class Acts:
    """What a rightful press or command does that its user notices.

    `shows`: what appears in their own chat — "edit" (the message the button was on), "send"
    (a new message), "photo", "document", or "answer" (only the press's notification).
    `offers`: button kinds the answer carries, read back with their codecs (the next step).
    `writes`: tables with rows added, changed or removed. `first`: presses the same person
    makes before (a draft opened, a reminder answered), so the button has something to act on.
    """

    shows: str
    offers: tuple[type[Button], ...] = ()
    writes: frozenset[str] = frozenset()
    first: tuple[type[Button] | Button, ...] = ()
    args: str = ""  # a command's arguments; "{client}" is the presser's own client's name
    says: str | None = None  # a text they must read


def acts(
    shows: str,
    *offers: type[Button],
    writes: tuple[str, ...] = (),
    first: tuple[type[Button] | Button, ...] = (),
    args: str = "",
    says: str | None = None,
) -> Acts:
    return Acts(shows, offers, frozenset(writes), first, args, says)


# Field values (beyond the record ids) that make a press meaningful in the world.
FIELDS: dict[type[Button], dict[str, object]] = {
    RedFlagAnswer: {"answer": Answer.YES},
    QuietUntil: {"start": time(22, 0), "end": time(7, 0)},
    TickReminderTime: {"at": time(18, 0)},
    SaveTimes: {"mask": 1, "checkin": 0},
    EditTimes: {"mask": 1, "checkin": 0},
    OpenSetting: {"setting": Setting.TIME_ZONE},
    LegAnswerPress: {"answer": LegAnswer.WORSE},
    ShowStep: {"step": DraftStep.DOSE},
    ChooseVariant: {"variant": Variant.EASIER},
    ChooseTimesPerDay: {"times": 2},
    ChooseDays: {"days": Days.WEEKDAYS},
    # Carla's reminder is for bird-dog and clamshell (tests.security.world); glute-bridge is new.
    WhichExercisePress: {"slug": "clamshell"},
    ToggleExercise: {"slug": "glute-bridge"},
    SuggestionPress: {"slug": "glute-bridge"},
    PauseFor: {"weeks": 1},
    SbiAnswers: {"answered": "3"},
}
REMINDER_TIMES = OpenSetting(Setting.REMINDERS)
A_DRAFT = (PrescribeClient, ToggleExercise)
PRESCRIBED = (*A_DRAFT, ConfirmDraft)

PRESSES: dict[type[Button], Acts | Mapping[Role, Acts]] = {
    # Onboarding: the world's invite (bot.buttons.onboarding.Agree carries its token).
    Agree: {
        Role.STRANGER: acts("edit", writes=("client", "invite")),
        Role.REMOVED_THERAPIST: acts("edit", writes=("client", "invite")),
        Role.ERASED_CLIENT: acts("edit", writes=("client", "invite")),
        Role.CLIENT: acts("answer"),
        Role.OTHER_CLIENT: acts("answer"),
    },
    Decline: acts("edit"),
    ChooseTimeZone: acts("edit"),
    TickReminderTime: acts("edit", SaveReminderTimes, first=(REMINDER_TIMES,)),
    TypeReminderTime: acts("send", writes=("pending_input",), first=(REMINDER_TIMES,)),
    SaveReminderTimes: acts("edit", writes=("schedule",), first=(REMINDER_TIMES, TickReminderTime)),
    # Safety: a "yes" on the red-flag screen always gets the emergency advice; a client's is
    # recorded and their therapist alerted.
    RedFlagAnswer: {
        **dict.fromkeys(set(Role) - set(CLIENTS), acts("send", says=DEFAULT_EMERGENCY_ADVICE)),
        **dict.fromkeys(
            CLIENTS,
            acts(
                "send",
                writes=("red_flag_event", "alert", "outbox"),
                says=DEFAULT_EMERGENCY_ADVICE,
            ),
        ),
    },
    SbiAnswers: acts("edit", SbiAnswers),
    ConfirmDelete: acts("edit", writes=("client", "pain_entry", "delivery", "alert")),
    KeepData: acts("edit"),
    # Daily check-in.
    LegPain: acts("edit", BackPain),
    BackPain: acts("edit", SkipNote, writes=("pain_entry", "pending_input")),
    UpdateEntry: acts("edit", writes=("pain_entry",)),
    KeepEntry: acts("edit"),
    SkipNote: acts("edit", writes=("pending_input",), first=(BackPain,)),
    # Exercise reminders.
    ReminderPress: acts("edit", writes=("exercise_log",)),
    SkipReasonPress: acts("edit", writes=("exercise_log",)),
    LegAnswerPress: acts("edit", writes=("exercise_response",), first=(ReminderPress,)),
    WhichExercisePress: acts(
        "edit", writes=("exercise_response",), first=(ReminderPress, LegAnswerPress)
    ),
    # Settings.
    OpenSetting: acts("send", ChooseTimeZone, writes=("pending_input",)),
    CheckinAt: acts("edit", writes=("schedule",)),
    TypeCheckinTime: acts("send", writes=("pending_input",)),
    QuietFrom: acts("edit", QuietUntil),
    QuietUntil: acts("edit", writes=("schedule",)),
    QuietOff: acts("edit", writes=("schedule",)),
    PauseFor: acts("edit", writes=("client",)),
    ShowExercise: acts("photo"),
    # The therapist's client card and lists.
    OpenClient: acts("send", PauseClient, MessageClient, ExportClient, writes=("audit",)),
    PauseClient: acts("edit", PauseClient, writes=("client", "outbox")),
    ExportClient: acts("document", writes=("audit",)),
    ClientsPage: acts("edit", OpenClient, writes=("audit",)),
    NotesPage: acts("send", writes=("audit",)),
    ClientChart: acts("photo", writes=("audit",)),
    OpenTimes: acts("send", EditTimes, SaveTimes, CancelTimes),
    EditTimes: acts("edit", EditTimes, SaveTimes, CancelTimes),
    SaveTimes: acts("edit", writes=("schedule",)),
    CancelTimes: acts("edit"),
    # Prescribing: a draft, then its steps.
    PrescribeClient: acts("send", ToggleExercise, writes=("pending_input",)),
    ToggleExercise: acts("edit", ShowStep, writes=("pending_input",), first=(PrescribeClient,)),
    ShowStep: acts("edit", ChooseVariant, first=A_DRAFT),
    ChooseVariant: acts("edit", writes=("pending_input",), first=A_DRAFT),
    ChooseTimesPerDay: acts("edit", writes=("pending_input",), first=A_DRAFT),
    ChooseDays: acts("edit", writes=("pending_input",), first=A_DRAFT),
    ConfirmDraft: acts("edit", writes=("prescription", "schedule"), first=A_DRAFT),
    CancelDraft: acts("edit", writes=("pending_input",), first=A_DRAFT),
    StopPrescription: acts("edit", StopConfirmed, first=A_DRAFT),
    StopConfirmed: acts("edit", writes=("prescription",), first=PRESCRIBED),
    SuggestionPress: acts("edit", writes=("prescription",), first=PRESCRIBED),
    AcknowledgeAlert: acts("edit", writes=("alert",)),
    MessageClient: acts("send", CancelRelay, writes=("pending_input",)),
    CancelRelay: acts("edit"),
}

NOT_KNOWN = (Role.REMOVED_THERAPIST, Role.ERASED_CLIENT, Role.STRANGER)
NOT_KNOWN_ACTS = acts("send", says=texts.STRANGER)
COMMANDS: dict[str, Acts | Mapping[Role, Acts]] = {
    # Someone the bot does not know (a therapist no longer in THERAPIST_IDS, an erased client,
    # a stranger) is told what the bot is and to ask their therapist for an invite.
    "start": {**dict.fromkeys(LIVE, acts("send")), **dict.fromkeys(NOT_KNOWN, NOT_KNOWN_ACTS)},
    "help": {**dict.fromkeys(LIVE, acts("send")), **dict.fromkeys(NOT_KNOWN, NOT_KNOWN_ACTS)},
    "cancel": acts("send"),
    # Client commands.
    "pain": acts("send", LegPain),
    "weekly": acts("send", SbiAnswers),
    "symptoms": acts("send", RedFlagAnswer),
    "progress": acts("send"),
    "exercises": acts("send", ShowExercise),
    "settings": acts("send", OpenSetting),
    "pause": acts("send", PauseFor),
    "resume": acts("send"),
    "privacy": acts("send"),
    "delete": acts("send", ConfirmDelete, KeepData),
    # /export: the client's own data, or the therapist's practice.
    "export": acts("document", writes=("audit",)),
    # Therapist commands.
    "clients": acts("send", OpenClient, writes=("audit",)),
    "client": acts("send", PauseClient, MessageClient, writes=("audit",), args="{client}"),
    "notes": acts("send", writes=("audit",), args="{client}"),
    "alerts": acts("send"),
    "summary": acts("photo", ClientChart, writes=("audit",)),
    "prescribe": acts("send", ToggleExercise, writes=("pending_input",), args="{client}"),
    "invite": acts("send", writes=("invite",), args="Nina Newer"),
}


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    return make_settings(botapi, database_url, therapist_ids=THERAPIST_IDS)


@pytest.fixture
async def world(db: Database) -> World:
    return await build_world(db)


@pytest.fixture
def bot(bot: RunningApplication) -> RunningApplication:
    """The running bot without its wall-clock jobs (the quarter-hourly day-end pass, the daily
    purge): only what the presses and commands do is judged."""
    job_queue = bot.application.job_queue
    assert job_queue is not None
    for job in job_queue.jobs():
        job.schedule_removal()
    return bot


@dataclass(frozen=True)
class ButtonCase:
    kind: type[Button]
    audience: Audience
    data: str
    rightful: frozenset[Role]


def rightful_pressers(audience: Audience, kind: type[Button]) -> frozenset[Role]:
    owned = names_a_record(kind)
    if audience is Audience.THERAPIST:
        return frozenset({Role.OWNING_THERAPIST} if owned else THERAPISTS[:2])
    if audience is Audience.CLIENT:
        return frozenset({Role.CLIENT} if owned else CLIENTS)
    if audience is Audience.MEMBER:
        return frozenset(LIVE)
    if audience is Audience.INVITEE:
        return frozenset(set(Role) - {Role.OWNING_THERAPIST, Role.OTHER_THERAPIST})
    return frozenset(Role)


def press_data(kind: type[Button], world: World) -> str:
    return button_about_the_client(kind, world, **FIELDS.get(kind, {})).pack()


def button_cases(app: AnyApplication, world: World) -> list[ButtonCase]:
    cases: dict[type[Button], ButtonCase] = {}
    for handlers in app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ButtonHandler) or handler.follows:
                continue
            for kind in handler.area.kinds:
                rightful = rightful_pressers(handler.audience, kind)
                cases.setdefault(
                    kind, ButtonCase(kind, handler.audience, press_data(kind, world), rightful)
                )
    return list(cases.values())


def command_cases(app: AnyApplication) -> dict[str, frozenset[Role]]:
    menus = {
        frozenset(THERAPISTS[:2]): {c for c, _ in texts.THERAPIST_COMMANDS},
        frozenset(CLIENTS): {c for c, _ in texts.CLIENT_COMMANDS},
        frozenset(Role): {c for c, _ in texts.DEFAULT_COMMANDS},
    }
    commands = sorted(
        {
            c
            for hs in app.handlers.values()
            for h in hs
            if isinstance(h, CommandHandler)
            for c in h.commands
        }
    )
    rightful: dict[str, frozenset[Role]] = {}
    for command in commands:
        roles = frozenset(role for who, menu in menus.items() if command in menu for role in who)
        roles |= ALSO_FOR.get(command, frozenset())
        assert roles, f"/{command} is in no command menu: say who it is for in bot/texts"
        rightful[command] = roles
    return rightful


def expected(spec: Acts | Mapping[Role, Acts], role: Role, what: str) -> Acts:
    if isinstance(spec, Acts):
        return spec
    assert role in spec, f"{what}: the matrix does not say what {role} gets"
    return spec[role]


def assert_every_handler_is_in_the_matrix(
    buttons: list[ButtonCase], commands: Mapping[str, frozenset[Role]]
) -> None:
    registered = {case.kind for case in buttons}
    missing = sorted(kind.__name__ for kind in registered - PRESSES.keys())
    assert not missing, f"buttons with no entry in PRESSES (say what their users get): {missing}"
    gone = sorted(kind.__name__ for kind in PRESSES.keys() - registered)
    assert not gone, f"PRESSES names buttons no handler takes any more: {gone}"
    missing_commands = sorted(set(commands) - COMMANDS.keys())
    assert not missing_commands, f"commands with no entry in COMMANDS: {missing_commands}"
    gone_commands = sorted(COMMANDS.keys() - set(commands))
    assert not gone_commands, f"COMMANDS names commands no handler takes: {gone_commands}"


def _shown(botapi: BotApiDouble, mark: int) -> list[tuple[str, int | str | None]]:
    return [(c.method, c.chat_id) for c in botapi.calls(after=mark) if c.method.startswith(SHOWN)]


def _family(call: RecordedCall) -> str:
    method = call.method.lower()
    if method.startswith("edit"):
        return "edit"
    if method == "sendphoto":
        return "photo"
    if method in ("senddocument", "sendmediagroup"):
        return "document"
    return "send"


def _changed_tables(before: Dump, after: Dump) -> set[str]:
    return {table for table in after if after[table] != before.get(table)}


async def test_everyone_but_the_rightful_is_refused_and_nothing_changes(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, world: World
) -> None:
    buttons = button_cases(bot.application, world)
    commands = command_cases(bot.application)
    assert len(buttons) >= 40 and len(commands) >= 20
    refused = 0
    before = await table_dump(db, leave_out=BOOKKEEPING_TABLES)
    for case in buttons:
        for role in sorted(set(Role) - case.rightful):
            mark = botapi.mark()
            query_id = botapi.forge_press(USERS[role], case.data, GONE_MESSAGE)
            await bot.settle()
            answer = botapi.callback_answer(query_id).get("text")
            assert answer in GUARD_REFUSALS, (case.data, role, answer)
            assert _shown(botapi, mark) == [], (case.data, role)
            after = await table_dump(db, leave_out=BOOKKEEPING_TABLES)
            assert after == before, (case.data, role, _changed_tables(before, after))
            refused += 1
    for command, rightful in commands.items():
        for role in sorted(set(Role) - rightful):
            mark = botapi.mark()
            botapi.send_command(USERS[role], command, "Carla")
            await bot.settle()
            replies = [c for c in botapi.calls(after=mark) if c.method.startswith(SHOWN)]
            assert [(c.method, c.chat_id) for c in replies] == [("sendMessage", USERS[role].id)], (
                command,
                role,
            )
            assert replies[0].text in COMMAND_REFUSALS, (command, role, replies[0].text)
            after = await table_dump(db, leave_out=BOOKKEEPING_TABLES)
            assert after == before, (command, role, _changed_tables(before, after))
            refused += 1
    log.warning("authorization matrix: %d refusals, each against a full dump", refused)


@dataclass
class RightfulRun:
    """Plays each rightful case from the same starting point: the world as built."""

    bot: RunningApplication
    botapi: BotApiDouble
    db: Database
    world: World
    baseline: Dump
    acted: list[str] = field(default_factory=list)

    async def press(self, role: Role, button: type[Button] | Button) -> str:
        user = USERS[role]
        data = button.pack() if isinstance(button, Button) else press_data(button, self.world)
        message_id = self.botapi.bot_message(user, "…", [("…", data)])
        query_id = self.botapi.press(user, message_id, data)
        await self.bot.settle()
        return query_id

    async def check(self, what: str, role: Role, spec: Acts, play: object) -> None:
        for button in spec.first:
            await self.press(role, button)
        before = await table_dump(self.db, leave_out=BOOKKEEPING_TABLES)
        mark = self.botapi.mark()
        answer: str | None = None
        if isinstance(play, type) and issubclass(play, Button):
            answer = self.botapi.callback_answer(await self.press(role, play)).get("text")
        else:
            args = spec.args.format(client=OWN_CLIENT.get(role, ""))
            self.botapi.send_command(USERS[role], str(play), args)
            await self.bot.settle()
        case = (what, role)
        assert self.bot.take_handler_errors() == [], case
        own = [
            c
            for c in self.botapi.calls(chat_id=USERS[role].id, after=mark)
            if c.method.startswith(SHOWN) and c.ok
        ]
        assert answer not in GUARD_REFUSALS, (*case, answer)
        refusals = COMMAND_REFUSALS - {spec.says}
        assert not {c.text for c in own} & refusals, (*case, [c.text for c in own])
        if spec.says is not None:
            assert spec.says in {c.text for c in own}, (*case, [c.text for c in own])
        if spec.shows == "answer":
            assert answer, (*case, "a notification")
        else:
            assert spec.shows in {_family(c) for c in own}, (
                *case,
                answer,
                [c.summary() for c in own],
            )
        offered = [data for c in own for _, data in self.botapi.callback_buttons(c)]
        for kind in spec.offers:
            assert any(kind.parse(data) for data in offered), (*case, kind.__name__, offered)
        after = await table_dump(self.db, leave_out=BOOKKEEPING_TABLES)
        changed = _changed_tables(before, after)
        assert spec.writes <= changed, (
            *case,
            "writes",
            sorted(changed),
            answer,
            [c.text for c in own],
        )
        if after != self.baseline:
            await restore_dump(self.db, self.baseline)
        self.acted.append(f"{what} by {role}")


async def test_each_button_and_command_acts_for_its_rightful_users(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, world: World
) -> None:
    buttons = button_cases(bot.application, world)
    commands = command_cases(bot.application)
    assert_every_handler_is_in_the_matrix(buttons, commands)
    run = RightfulRun(bot, botapi, db, world, await table_dump(db, leave_out=BOOKKEEPING_TABLES))
    for case in buttons:
        for role in sorted(case.rightful):
            spec = expected(PRESSES[case.kind], role, case.kind.__name__)
            await run.check(case.kind.__name__, role, spec, case.kind)
    for command, rightful in commands.items():
        for role in sorted(rightful):
            await run.check(
                f"/{command}", role, expected(COMMANDS[command], role, command), command
            )
    cases = (len(buttons) + len(commands)) * len(Role)
    presses = sum(len(case.rightful) for case in buttons)
    log.warning(
        "authorization matrix: %d button kinds and %d commands x %d people = %d cases, "
        "%d of them rightful, each acted (%d presses, %d commands)",
        len(buttons),
        len(commands),
        len(Role),
        cases,
        len(run.acted),
        presses,
        len(run.acted) - presses,
    )


@dataclass(frozen=True)
class UnlistedButton(Button):
    tag: ClassVar[str] = "unlisted"
    client_id: ClientId


async def _does_nothing(*_: object) -> None:
    return None


async def test_a_handler_registered_without_an_entry_fails_the_matrix(
    application: AnyApplication, world: World
) -> None:
    application.add_handler(
        ButtonHandler(Area("unlisted", UnlistedButton), Audience.THERAPIST, _does_nothing)
    )
    commands = command_cases(application)
    with pytest.raises(AssertionError, match="UnlistedButton"):
        assert_every_handler_is_in_the_matrix(button_cases(application, world), commands)

    application.add_handler(CommandHandler("unlisted", _does_nothing))
    with pytest.raises(AssertionError, match="/unlisted is in no command menu"):
        command_cases(application)
