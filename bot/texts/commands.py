"""Every command the bot offers, in one list: its menu, its one-line menu text and its /help line.

The command menus (setMyCommands, one per scope) and the /help answers for clients and
therapists are both generated from `COMMANDS`, in its order, so they cannot drift apart.
Adding a command is one `Command` here, its handler and its service
(`tests/handlers/test_command_menus.py` checks every menu entry has a registered handler,
every registered command is in a menu, and /help explains each menu entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = [
    "CLIENT_HELP",
    "COMMANDS",
    "THERAPIST_HELP",
    "Command",
    "Menu",
    "help_text",
    "menu_entries",
]


class Menu(Enum):
    """Whose command menu a command is in. Telegram shows a chat's own menu (a client's or a
    therapist's, set for that chat) instead of the default one that everyone else sees."""

    DEFAULT = "default"
    CLIENT = "client"
    THERAPIST = "therapist"


@dataclass(frozen=True)
class Command:
    name: str
    menu: Menu
    description: str  # the menu's one-liner (Telegram: 1-256 characters)
    help: str | None = None  # the /help line after "/name — "; None: not in a /help answer
    usage: str = ""  # arguments shown in /help, e.g. "<name>"

    @property
    def help_line(self) -> str:
        head = f"/{self.name} {self.usage}" if self.usage else f"/{self.name}"
        return f"{head} — {self.help}"


COMMANDS: tuple[Command, ...] = (
    # Everyone (strangers are told to ask their therapist for an invite link).
    Command("start", Menu.DEFAULT, "Start or use an invite link"),
    Command("help", Menu.DEFAULT, "What this bot can do"),
    # Clients, once they are set up.
    Command(
        "pain", Menu.CLIENT, "Today's pain check-in", "tell me how your leg and back are today"
    ),
    Command(
        "exercises",
        Menu.CLIENT,
        "My exercises and how to do them",
        "your exercises, with pictures and how to do each one",
    ),
    Command(
        "weekly",
        Menu.CLIENT,
        "Weekly sciatica questionnaire",
        "the short weekly sciatica questionnaire",
    ),
    Command(
        "symptoms",
        Menu.CLIENT,
        "My symptoms have changed",
        "tell me your symptoms have changed (safety check)",
    ),
    Command("progress", Menu.CLIENT, "My progress chart", "a chart of your pain and exercises"),
    Command(
        "settings",
        Menu.CLIENT,
        "Time zone, reminder and check-in times",
        "time zone, reminder times, check-in time, quiet hours",
    ),
    Command("pause", Menu.CLIENT, "Pause reminders", "a break from reminders"),
    Command("resume", Menu.CLIENT, "Resume reminders", "start reminders again"),
    Command(
        "privacy", Menu.CLIENT, "What is stored and who sees it", "what I store and who sees it"
    ),
    Command(
        "export", Menu.CLIENT, "Get a copy of my data", "a copy of everything I store about you"
    ),
    Command("delete", Menu.CLIENT, "Erase my data", "erase everything about you"),
    Command("cancel", Menu.CLIENT, "Stop what I was typing", "stop what you were typing"),
    Command("help", Menu.CLIENT, "What this bot can do", "this list"),
    # Therapists (THERAPIST_IDS).
    Command(
        "clients",
        Menu.THERAPIST,
        "All clients, attention first",
        "all your clients, those needing attention first",
    ),
    Command(
        "client",
        Menu.THERAPIST,
        "One client's card: /client <name>",
        "one client's card: prescription, adherence, pain chart, notes, alerts,\n"
        "  skip reasons; change their reminder and check-in times with ⏰ Times",
        usage="<name>",
    ),
    Command(
        "notes",
        Menu.THERAPIST,
        "A client's notes: /notes <name>",
        "every note a client wrote at check-in, newest first",
        usage="<name>",
    ),
    Command(
        "alerts",
        Menu.THERAPIST,
        "Open alerts",
        "open alerts, with Acknowledge / Open client / Message client",
    ),
    Command(
        "summary",
        Menu.THERAPIST,
        "Weekly summary with chart",
        "this week's summary with a chart (also sent every Monday 08:00)",
    ),
    Command(
        "prescribe",
        Menu.THERAPIST,
        "Prescribe exercises: /prescribe <name>",
        "choose exercises, dosage and days (also to edit or stop)",
        usage="<name>",
    ),
    Command(
        "invite",
        Menu.THERAPIST,
        "Invite a client: /invite <name>",
        "a one-time invite link for a new client",
        usage="<name>",
    ),
    Command(
        "export",
        Menu.THERAPIST,
        "CSV export of all clients",
        "a zip of spreadsheets for all your clients: check-ins, adherence,\n"
        "  exercise answers, questionnaires, alerts",
    ),
    Command(
        "cancel",
        Menu.THERAPIST,
        "Stop what I was typing (a message, a draft)",
        "stop what you were typing (a message, a draft)",
    ),
    Command("help", Menu.THERAPIST, "What you can do", "this list"),
)


def menu_entries(menu: Menu) -> tuple[tuple[str, str], ...]:
    """(command, description) pairs for setMyCommands, in the list's order."""
    return tuple((c.name, c.description) for c in COMMANDS if c.menu is menu)


def help_text(menu: Menu, *, intro: str, outro: str = "") -> str:
    lines = [c.help_line for c in COMMANDS if c.menu is menu and c.help is not None]
    text = "\n".join([intro, *lines])
    return f"{text}\n\n{outro}" if outro else text


THERAPIST_HELP = help_text(Menu.THERAPIST, intro="What you can do:")
CLIENT_HELP = help_text(
    Menu.CLIENT,
    intro="What I can do for you:",
    outro="You can also just ask, e.g. \u201chow do I do the bridge?\u201d. If something feels "
    "seriously wrong, get medical help first — don't wait for me.",
)
