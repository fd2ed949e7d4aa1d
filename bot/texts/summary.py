"""The therapist's weekly summary as text (the chart is in bot.charts)."""

from __future__ import annotations

from bot.services.summary import ClientWeekRow, WeeklySummary

ALERT_LABELS: dict[str, str] = {
    "red_flag": "RED FLAG",
    "worsening_leg": "leg pain worsening",
    "worsening_back": "back pain worsening",
    "severe_leg_pain": "leg pain ≥ 8",
    "inactivity": "no activity 3+ days",
    "low_adherence": "adherence < 50 %",
}

SUMMARY_EMPTY = "No clients yet. Invite one with /invite <name>."
SUMMARY_CHART_CAPTION = "Adherence and leg-pain change per client, {start} – {end}"
CLIENT_CHART_BUTTON = "Chart: {name}"


def _signed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:+.1f}{unit}"
    return f"{value:+d}{unit}"


def _adherence(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def summary_row(row: ClientWeekRow) -> str:
    mark = "⚠️ " if row.needs_attention else ""
    alerts = ", ".join(ALERT_LABELS.get(kind, kind) for kind in row.alert_kinds)
    sbi = "–" if row.sbi_latest is None else f"{row.sbi_latest}/24 ({_signed(row.sbi_change)})"
    parts = [
        f"{mark}{row.name}",
        f"  adherence {_adherence(row.adherence_pct)} · leg pain {_signed(row.leg_change)}"
        f" · back pain {_signed(row.back_change)} · SBI {sbi}",
    ]
    if alerts:
        parts.append(f"  alerts: {alerts}")
    return "\n".join(parts)


def render_weekly_summary(summary: WeeklySummary) -> str:
    overview = summary.overview
    head = (
        f"Weekly summary {overview.week_start:%a %d %b} – {overview.week_end:%a %d %b}\n"
        f"{overview.clients} clients · {overview.needing_attention} need attention · "
        f"mean adherence {_adherence(overview.mean_adherence_pct)} · "
        f"{overview.alerts_this_week} alerts this week, {overview.open_alerts} open"
    )
    if not summary.rows:
        return f"{head}\n\n{SUMMARY_EMPTY}"
    return head + "\n\n" + "\n".join(summary_row(row) for row in summary.rows)


def summary_chart_caption(summary: WeeklySummary) -> str:
    return SUMMARY_CHART_CAPTION.format(
        start=f"{summary.overview.week_start:%d %b}", end=f"{summary.overview.week_end:%d %b}"
    )
