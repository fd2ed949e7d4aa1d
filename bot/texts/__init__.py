"""Every user-facing string, in one place (ready for translation)."""

from __future__ import annotations

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

THERAPIST_HELP = (
    "What you can do:\n"
    "/invite <name> — a one-time invite link for a new client\n"
    "/clients — all your clients, those needing attention first\n"
    "/client <name> — one client's card: prescription, adherence, pain chart, notes, alerts,\n"
    "  skip reasons; change their reminder and check-in times with ⏰ Times\n"
    "/notes <name> — every note a client wrote at check-in, newest first\n"
    "/prescribe <name> — choose exercises, dosage and days (also to edit or stop)\n"
    "/alerts — open alerts, with Acknowledge / Open client / Message client\n"
    "/summary — this week's summary with a chart (also sent every Monday 08:00)\n"
    "/export — a CSV of adherence, pain, SBI and alerts for all clients\n"
    "/help — this list\n"
    "/start — check the bot knows you as the therapist"
)
CLIENT_HELP = (
    "What I can do for you:\n"
    "/exercises — your exercises, with pictures and how to do each one\n"
    "/pain — tell me how your leg and back are today\n"
    "/weekly — the short weekly sciatica questionnaire\n"
    "/symptoms — tell me your symptoms have changed (safety check)\n"
    "/progress — a chart of your pain and exercises\n"
    "/settings — time zone, reminder times, check-in time, quiet hours\n"
    "/pause — a break from reminders; /resume — start them again\n"
    "/privacy — what I store and who sees it\n"
    "/export — a copy of everything I store about you\n"
    "/delete — erase everything about you\n\n"
    "You can also just ask, e.g. \u201chow do I do the bridge?\u201d. If something feels "
    "seriously wrong, get medical help first — don't wait for me."
)

# Command menus (setMyCommands): (command, description).
CANCELLED = "Cancelled. Your next message will be read as a new message."
NOTHING_TO_CANCEL = "Nothing to cancel — I wasn't waiting for anything from you."

DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start or use an invite link"),
    ("help", "What this bot can do"),
)
CLIENT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("pain", "Today's pain check-in"),
    ("exercises", "My exercises and how to do them"),
    ("weekly", "Weekly sciatica questionnaire"),
    ("symptoms", "My symptoms have changed"),
    ("progress", "My progress chart"),
    ("settings", "Time zone, reminder and check-in times"),
    ("pause", "Pause reminders"),
    ("resume", "Resume reminders"),
    ("privacy", "What is stored and who sees it"),
    ("export", "Get a copy of my data"),
    ("delete", "Erase my data"),
    ("cancel", "Stop what I was typing"),
    ("help", "What this bot can do"),
)
THERAPIST_COMMANDS: tuple[tuple[str, str], ...] = (
    ("clients", "All clients, attention first"),
    ("client", "One client's card: /client <name>"),
    ("notes", "A client's notes: /notes <name>"),
    ("alerts", "Open alerts"),
    ("summary", "Weekly summary with chart"),
    ("prescribe", "Prescribe exercises: /prescribe <name>"),
    ("invite", "Invite a client: /invite <name>"),
    ("export", "CSV export of all clients"),
    ("cancel", "Stop what I was typing (a message, a draft)"),
    ("help", "What you can do"),
)
