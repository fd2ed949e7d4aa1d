"""What the therapist reads about an alert, and its buttons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.buttons.suggestions import SuggestionAction, SuggestionPress
from bot.buttons.therapist import AcknowledgeAlert, MessageClient, OpenClient
from bot.domain.alerts import (
    AlertKind,
    Evidence,
    InactivityEvidence,
    LowAdherenceEvidence,
    RedFlagEvidence,
    SevereLegPainEvidence,
    WorseningEvidence,
    evidence_from_json,
)
from bot.domain.exercise_response import AGGRAVATING_ALERT
from bot.keyboards import Keyboard, rows
from bot.services.alerts import AlertNotice
from bot.texts.dates import NEVER, day_label, moment_label

ACK_BUTTON = "✅ Acknowledge"
OPEN_CLIENT_BUTTON = "👤 Open client"
MESSAGE_CLIENT_BUTTON = "✉️ Message client"

ACKNOWLEDGED = "Acknowledged — no more reminders about this episode."
ALREADY_ACKNOWLEDGED = "Already acknowledged."
ALERT_GONE = "This alert is not one of your clients' (or no longer exists)."
ACKNOWLEDGED_FOOTER = "\n\n✅ Acknowledged {at}"
NO_OPEN_ALERTS = "No open alerts. 🎉"
OPEN_ALERTS_HEADER = "Open alerts ({count}), newest first:"

SIGN_SEPARATOR = ", "

# One entry per kind, so a new kind without its texts fails the render test at once.
TITLES: Mapping[AlertKind, str] = {
    AlertKind.RED_FLAG: "🚨 RED FLAG — {name}",
    AlertKind.WORSENING_LEG: "⚠️ {name}: leg pain is getting worse",
    AlertKind.WORSENING_BACK: "⚠️ {name}: back pain is getting worse",
    AlertKind.SEVERE_LEG_PAIN: "⚠️ {name}: leg pain {leg}/10",
    AlertKind.INACTIVITY: "⚠️ {name}: nothing logged for {silent_days} days",
    AlertKind.LOW_ADHERENCE: "⚠️ {name}: adherence {adherence} last week",
    AlertKind.AGGRAVATING_EXERCISE: "⚠️ {name}: {exercise} seems to aggravate their leg",
}
# Titles when stored evidence is of an older shape (no figures to show).
PLAIN_TITLES: Mapping[AlertKind, str] = {
    AlertKind.RED_FLAG: "🚨 RED FLAG — {name}",
    AlertKind.WORSENING_LEG: "⚠️ {name}: leg pain is getting worse",
    AlertKind.WORSENING_BACK: "⚠️ {name}: back pain is getting worse",
    AlertKind.SEVERE_LEG_PAIN: "⚠️ {name}: severe leg pain",
    AlertKind.INACTIVITY: "⚠️ {name}: nothing logged for a while",
    AlertKind.LOW_ADHERENCE: "⚠️ {name}: low adherence",
    AlertKind.AGGRAVATING_EXERCISE: "⚠️ {name}: an exercise seems to aggravate their leg",
}
WORSENING = (
    "Usually about {usual}, the last {days} days about {recent}: {rise} "
    "({checkins} check-ins since {since})."
)
SEVERE_LEG_PAIN = "Check-in {day}: leg {leg}/10 (usually about {usual}), back {back}/10."
SEVERE_LEG_PAIN_NEW = (
    "Check-in {day}: leg {leg}/10, back {back}/10 — too few check-ins yet to know their "
    "usual level."
)
INACTIVITY = "No check-in and no exercise logged since {last_active}."
INACTIVITY_CADENCE = " They usually go at most {gap} days between check-ins."
LOW_ADHERENCE = "Week starting {week}: {adherence} of exercise slots done."
RED_FLAG = "Signs reported: {signs}. Source: {source}."
UNKNOWN_TITLE = "⚠️ {name}: alert"
# An exercise that aggravates the leg (bot.domain.exercise_response; not a trend of the diary).
AGGRAVATING = (
    "Leg worse afterwards in {worse} of the last {answered} answered sessions{spread}{leg}."
)
AGGRAVATING_SPREAD = ", spreading down the leg"
AGGRAVATING_LEG = "; leg pain about {before} → {since}"
EASE_IT_BUTTON = "⬇️ Ease it"
STOP_IT_BUTTON = "⏹ Stop it"
# Stored evidence of an older shape: shown plainly rather than not at all.
UNREADABLE = "Details: {details}"


def acknowledged_footer(at: datetime, zone: str) -> str:
    """The footer in the therapist's own zone (THERAPIST_TIMEZONE), e.g. "Mon 8 Jun 14:05"."""
    return ACKNOWLEDGED_FOOTER.format(at=moment_label(at, zone))


def _about(value: float) -> str:
    """A level on the 0-10 scale as a therapist would say it: "3", "3.5"."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _points(change: float) -> str:
    sign = "+" if change >= 0 else "−"
    unit = "point" if _about(abs(change)) == "1" else "points"
    return f"{sign}{_about(abs(change))} {unit}"


def _percent(value: float) -> str:
    return f"{value:.0f} %"


def _typed(kind: AlertKind, evidence: Mapping[str, Any]) -> Evidence | None:
    """The stored evidence read back into its type; None for an older shape."""
    try:
        return evidence_from_json(kind, evidence)
    except (KeyError, ValueError, TypeError):
        return None


def _plain(evidence: Mapping[str, Any]) -> str:
    return UNREADABLE.format(details="; ".join(f"{k}: {v}" for k, v in sorted(evidence.items())))


def evidence_text(evidence: Evidence) -> str:
    """What the rule saw, as the change from the client's usual level; one text per kind."""
    match evidence:
        case WorseningEvidence():
            return WORSENING.format(
                usual=_about(evidence.usual),
                days=evidence.days,
                recent=_about(evidence.recent),
                rise=_points(evidence.rise_points),
                checkins=evidence.checkins,
                since=day_label(evidence.since),
            )
        case SevereLegPainEvidence():
            if evidence.usual_leg is None:
                return SEVERE_LEG_PAIN_NEW.format(
                    day=day_label(evidence.day), leg=evidence.leg, back=evidence.back
                )
            return SEVERE_LEG_PAIN.format(
                day=day_label(evidence.day),
                leg=evidence.leg,
                back=evidence.back,
                usual=_about(evidence.usual_leg),
            )
        case InactivityEvidence():
            active = [d for d in (evidence.last_checkin, evidence.last_exercise_log) if d]
            text = INACTIVITY.format(last_active=day_label(max(active)) if active else NEVER)
            if evidence.usual_gap_days is not None:
                text += INACTIVITY_CADENCE.format(gap=evidence.usual_gap_days)
            return text
        case LowAdherenceEvidence():
            return LOW_ADHERENCE.format(
                week=day_label(evidence.week_start), adherence=_percent(evidence.adherence_pct)
            )
        case RedFlagEvidence():
            signs = SIGN_SEPARATOR.join(s.replace("_", " ") for s in evidence.signs)
            return RED_FLAG.format(signs=signs, source=evidence.source)


def _title_values(evidence: Evidence) -> dict[str, Any]:
    match evidence:
        case SevereLegPainEvidence():
            return {"leg": evidence.leg}
        case InactivityEvidence():
            return {"silent_days": evidence.silent_days}
        case LowAdherenceEvidence():
            return {"adherence": _percent(evidence.adherence_pct)}
    return {}


def _aggravating_details(evidence: Mapping[str, Any]) -> str:
    try:
        leg = (
            AGGRAVATING_LEG.format(
                before=_about(float(evidence["leg_before"])),
                since=_about(float(evidence["leg_since"])),
            )
            if "leg_since" in evidence
            else ""
        )
        return AGGRAVATING.format(
            worse=int(evidence["worse_sessions"]),
            answered=int(evidence["answered_sessions"]),
            spread=AGGRAVATING_SPREAD if evidence.get("spread") else "",
            leg=leg,
        )
    except (KeyError, ValueError, TypeError):
        return _plain(evidence)


def title_for(kind: AlertKind | str, evidence: dict[str, Any], name: str) -> str:
    """The alert's first line, e.g. "⚠️ Alice: leg pain is getting worse"."""
    if kind == AGGRAVATING_ALERT:
        exercise = evidence.get("exercise", evidence.get("exercise_slug", "an exercise"))
        return TITLES[AlertKind.AGGRAVATING_EXERCISE].format(name=name, exercise=exercise)
    try:
        kind = AlertKind(kind)
    except ValueError:
        return UNKNOWN_TITLE.format(name=name)
    typed = _typed(kind, evidence)
    if typed is None:
        return PLAIN_TITLES[kind].format(name=name)
    return TITLES[kind].format(name=name, **_title_values(typed))


def alert_title(notice: AlertNotice) -> str:
    return title_for(notice.kind, notice.evidence, notice.client_name)


def details_for(kind: AlertKind | str, evidence: dict[str, Any]) -> str:
    """The line under the title: the typed evidence in words (stored evidence of an older
    shape plainly)."""
    if kind == AGGRAVATING_ALERT:
        return _aggravating_details(evidence)
    try:
        known = AlertKind(kind)
    except ValueError:
        return _plain(evidence)
    typed = _typed(known, evidence)
    return _plain(evidence) if typed is None else evidence_text(typed)


def alert_message(notice: AlertNotice, zone: str = "UTC") -> str:
    """The alert as the therapist reads it; times in `zone`, the therapist's own."""
    text = f"{alert_title(notice)}\n{details_for(notice.kind, notice.evidence)}"
    if notice.acknowledged_at is not None:
        text += acknowledged_footer(notice.acknowledged_at, zone)
    return text


def alert_keyboard(notice: AlertNotice) -> Keyboard:
    slug = notice.evidence.get("exercise_slug")
    if notice.kind == AGGRAVATING_ALERT and isinstance(slug, str):
        # Acting on the exercise settles the alert: Ease it / Stop it acknowledge it.
        acknowledge = (
            [(ACK_BUTTON, AcknowledgeAlert(notice.alert_id).pack())]
            if notice.acknowledged_at is None
            else []
        )
        return rows(
            [
                (
                    EASE_IT_BUTTON,
                    SuggestionPress(notice.client_id, SuggestionAction.EASE, slug).pack(),
                ),
                (
                    STOP_IT_BUTTON,
                    SuggestionPress(notice.client_id, SuggestionAction.STOP, slug).pack(),
                ),
                (OPEN_CLIENT_BUTTON, OpenClient(notice.client_id).pack()),
                *acknowledge,
            ],
            per_row=1,
        )
    buttons = [
        (OPEN_CLIENT_BUTTON, OpenClient(notice.client_id).pack()),
        (MESSAGE_CLIENT_BUTTON, MessageClient(notice.client_id).pack()),
    ]
    if notice.acknowledged_at is None:
        buttons.insert(0, (ACK_BUTTON, AcknowledgeAlert(notice.alert_id).pack()))
    return rows(buttons, per_row=1)


def open_alerts_header(notices: Sequence[AlertNotice]) -> str:
    return OPEN_ALERTS_HEADER.format(count=len(notices)) if notices else NO_OPEN_ALERTS
