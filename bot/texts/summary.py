"""The therapist's weekly summary as messages: text, the overview chart's caption and buttons.

The same messages go out for `/summary`, the Monday 08:00 push and `python -m bot summary`;
the chart itself is drawn by bot.charts. Clients needing attention are shown in full (why,
their week, skip reasons, alerts), those awaiting a prescription by name, everyone else one
short line each — in `bot.domain.triage` order, the order /clients uses.
"""

from __future__ import annotations

from bot.buttons.therapist import ClientChart, PrescribeClient
from bot.domain.summary import SummaryRow
from bot.keyboards import Keyboard, rows
from bot.services.summary import WeeklySummary
from bot.texts import triage as tt
from bot.texts.dates import day_range
from bot.texts.limits import CAPTION_LIMIT, MESSAGE_TEXT_LIMIT, button_label, fits, trim

SUMMARY_EMPTY = "No clients yet. Invite one with /invite <name>."
SUMMARY_TITLE = "Weekly summary {week}"
SECTION_ATTENTION = "⚠️ Needs attention ({count}) — most urgent first"
SECTION_AWAITING = "💊 Awaiting a prescription ({count}) — tap 💊 under the chart to prescribe:"
SECTION_REST = "Everyone else ({count}): adherence · leg pain this week"
NOTHING_FLAGGED = "Nobody needs attention this week."
SUMMARY_CHART_CAPTION = (
    "{week}: adherence and leg-pain change per client, most in need first. "
    "Tap a name for their daily pain chart."
)
CLIENT_CHART_BUTTON = "📈 {name}"
PRESCRIBE_BUTTON = "💊 {name}"
# Chart buttons under the overview: everyone needing attention first, then the others, up to
# this many (a keyboard of 12 rows of two stays usable on a phone) — but never fewer than the
# clients needing attention, up to `MAX_ATTENTION_BUTTONS`.
CHART_BUTTONS = 24
MAX_ATTENTION_BUTTONS = 40
PRESCRIBE_BUTTONS = 6
CHART_BUTTON_NAME_CHARS = 22
# Everyone else is listed one line each up to this many; past it the summary says how many
# more there are and /clients (paged) lists them — a 200-client week stays two messages.
REST_LISTED = 40
REST_MORE = "…and {count} more with nothing to flag: /clients lists everyone."


def _signed(value: float | int | None, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:+.1f}{unit}"
    return f"{value:+d}{unit}"


def _adherence(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def _adherence_part(row: SummaryRow) -> str:
    if row.adherence_pct is None:
        return "adherence – (nothing prescribed)"
    if row.adherence_change is None:
        return f"adherence {_adherence(row.adherence_pct)}"
    return f"adherence {_adherence(row.adherence_pct)} ({row.adherence_change:+.0f} pts)"


def _pain_part(region: str, mean: float | None, change: float | None, arrow: str | None) -> str:
    if mean is None:
        return f"{region} pain –"
    if change is None:
        return f"{region} pain {mean:.1f}/10"
    shown = f" {arrow}" if arrow else ""
    return f"{region} pain {mean:.1f}/10{shown} ({_signed(change)})"


def summary_line(row: SummaryRow) -> str:
    """A client needing attention, in full: why, their week, skip reasons, alerts."""
    head = f"{tt.mark(row.triage)} {row.name} — {tt.reasons_text(row.triage)}"
    sbi = "–" if row.sbi is None else f"{row.sbi}/24"
    if row.sbi is not None and row.sbi_change is not None:
        sbi += f" ({_signed(row.sbi_change)})"
    leg = _pain_part("leg", row.leg_pain, row.leg_pain_change, row.leg_pain_trend)
    back = _pain_part("back", row.back_pain, row.back_pain_change, None)
    parts = [head, f"  {_adherence_part(row)} · {leg} · {back} · SBI {sbi}"]
    if row.skip_reasons:
        parts.append(f"  skipped: {tt.skip_reasons_text(row.skip_reasons)}")
    if row.alert_kinds:
        kinds = ", ".join(tt.alert_name(kind) for kind in dict.fromkeys(row.alert_kinds))
        parts.append(f"  alerts this week: {kinds}")
    return "\n".join(parts)


def compact_line(row: SummaryRow) -> str:
    """Anyone not needing attention, on one line."""
    leg = "–" if row.leg_pain is None else f"{row.leg_pain:.1f}"
    arrow = f" {row.leg_pain_trend}" if row.leg_pain_trend else ""
    skipped = f" · skipped {tt.skip_reasons_text(row.skip_reasons)}" if row.skip_reasons else ""
    return f"{row.name} · {_adherence(row.adherence_pct)} · leg {leg}{arrow}{skipped}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _head(summary: WeeklySummary) -> str:
    overview = summary.overview
    need = overview.needing_attention
    parts = [
        _count(overview.clients, "client"),
        f"{need} need{'s' if need == 1 else ''} attention",
    ]
    if overview.awaiting_prescription:
        parts.append(f"{overview.awaiting_prescription} awaiting a prescription")
    parts.append(
        f"{_count(overview.open_alerts, 'open alert')} "
        f"({overview.alerts_this_week} raised this week)"
    )
    parts.append(f"mean adherence {_adherence(overview.mean_adherence_pct)}")
    title = SUMMARY_TITLE.format(week=day_range(overview.week_start, overview.week_end))
    return f"{title}\n" + " · ".join(parts)


def _blocks(summary: WeeklySummary) -> list[str]:
    """The summary's paragraphs after its heading; a client's lines are one block."""
    if not summary.rows:
        return [SUMMARY_EMPTY]
    attention = [r for r in summary.rows if r.needs_attention]
    awaiting = [r for r in summary.rows if not r.needs_attention and r.awaiting_prescription]
    rest = [r for r in summary.rows if not r.needs_attention and not r.awaiting_prescription]
    blocks: list[str] = []
    if attention:
        blocks.append("\n" + SECTION_ATTENTION.format(count=len(attention)))
        blocks += [summary_line(row) for row in attention]
    else:
        blocks.append("\n" + NOTHING_FLAGGED)
    if awaiting:
        blocks.append("\n" + SECTION_AWAITING.format(count=len(awaiting)))
        blocks += [f"{tt.PRESCRIBE_MARK} {compact_line(row)}" for row in awaiting]
    if rest:
        blocks.append("\n" + SECTION_REST.format(count=len(rest)))
        blocks += [compact_line(row) for row in rest[:REST_LISTED]]
        if len(rest) > REST_LISTED:
            blocks.append(REST_MORE.format(count=len(rest) - REST_LISTED))
    return blocks


def render_weekly_summary(summary: WeeklySummary) -> str:
    """The whole summary as one text (what `python -m bot summary` prints)."""
    return "\n".join([_head(summary), *_blocks(summary)])


def summary_texts(summary: WeeklySummary) -> list[str]:
    """The summary as messages within Telegram's size; a client's lines stay together and a
    section heading is never the last line of a message."""
    messages: list[str] = []
    current = _head(summary)
    blocks = _blocks(summary)
    for index, block in enumerate(blocks):
        candidate = f"{current}\n{block}"
        is_heading = block.startswith("\n")
        following = blocks[index + 1] if is_heading and index + 1 < len(blocks) else ""
        if not fits(candidate + ("\n" + following if following else ""), MESSAGE_TEXT_LIMIT):
            messages.append(current)
            current = block.lstrip("\n")
        else:
            current = candidate
    messages.append(current)
    return [trim(message, MESSAGE_TEXT_LIMIT) for message in messages]


def summary_chart_caption(summary: WeeklySummary) -> str:
    week = day_range(summary.overview.week_start, summary.overview.week_end)
    return trim(SUMMARY_CHART_CAPTION.format(week=week), CAPTION_LIMIT)


def _chart_rows(summary: WeeklySummary) -> tuple[SummaryRow, ...]:
    """Whose pain chart gets a button: everyone needing attention first, then the others."""
    attention = len(summary.needing_attention)
    limit = min(max(CHART_BUTTONS, attention), MAX_ATTENTION_BUTTONS)
    return summary.rows[:limit]


def summary_chart_keyboard(summary: WeeklySummary) -> Keyboard:
    """A pain-chart button per client (attention first) and a 💊 button for each client still
    awaiting a prescription."""
    buttons = [
        (
            button_label(CLIENT_CHART_BUTTON.format(name=row.name), CHART_BUTTON_NAME_CHARS),
            ClientChart(row.client_id).pack(),
        )
        for row in _chart_rows(summary)
    ]
    awaiting = [r for r in summary.rows if r.awaiting_prescription][:PRESCRIBE_BUTTONS]
    buttons += [
        (
            button_label(PRESCRIBE_BUTTON.format(name=row.name), CHART_BUTTON_NAME_CHARS),
            PrescribeClient(row.client_id).pack(),
        )
        for row in awaiting
    ]
    return rows(buttons, per_row=2)
