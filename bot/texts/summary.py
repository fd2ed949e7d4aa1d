"""The therapist's weekly summary as messages: text, the overview chart's caption and buttons.

The same messages go out for `/summary`, the Monday 08:00 push and `python -m bot summary`;
the chart itself is drawn by bot.charts.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.buttons.therapist import ClientChart
from bot.domain.summary import AttentionReason
from bot.keyboards import rows
from bot.services.summary import ClientSummary, WeeklySummary

ALERT_LABELS: dict[str, str] = {
    "red_flag": "RED FLAG",
    "worsening_leg": "leg pain worsening",
    "worsening_back": "back pain worsening",
    "severe_leg_pain": "leg pain ≥ 8",
    "inactivity": "no activity 3+ days",
    "low_adherence": "adherence < 50 %",
}
REASON_LABELS: dict[AttentionReason, str] = {
    AttentionReason.RED_FLAG: "RED FLAG",
    AttentionReason.WORSENING: "worsening",
    AttentionReason.LOW_ADHERENCE: "low adherence",
    AttentionReason.INACTIVE: "inactive",
    AttentionReason.UNREACHABLE: "has blocked the bot",
}

SUMMARY_EMPTY = "No clients yet. Invite one with /invite <name>."
SUMMARY_CHART_CAPTION = "Adherence and leg-pain change per client, {start} – {end}"
CLIENT_CHART_BUTTON = "Chart: {name}"
# Buttons for a chart per client: the first rows (attention first) fit one keyboard.
CHART_BUTTONS = 12
CHART_BUTTON_NAME_CHARS = 20
# Telegram's limit is 4096 characters a message; split between client lines below it.
MESSAGE_LIMIT = 4000


def _signed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:+.1f}{unit}"
    return f"{value:+d}{unit}"


def _adherence(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def _adherence_part(client: ClientSummary) -> str:
    row = client.row
    if row.adherence_change is None:
        return f"adherence {_adherence(row.adherence_pct)}"
    return f"adherence {_adherence(row.adherence_pct)} ({row.adherence_change:+.0f} pts)"


def _leg_part(client: ClientSummary) -> str:
    row = client.row
    if row.leg_pain is None:
        return "leg pain –"
    if row.leg_pain_change is None:
        return f"leg pain {row.leg_pain:.1f}/10"
    return f"leg pain {_signed(row.leg_pain_change)} {row.leg_pain_trend} ({row.leg_pain:.1f}/10)"


def summary_line(client: ClientSummary) -> str:
    row = client.row
    head = row.name
    if row.needs_attention:
        head = f"⚠️ {row.name} — " + ", ".join(REASON_LABELS[r] for r in row.reasons)
    sbi = "–" if row.sbi is None else f"{row.sbi}/24 ({_signed(row.sbi_change)})"
    parts = [
        head,
        f"  {_adherence_part(client)} · {_leg_part(client)}"
        f" · back pain {_signed(client.back_pain_change)} · SBI {sbi}",
    ]
    if client.alert_kinds:
        alerts = ", ".join(ALERT_LABELS.get(kind, kind) for kind in client.alert_kinds)
        parts.append(f"  alerts this week: {alerts}")
    return "\n".join(parts)


def _head(summary: WeeklySummary) -> str:
    overview = summary.overview
    return (
        f"Weekly summary {overview.week_start:%a %d %b} – {overview.week_end:%a %d %b}\n"
        f"{_count(overview.clients, 'client')} · "
        f"{overview.needing_attention} need{'s' if overview.needing_attention == 1 else ''} "
        f"attention · mean adherence {_adherence(overview.mean_adherence_pct)} · "
        f"{_count(overview.alerts_this_week, 'alert')} this week, {overview.open_alerts} open"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _blocks(summary: WeeklySummary) -> list[str]:
    if not summary.clients:
        return [SUMMARY_EMPTY]
    return [summary_line(client) for client in summary.clients]


def render_weekly_summary(summary: WeeklySummary) -> str:
    """The whole summary as one text (what `python -m bot summary` prints)."""
    return _head(summary) + "\n\n" + "\n".join(_blocks(summary))


def summary_texts(summary: WeeklySummary) -> list[str]:
    """The summary as messages within Telegram's size; a client's lines stay together."""
    messages: list[str] = []
    current, separator = _head(summary), "\n\n"
    for block in _blocks(summary):
        if len(current) + len(separator) + len(block) > MESSAGE_LIMIT:
            messages.append(current)
            current = block
        else:
            current = f"{current}{separator}{block}"
        separator = "\n"
    messages.append(current)
    return [message[:MESSAGE_LIMIT] for message in messages]


def summary_chart_caption(summary: WeeklySummary) -> str:
    return SUMMARY_CHART_CAPTION.format(
        start=f"{summary.overview.week_start:%d %b}", end=f"{summary.overview.week_end:%d %b}"
    )


def summary_chart_keyboard(summary: WeeklySummary) -> InlineKeyboardMarkup:
    """A button per client (the first `CHART_BUTTONS`, attention first) for their own chart."""
    buttons = [
        (
            CLIENT_CHART_BUTTON.format(name=row.name[:CHART_BUTTON_NAME_CHARS]),
            ClientChart(row.client_id).pack(),
        )
        for row in summary.rows[:CHART_BUTTONS]
    ]
    return rows(buttons, per_row=2)
