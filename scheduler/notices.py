"""What an outbox message says: rendered from its stored payload when the dispatcher sends it.

Services write plain data (ids, names, the words a therapist typed) in the transaction of the
event; the text and buttons are built here, once, just before sending — like reminders
(`scheduler.messages`). One renderer per kind; a kind without one is a bug, not a silent drop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.domain.alerts import AlertKind
from bot.keyboards import Keyboard
from bot.services.alerts import AlertNotice
from bot.services.kinds import (
    CLIENT_BLOCKED,
    CLIENT_JOINED,
    CLIENT_LEFT,
    DATA_REASSIGNED,
    EXERCISE_QUESTION,
    PAUSED_BY_THERAPIST,
    PLAIN_TEXT,
    RED_FLAG_ALERT,
    RELAY_TO_CLIENT,
    RELAY_TO_THERAPIST,
    RELAY_UNDELIVERED,
    RESUMED_BY_THERAPIST,
    TREND_ALERT,
)
from bot.texts import alerts as alert_texts
from bot.texts import exercises as exercise_texts
from bot.texts import onboarding as onboarding_texts
from bot.texts import privacy as privacy_texts
from bot.texts import red_flags as red_flag_texts
from bot.texts import reminders as reminder_texts
from bot.texts import therapist as therapist_texts
from scheduler.messages import Rendered

__all__ = [
    "NOTICE_KINDS",
    "RED_FLAG_ALERT",
    "RELAY_TO_CLIENT",
    "RELAY_TO_THERAPIST",
    "TREND_ALERT",
    "render_notice",
]


def _red_flag(payload: dict[str, Any]) -> Rendered:
    text = red_flag_texts.therapist_urgent_text(
        name=str(payload["client_name"]),
        source=str(payload["source"]),
        answers=[(str(sign), bool(yes)) for sign, yes in payload.get("answers", [])],
        mentioned=[str(sign) for sign in payload.get("mentioned", [])],
    )
    keyboard = red_flag_texts.therapist_keyboard(
        int(payload["alert_id"]), int(payload["client_id"])
    )
    return text, keyboard


def _trend_alert(payload: dict[str, Any]) -> Rendered:
    notice = AlertNotice(
        alert_id=int(payload["alert_id"]),
        client_id=int(payload["client_id"]),
        client_name=str(payload["client_name"]),
        therapist_telegram_id=int(payload["therapist_telegram_id"]),
        kind=AlertKind(str(payload["kind"])),
        severity=int(payload["severity"]),
        evidence=dict(payload["evidence"]),
        created_at=datetime.fromisoformat(str(payload["created_at"])),
    )
    markup: Keyboard | None = alert_texts.alert_keyboard(notice)
    return alert_texts.alert_message(notice), markup


def _plain(payload: dict[str, Any]) -> Rendered:
    """Text the handler rendered itself (it needed the library or the draft to say it)."""
    return str(payload["text"]), None


def _client_blocked(payload: dict[str, Any]) -> Rendered:
    return reminder_texts.CLIENT_BLOCKED_NOTICE.format(name=payload["client_name"]), None


def _client_left(payload: dict[str, Any]) -> Rendered:
    return privacy_texts.THERAPIST_CLIENT_LEFT.format(name=payload["client_name"]), None


def _client_joined(payload: dict[str, Any]) -> Rendered:
    return onboarding_texts.therapist_client_joined(
        str(payload["client_name"]),
        int(payload.get("client_id", 0)),
        has_prescription=bool(payload.get("has_prescription", True)),
    )


def _exercise_question(payload: dict[str, Any]) -> Rendered:
    return exercise_texts.forwarded_question(
        str(payload["client_name"]), str(payload["text"])
    ), None


def _reassigned(payload: dict[str, Any]) -> Rendered:
    return privacy_texts.DATA_REASSIGNED.format(therapist=payload["therapist_name"]), None


def _relay_undelivered(payload: dict[str, Any]) -> Rendered:
    template = (
        therapist_texts.RELAY_BLOCKED
        if payload.get("blocked")
        else therapist_texts.RELAY_NOT_DELIVERED
    )
    return template.format(name=payload["client_name"]), None


_RENDERERS: dict[str, Callable[[dict[str, Any]], Rendered]] = {
    RED_FLAG_ALERT: _red_flag,
    TREND_ALERT: _trend_alert,
    # One part of a relayed message, labelled and split to Telegram's size by the handler.
    RELAY_TO_CLIENT: _plain,
    RELAY_TO_THERAPIST: _plain,
    RELAY_UNDELIVERED: _relay_undelivered,
    EXERCISE_QUESTION: _exercise_question,
    CLIENT_BLOCKED: _client_blocked,
    CLIENT_JOINED: _client_joined,
    CLIENT_LEFT: _client_left,
    DATA_REASSIGNED: _reassigned,
    PAUSED_BY_THERAPIST: lambda _: (therapist_texts.CLIENT_PAUSED_NOTICE, None),
    RESUMED_BY_THERAPIST: lambda _: (therapist_texts.CLIENT_RESUMED_NOTICE, None),
    PLAIN_TEXT: _plain,
}
NOTICE_KINDS = frozenset(_RENDERERS)


def render_notice(kind: str, payload: dict[str, Any]) -> Rendered:
    """The message's text and buttons; an unknown kind raises (recorded as a dispatch error)."""
    return _RENDERERS[kind](payload)
