"""The command menus Telegram shows and the /help answers come from one list, and agree with
the commands the bot actually answers: nothing in a menu goes unanswered, nothing answered is
hidden from every menu, and /help explains each command of the asker's own menu."""

from __future__ import annotations

from telegram.ext import CommandHandler

from bot.handlers.buttons import ButtonHandler
from bot.texts.commands import COMMANDS
from tests.handlers.journey import onboard
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALEX = TgUser(id=655_101, first_name="Alex")


def registered_commands(bot: RunningApplication) -> set[str]:
    return {
        command
        for handlers in bot.application.handlers.values()
        for handler in handlers
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def menu_names(botapi: BotApiDouble, chat_id: int | None = None) -> list[str]:
    scope = None if chat_id is None else {"type": "chat", "chat_id": chat_id}
    return [entry["command"] for entry in botapi.my_commands(scope)]


def help_commands(text: str) -> list[str]:
    """The commands a /help answer explains: each line that starts with one."""
    return [line.split()[0].removeprefix("/") for line in text.splitlines() if line[:1] == "/"]


async def test_every_menu_command_is_answered_and_every_answered_command_is_in_a_menu(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    await onboard(bot, botapi, therapist, ALEX)
    botapi.send_command(therapist, "start")
    await bot.settle()

    menus = {
        "default": menu_names(botapi),
        "client": menu_names(botapi, ALEX.id),
        "therapist": menu_names(botapi, therapist.id),
    }
    assert all(menus.values()), menus
    answered = registered_commands(bot)
    offered = {name for names in menus.values() for name in names}
    assert offered - answered == set()
    assert answered - offered == set()
    assert {c.name for c in COMMANDS} == offered


async def test_a_clients_help_explains_each_command_of_their_menu_in_its_order(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    await onboard(bot, botapi, therapist, ALEX)
    mark = botapi.mark()
    botapi.send_command(ALEX, "help")
    reply = await botapi.wait_for("sendMessage", chat_id=ALEX.id, after=mark)

    assert help_commands(reply.text or "") == menu_names(botapi, ALEX.id)


async def test_a_therapists_help_explains_each_command_of_their_menu_in_its_order(
    bot: RunningApplication, botapi: BotApiDouble, therapist: TgUser
) -> None:
    botapi.send_command(therapist, "start")
    await bot.settle()
    mark = botapi.mark()
    botapi.send_command(therapist, "help")
    reply = await botapi.wait_for("sendMessage", chat_id=therapist.id, after=mark)

    assert help_commands(reply.text or "") == menu_names(botapi, therapist.id)


async def test_every_command_and_button_handler_is_named_for_its_input(
    bot: RunningApplication,
) -> None:
    # The naming rule of docs/architecture.md: <command>_command, <button>_button.
    misnamed = []
    for handlers in bot.application.handlers.values():
        for handler in handlers:
            if isinstance(handler, ButtonHandler):
                name = handler.press_callback.__name__
                if not name.endswith("_button"):
                    misnamed.append(name)
            elif isinstance(handler, CommandHandler):
                name = handler.callback.__name__
                if not name.endswith("_command"):
                    misnamed.append(name)
    assert misnamed == []
