"""Every user-facing string, in one place (ready for translation)."""

from __future__ import annotations

from bot.texts.commands import CLIENT_HELP as CLIENT_HELP
from bot.texts.commands import THERAPIST_HELP as THERAPIST_HELP
from bot.texts.commands import Menu, menu_entries

STRANGER = (
    "Hello! This bot helps a therapist's clients keep up with their sciatica exercises. "
    "It only works with an invite link from your therapist — please ask them to send you one."
)
THERAPIST_WELCOME = (
    "Welcome. You are registered as the therapist for this bot.\nUse /help to see what you can do."
)
CLIENT_WELCOME_BACK = "Welcome back! Use /help to see what I can do for you."
GROUP_CHAT = "I only work in a private chat. Please message me directly."
UNKNOWN_COMMAND = "Sorry, I don't know that command. Use /help to see what I can do."
UNEXPECTED_TEXT = "I'm not sure what you mean. Use /help to see what I can do."
SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side and nothing was saved. Please try again in a moment."
)
STALE_BUTTON = "This button has expired. Please use the latest message."
NOT_YOURS = "That button isn't for you."

CANCELLED = "Cancelled. Your next message will be read as a new message."
NOTHING_TO_CANCEL = "Nothing to cancel — I wasn't waiting for anything from you."

# The command menus (setMyCommands), generated from the one list in bot/texts/commands.py.
DEFAULT_COMMANDS = menu_entries(Menu.DEFAULT)
CLIENT_COMMANDS = menu_entries(Menu.CLIENT)
THERAPIST_COMMANDS = menu_entries(Menu.THERAPIST)
