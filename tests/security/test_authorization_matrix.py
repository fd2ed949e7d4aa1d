"""The authorization matrix, generated from the REGISTERED handlers (a new command or button is
in it without anyone remembering to add it): every command and every button kind × seven
people. Only the rightful ones act; everyone else gets a refusal and not one row changes.

Rightful, per button audience (bot.handlers.buttons.Audience): a therapist button naming a
record → the therapist owning that client; a client button naming a record → that client; a
button naming no record → everyone of its audience (they act on their own data). Per command:
its menu (bot.texts: therapist, client or everyone's commands).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pytest
from telegram.ext import CommandHandler

from bot import texts
from bot.buttons import Button
from bot.config import Settings
from bot.db.engine import Database
from bot.handlers.buttons import Audience, ButtonHandler
from bot.texts import therapist as therapist_texts
from tests.conftest import make_settings
from tests.handlers.db_dump import BOOKKEEPING_TABLES, table_dump
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
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import AnyApplication, RunningApplication

log = logging.getLogger(__name__)
# A bot message the double does not have: edits answer "message to edit not found" (harmless).
GONE_MESSAGE = 900_000
GUARD_REFUSALS = {texts.STALE_BUTTON, texts.NOT_YOURS, therapist_texts.THERAPIST_ONLY_BUTTON}
LIVE = {Role.OWNING_THERAPIST, Role.OTHER_THERAPIST, *CLIENTS}
SHOWN = ("send", "edit", "copy", "forward", "delete")


@pytest.fixture
def settings(botapi: BotApiDouble, database_url: str) -> Settings:
    return make_settings(botapi, database_url, therapist_ids=THERAPIST_IDS)


@pytest.fixture
async def world(db: Database) -> World:
    return await build_world(db)


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


def button_cases(app: AnyApplication, world: World) -> list[ButtonCase]:
    cases: dict[type[Button], ButtonCase] = {}
    for handlers in app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ButtonHandler) or handler.follows:
                continue
            for kind in handler.area.kinds:
                data = button_about_the_client(kind, world).pack()
                rightful = rightful_pressers(handler.audience, kind)
                cases.setdefault(
                    kind,
                    ButtonCase(kind, handler.audience, data, rightful),
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
        assert roles, f"/{command} is in no command menu: say who it is for in bot/texts"
        rightful[command] = roles
    return rightful


async def _shown_since(botapi: BotApiDouble, mark: int) -> list[tuple[str, int | str | None]]:
    return [(c.method, c.chat_id) for c in botapi.calls(after=mark) if c.method.startswith(SHOWN)]


async def test_every_button_and_command_acts_only_for_the_rightful(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, world: World
) -> None:
    buttons = button_cases(bot.application, world)
    commands = command_cases(bot.application)
    assert len(buttons) >= 40 and len(commands) >= 20
    refused = 0

    # Refusals first, each against a full dump of the database: nothing may change.
    for case in buttons:
        for role in set(Role) - case.rightful:
            before = await table_dump(db, leave_out=BOOKKEEPING_TABLES)
            mark = botapi.mark()
            query_id = botapi.forge_press(USERS[role], case.data, GONE_MESSAGE)
            await bot.settle()
            answer = botapi.callback_answer(query_id).get("text")
            assert answer in GUARD_REFUSALS, (case.data, role, answer)
            assert await _shown_since(botapi, mark) == [], (case.data, role)
            assert await table_dump(db, leave_out=BOOKKEEPING_TABLES) == before, (case.data, role)
            refused += 1
    for command, rightful in commands.items():
        for role in set(Role) - rightful:
            before = await table_dump(db, leave_out=BOOKKEEPING_TABLES)
            mark = botapi.mark()
            botapi.send_command(USERS[role], command, "Carla")
            await bot.settle()
            shown = await _shown_since(botapi, mark)
            assert shown == [("sendMessage", USERS[role].id)], (command, role, shown)
            assert await table_dump(db, leave_out=BOOKKEEPING_TABLES) == before, (command, role)
            refused += 1

    # Then the rightful: the guard lets them through (what they do is each area's own tests').
    acted = 0
    erasing_last = sorted(buttons, key=lambda case: case.data.startswith("del:yes"))
    for case in erasing_last:
        for role in sorted(case.rightful):
            query_id = botapi.forge_press(USERS[role], case.data, GONE_MESSAGE)
            await bot.settle()
            answer = botapi.callback_answer(query_id).get("text")
            assert answer not in GUARD_REFUSALS, (case.data, role, answer)
            acted += 1
    log.warning(
        "authorization matrix: %d button kinds and %d commands x %d people = %d cases "
        "(%d refused, %d button presses let through)",
        len(buttons),
        len(commands),
        len(Role),
        (len(buttons) + len(commands)) * len(Role),
        refused,
        acted,
    )
