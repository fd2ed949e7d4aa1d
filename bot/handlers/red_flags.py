"""Red-flag safety screen (cauda equina signs): /symptoms, the weekly and onboarding screens.

`start_red_flag_screen` is the entry point other areas call (onboarding's last step, the weekly
check): it sends the first yes/no question. Any yes goes straight to the urgent path.
"""

from __future__ import annotations

from telegram import Bot

from bot.texts import red_flags as t

SOURCES = ("onboarding", "weekly", "symptoms")


async def start_red_flag_screen(bot: Bot, chat_id: int, client_id: int, source: str) -> None:
    """Send the first question of the screen. `source` is onboarding / weekly / symptoms."""
    del client_id  # The presser is re-identified on every answer; callback data is not trusted.
    if source not in SOURCES:
        raise ValueError(f"unknown red-flag screen source {source!r}")
    text, keyboard = t.question_prompt(source, "", t.QUESTIONS[0], len(t.QUESTIONS))
    await bot.send_message(chat_id, text, reply_markup=keyboard)
