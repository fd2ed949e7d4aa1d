"""Every user-facing string, in one place (ready for translation)."""

from __future__ import annotations

STRANGER = (
    "Hello! This bot helps a therapist's clients keep up with their sciatica exercises. "
    "It only works with an invite link from your therapist — please ask them to send you one."
)
THERAPIST_WELCOME = (
    "Welcome. You are registered as the therapist for this bot.\n"
    "Use /help to see what you can do."
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

THERAPIST_HELP = (
    "What you can do:\n"
    "/help — this list\n"
    "/start — check the bot knows you as the therapist"
)
CLIENT_HELP = (
    "What I can do for you:\n"
    "/help — this list\n"
    "/start — start again"
)

# Command menus (setMyCommands): (command, description).
DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start or use an invite link"),
    ("help", "What this bot can do"),
)
CLIENT_COMMANDS: tuple[tuple[str, str], ...] = DEFAULT_COMMANDS
THERAPIST_COMMANDS: tuple[tuple[str, str], ...] = DEFAULT_COMMANDS
