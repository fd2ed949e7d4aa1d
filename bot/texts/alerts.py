"""What the therapist reads about an alert, and its buttons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.buttons.therapist import AcknowledgeAlert, MessageClient, OpenClient
from bot.keyboards import rows
from bot.services.alerts import AlertNotice
from bot.texts.dates import iso_day_label, moment_label

ACK_BUTTON = "✅ Acknowledge"
OPEN_CLIENT_BUTTON = "👤 Open client"
MESSAGE_CLIENT_BUTTON = "✉️ Message client"

ACKNOWLEDGED = "Acknowledged — no more reminders about this episode."
ALREADY_ACKNOWLEDGED = "Already acknowledged."
ALERT_GONE = "This alert is not one of your clients' (or no longer exists)."
ACKNOWLEDGED_FOOTER = "\n\n✅ Acknowledged {at}"
NO_OPEN_ALERTS = "No open alerts. 🎉"
OPEN_ALERTS_HEADER = "Open alerts ({count}), newest first:"

TITLES = {
    "red_flag": "🚨 RED FLAG — {name}",
    "worsening_leg": "⚠️ {name}: leg pain is getting worse",
    "worsening_back": "⚠️ {name}: back pain is getting worse",
    "severe_leg_pain": "⚠️ {name}: leg pain {leg}/10",
    "inactivity": "⚠️ {name}: nothing logged for {silent_days} days",
    "low_adherence": "⚠️ {name}: adherence {adherence_pct:.0f} % last week",
}
EVIDENCE = {
    "worsening_leg": (
        "3-day mean {rolling_mean:.1f} vs baseline {baseline:.1f} "
        "(+{rise_points:.1f} points, +{rise_pct:.0f} %), sustained {sustained_days} days "
        "to {day}. Threshold: +{mcid_points:.0f} points and +{mcid_pct} %."
    ),
    "worsening_back": (
        "3-day mean {rolling_mean:.1f} vs baseline {baseline:.1f} "
        "(+{rise_points:.1f} points, +{rise_pct:.0f} %), sustained {sustained_days} days "
        "to {day}. Threshold: +{mcid_points:.0f} points and +{mcid_pct} %."
    ),
    "severe_leg_pain": "Check-in {day}: leg {leg}/10, back {back}/10.",
    "inactivity": ("Last check-in: {last_checkin}. Last exercise logged: {last_exercise_log}."),
    "low_adherence": "Week starting {week_start}: {adherence_pct:.0f} % of exercise slots done.",
    "red_flag": "Signs reported: {signs}. Source: {source}.",
}


def acknowledged_footer(at: datetime, zone: str) -> str:
    """The footer in the therapist's own zone (THERAPIST_TIMEZONE), e.g. "Mon 8 Jun 14:05"."""
    return ACKNOWLEDGED_FOOTER.format(at=moment_label(at, zone))


def _format(template: str, evidence: dict[str, Any], name: str) -> str:
    # Evidence stores days as ISO dates; the therapist reads every day in one style.
    values: dict[str, Any] = {
        k: iso_day_label(v) if isinstance(v, str) else v for k, v in evidence.items()
    }
    values["name"] = name
    if isinstance(values.get("signs"), list):
        values["signs"] = ", ".join(str(s).replace("_", " ") for s in values["signs"])
    try:
        return template.format(**values)
    except (KeyError, ValueError, TypeError):
        # Evidence from an older rule version: show it plainly rather than fail.
        return "; ".join(f"{k}: {v}" for k, v in sorted(evidence.items()))


def title_for(kind: str, evidence: dict[str, Any], name: str) -> str:
    return _format(TITLES.get(kind, "⚠️ {name}: " + kind), evidence, name)


def alert_title(notice: AlertNotice) -> str:
    return title_for(notice.kind, notice.evidence, notice.client_name)


def alert_message(notice: AlertNotice, zone: str = "UTC") -> str:
    """The alert as the therapist reads it; times in `zone`, the therapist's own."""
    evidence = _format(EVIDENCE.get(notice.kind, ""), notice.evidence, notice.client_name)
    text = f"{alert_title(notice)}\n{evidence}".rstrip()
    if notice.acknowledged_at is not None:
        text += acknowledged_footer(notice.acknowledged_at, zone)
    return text


def alert_keyboard(notice: AlertNotice) -> InlineKeyboardMarkup:
    buttons = [
        (OPEN_CLIENT_BUTTON, OpenClient(notice.client_id).pack()),
        (MESSAGE_CLIENT_BUTTON, MessageClient(notice.client_id).pack()),
    ]
    if notice.acknowledged_at is None:
        buttons.insert(0, (ACK_BUTTON, AcknowledgeAlert(notice.alert_id).pack()))
    return rows(buttons, per_row=1)


def open_alerts_header(notices: Sequence[AlertNotice]) -> str:
    return OPEN_ALERTS_HEADER.format(count=len(notices)) if notices else NO_OPEN_ALERTS
