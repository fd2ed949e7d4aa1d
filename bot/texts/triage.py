"""Why a client needs the therapist, in words: one wording for /clients, the summary and the card.

Renders `bot.domain.triage.Triage`; every view calls `reasons_text`, so a client flagged for
"leg pain up 3.3 over usual — alert seen" reads the same everywhere.
"""

from __future__ import annotations

from bot.domain.alerts import AlertKind
from bot.domain.triage import Need, Triage

ATTENTION_MARK = "⚠️"
URGENT_MARK = "🚨"
PRESCRIBE_MARK = "💊"

# Every kind named (AlertKind is a str enum: stored kinds look themselves up here).
ALERT_NAMES: dict[str, str] = {
    AlertKind.RED_FLAG: "red flag",
    AlertKind.WORSENING_LEG: "leg pain worsening",
    AlertKind.WORSENING_BACK: "back pain worsening",
    AlertKind.SEVERE_LEG_PAIN: "severe leg pain",
    AlertKind.INACTIVITY: "nothing logged",
    AlertKind.LOW_ADHERENCE: "low adherence",
    AlertKind.AGGRAVATING_EXERCISE: "an exercise aggravates the leg",
}
SKIP_REASON_NAMES: dict[str, str] = {
    "pain": "too painful",
    "time": "no time",
    "forgot": "forgot",
    "other": "other",
}


def alert_name(kind: str) -> str:
    return ALERT_NAMES.get(kind, kind.replace("_", " "))


def skip_reasons_text(reasons: tuple[tuple[str, int], ...]) -> str:
    """ "too painful ×3, no time ×1" — the reasons given for skipped exercises."""
    return ", ".join(f"{SKIP_REASON_NAMES.get(r, r)} ×{n}" for r, n in reasons)


def _seen(placed: Triage, *kinds: str) -> str:
    if any(kind in placed.seen_alert_kinds for kind in kinds):
        return " (alert seen)"
    if any(kind in placed.open_alert_kinds for kind in kinds):
        return ""
    return " (no alert yet)"


def _worsening(placed: Triage) -> list[str]:
    parts = []
    if placed.severe_leg is not None:
        parts.append(f"leg pain {placed.severe_leg}/10" + _seen(placed, AlertKind.SEVERE_LEG_PAIN))
    if placed.leg_rise is not None:
        parts.append(
            f"leg pain up {placed.leg_rise:.1f} points" + _seen(placed, AlertKind.WORSENING_LEG)
        )
    if placed.back_rise is not None:
        parts.append(
            f"back pain up {placed.back_rise:.1f} points" + _seen(placed, AlertKind.WORSENING_BACK)
        )
    return parts


def _adherence(placed: Triage) -> str:
    last, before = placed.adherence_last_week, placed.adherence_week_before
    if before is not None and last is not None and before - last > 0:
        return f"adherence down {before:.0f} → {last:.0f} % last week"
    return f"adherence {last or 0:.0f} % last week"


def reason_parts(placed: Triage) -> list[str]:
    """Each reason the client is where they are, most urgent first."""
    parts: list[str] = []
    for need in placed.needs:
        if need is Need.URGENT:
            state = "open" if AlertKind.RED_FLAG in placed.open_alert_kinds else "seen, this week"
            parts.append(f"{URGENT_MARK} red flag ({state})")
        elif need is Need.OPEN_ALERT:
            kinds = [alert_name(k) for k in placed.open_alert_kinds if k != AlertKind.RED_FLAG]
            parts.append("open alert: " + ", ".join(kinds))
        elif need is Need.WORSENING:
            parts += [p for p in _worsening(placed) if p not in parts]
        elif need is Need.ADHERENCE_FALLING:
            parts.append(_adherence(placed))
        elif need is Need.SILENT:
            parts.append(f"silent {placed.silent_days} days" + _seen(placed, AlertKind.INACTIVITY))
        elif need is Need.UNREACHABLE:
            parts.append("has blocked the bot")
        elif need is Need.AWAITING_PRESCRIPTION:
            parts.append("no exercises prescribed yet")
    return parts


def reasons_text(placed: Triage) -> str:
    return "; ".join(reason_parts(placed))


def mark(placed: Triage) -> str:
    """The sign before a name: 🚨 urgent, ⚠️ needs attention, 💊 awaiting a prescription."""
    if placed.need is Need.URGENT:
        return URGENT_MARK
    if placed.needs_attention:
        return ATTENTION_MARK
    if placed.need is Need.AWAITING_PRESCRIPTION:
        return PRESCRIBE_MARK
    return ""
