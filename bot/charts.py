"""PNG charts drawn with matplotlib's Agg backend.

Drawing takes tens of milliseconds, so callers on the event loop run these functions with
`asyncio.to_thread` (STYLE.md: nothing blocks the loop). Each call builds and closes its own
Figure: no pyplot global state, safe from several threads.

Names and titles are the users' own words, drawn literally (`parse_math=False`): a name like
"$\\foo$" would otherwise be parsed as matplotlib mathtext and fail the whole chart.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.domain.triage import Need
from bot.services.summary import WeeklySummary

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# matplotlib (with numpy and Pillow, ~30 MB resident) is imported by the drawing functions
# themselves, on their first chart: a bot nobody asks for a chart never loads it.

_DPI = 100
# Drawn for a character the chart's font has no glyph for (most emoji in DejaVu Sans): the
# box matplotlib would draw anyway, without its "Glyph missing" warning naming the character.
_MISSING_GLYPH = "\u25a1"
# LEFT-TO-RIGHT MARK: the labels around a name are English, so a title that starts with a
# Hebrew or Arabic name must still read left to right ("<name>: daily pain"); without it the
# Unicode bidi rules make the whole title right-to-left and move ": daily pain" to the left.
_LEFT_TO_RIGHT = "\u200e"


def _literal(text: str) -> str:
    """User text as the chart draws it: glyphs the font lacks become a box (invisible format
    and combining characters, such as an emoji's variation selector, are dropped), and text
    with right-to-left script in it is laid out in a left-to-right line."""
    from matplotlib import font_manager

    charmap = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    covered = charmap.get_charmap()
    drawn = []
    for char in text:
        if ord(char) in covered:
            drawn.append(char)
        elif unicodedata.category(char)[0] not in "CM":
            drawn.append(_MISSING_GLYPH)
    right_to_left = any(unicodedata.bidirectional(char) in ("R", "AL") for char in drawn)
    return (_LEFT_TO_RIGHT if right_to_left else "") + "".join(drawn)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    return buffer.getvalue()


# Risk colours, one per triage need (bot.domain.triage.Need), shared by every therapist chart.
NEED_COLOURS: dict[Need, str] = {
    Need.URGENT: "#7b1010",
    Need.OPEN_ALERT: "#c0392b",
    Need.WORSENING: "#e67e22",
    Need.ADHERENCE_FALLING: "#d4ac0d",
    Need.SILENT: "#8e44ad",
    Need.UNREACHABLE: "#616a6b",
    Need.AWAITING_PRESCRIPTION: "#2e86c1",
    Need.NONE: "#27ae60",
}
NEED_LABELS: dict[Need, str] = {
    Need.URGENT: "red flag",
    Need.OPEN_ALERT: "open alert",
    Need.WORSENING: "pain worsening",
    Need.ADHERENCE_FALLING: "adherence falling",
    Need.SILENT: "silent",
    Need.UNREACHABLE: "blocked the bot",
    Need.AWAITING_PRESCRIPTION: "awaiting prescription",
    Need.NONE: "nothing to flag",
}
# The overview shows everyone needing attention and then others up to this many rows: a taller
# image is shrunk by Telegram until the names cannot be read on a phone.
OVERVIEW_MAX_ROWS = 40
CHANGE_WORSE = "#922b21"
CHANGE_BETTER = "#7f8c8d"
# The leg-pain change axis spans at least ±3 points, so a 0.1 change is not drawn full width.
CHANGE_AXIS_MIN = 3.0
NAME_CHARS = 22


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def summary_overview_png(summary: WeeklySummary) -> bytes:
    """One row per client, most in need first (`bot.domain.triage` order), coloured by risk:
    adherence last week, and — when any client has two weeks of check-ins — the change in
    mean leg pain on the week before. Clients with nothing prescribed say so instead of 0 %."""
    rows = list(summary.rows)
    attention = sum(1 for row in rows if row.needs_attention)
    shown = rows[: max(OVERVIEW_MAX_ROWS, attention)]
    hidden = len(rows) - len(shown)
    changes = [row.leg_pain_change for row in shown]
    with_change = any(change is not None for change in changes)
    height = max(3.2, 0.32 * len(shown) + 1.8)
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=(10 if with_change else 7, height))
    if with_change:
        left, right = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3, 2]})
    else:
        left, right = figure.subplots(), None
    positions = list(range(len(shown)))
    colours = [NEED_COLOURS[row.triage.need] for row in shown]
    adherence = [row.adherence_pct if row.adherence_pct is not None else 0.0 for row in shown]
    left.barh(positions, adherence, color=colours, height=0.7)
    for y, row in zip(positions, shown, strict=True):
        if row.adherence_pct is None:
            left.text(2, y, "nothing prescribed", va="center", fontsize=8, color="#555555")
        else:
            left.text(
                min(row.adherence_pct + 2, 88),
                y,
                f"{row.adherence_pct:.0f} %",
                va="center",
                fontsize=8,
            )
    left.set_xlim(0, 100)
    left.axvline(50, color="grey", linestyle=":", linewidth=1)
    left.set_yticks(
        positions, labels=[_literal(_short(row.name)) for row in shown], parse_math=False
    )
    for label, colour in zip(left.get_yticklabels(), colours, strict=True):
        label.set_color(colour)
    left.set_ylim(len(shown) - 0.5, -0.5)
    left.set_xlabel("Adherence last week (% of exercise slots done)")
    if right is not None:
        values = [change if change is not None else 0.0 for change in changes]
        span = max([CHANGE_AXIS_MIN, *(abs(v) + 1.0 for v in values)])
        right.barh(
            positions,
            values,
            # Not the risk colours: this panel says "worse" or "better", not who needs whom.
            color=[CHANGE_WORSE if v > 0 else CHANGE_BETTER for v in values],
            height=0.7,
        )
        for y, change in zip(positions, changes, strict=True):
            label = "–" if change is None else f"{change:+.1f}"
            x = 0.15 if change is None or change <= 0 else change + 0.15
            right.text(x, y, label, va="center", fontsize=8, color="#555555")
        right.axvline(0, color="black", linewidth=0.8)
        right.set_xlim(-span, span)
        right.set_xlabel("Leg pain vs week before (points, + = worse)")
    present = list(dict.fromkeys(row.triage.need for row in shown))
    handles = [Patch(color=NEED_COLOURS[need], label=NEED_LABELS[need]) for need in present]
    figure.legend(
        handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=8, frameon=False
    )
    title = (
        f"Week {summary.overview.week_start:%a} {summary.overview.week_start.day} "
        f"{summary.overview.week_start:%b} – {summary.overview.week_end:%a} "
        f"{summary.overview.week_end.day} {summary.overview.week_end:%b}: most in need first"
    )
    if hidden:
        title += f"\n(+{hidden} more clients with nothing to flag: see /clients)"
    figure.suptitle(title, parse_math=False)
    # Fixed margins (the names' room on the left): a layout engine costs a second at 40 rows,
    # and savefig's tight bounding box trims what is left over anyway.
    bottom = 1.1 / height
    top = 1 - (0.9 if hidden else 0.6) / height
    figure.subplots_adjust(left=0.2, right=0.97, top=top, bottom=bottom, wspace=0.08)
    return _png(figure)


@dataclass(frozen=True)
class PainChartData:
    """What the therapist's pain chart of one client draws (all local dates)."""

    title: str
    first_day: date
    last_day: date
    # (day, leg, back); days without a check-in are simply absent and drawn as gaps.
    entries: Sequence[tuple[date, int, int]]
    # The client's usual leg pain (the alert rule's baseline), drawn as a dashed line.
    leg_baseline: float | None = None
    # (day, short label) of each alert raised in the period.
    alerts: Sequence[tuple[date, str]] = ()
    # (Monday, adherence % or None, label) per week, labelled on the bars.
    weeks: Sequence[tuple[date, float | None, str]] = ()


def _series(data: PainChartData, pick: int) -> tuple[list[date], list[float]]:
    """Every day of the period, NaN where there is no check-in: matplotlib breaks the line
    there, so a missed day is a gap, never bridged."""
    by_day = {day: (leg, back) for day, leg, back in data.entries}
    days = [
        data.first_day + timedelta(days=i) for i in range((data.last_day - data.first_day).days + 1)
    ]
    values = [float(by_day[d][pick - 1]) if d in by_day else math.nan for d in days]
    return days, values


def pain_chart_png(data: PainChartData) -> bytes:
    """Daily leg and back pain (0–10) with gaps for missed days, the client's usual leg pain,
    alert markers, and weekly adherence bars labelled with their percentage below."""
    from matplotlib.dates import MO, DateFormatter, WeekdayLocator
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.5, 5.2))
    pain_axes, adherence_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}
    )
    days, leg = _series(data, 1)
    _, back = _series(data, 2)
    x: Any = days
    if data.entries:
        pain_axes.plot(x, leg, marker="o", markersize=4, label="Leg pain", color="#c0392b")
        pain_axes.plot(x, back, marker="s", markersize=3, label="Back pain", color="#2980b9")
    else:
        pain_axes.text(
            0.5,
            0.5,
            "No check-ins in these 4 weeks",
            ha="center",
            va="center",
            transform=pain_axes.transAxes,
        )
    if data.leg_baseline is not None:
        pain_axes.axhline(
            data.leg_baseline,
            color="#c0392b",
            linestyle="--",
            linewidth=1,
            alpha=0.7,
            label=f"Usual leg pain ({data.leg_baseline:.1f})",
        )
    middle = data.first_day + (data.last_day - data.first_day) / 2
    for index, (day, label) in enumerate(data.alerts):
        when: Any = day
        pain_axes.axvline(when, color="#7b1010", linestyle=":", linewidth=1.2)
        # Labels of late alerts run leftwards so they stay inside the chart.
        pain_axes.annotate(
            f"⚑ {label}",
            xy=(when, 10.4 - 0.8 * (index % 3)),
            fontsize=7,
            color="#7b1010",
            ha="right" if day > middle else "left",
        )
    pain_axes.set_ylim(0, 11)
    pain_axes.set_ylabel("Pain (0–10)")
    pain_axes.set_title(_literal(data.title), parse_math=False)
    pain_axes.grid(alpha=0.3)
    if data.entries or data.leg_baseline is not None:
        pain_axes.legend(loc="upper left", fontsize=8)
    shown = [(start, pct, label) for start, pct, label in data.weeks if pct is not None]
    bar_x: Any = [start + timedelta(days=3) for start, _, _ in shown]
    bars = adherence_axes.bar(bar_x, [pct for _, pct, _ in shown], width=5, color="#27ae60")
    for bar, (_, pct, label) in zip(bars, shown, strict=True):
        adherence_axes.annotate(
            f"{pct:.0f} %{label}",
            xy=(bar.get_x() + bar.get_width() / 2, pct + 4),
            ha="center",
            fontsize=8,
        )
    for start, maybe, label in data.weeks:
        if maybe is None and data.first_day <= start + timedelta(days=3) <= data.last_day:
            mid: Any = start + timedelta(days=3)
            text = "nothing due yet" if label else "nothing prescribed"
            adherence_axes.annotate(text, xy=(mid, 8), ha="center", fontsize=7, color="#555555")
    adherence_axes.set_ylim(0, 130)
    adherence_axes.set_yticks([0, 50, 100])
    adherence_axes.set_ylabel("Exercises\ndone (%)")
    adherence_axes.grid(alpha=0.3, axis="y")
    if not data.weeks:
        adherence_axes.text(
            0.5,
            0.5,
            "No exercises prescribed in these weeks",
            ha="center",
            va="center",
            transform=adherence_axes.transAxes,
        )
    first: Any = data.first_day - timedelta(days=0.5)
    last: Any = data.last_day + timedelta(days=0.5)
    adherence_axes.set_xlim(first, last)
    # A tick every Monday: weeks are what adherence is counted in.
    adherence_axes.xaxis.set_major_locator(WeekdayLocator(byweekday=MO))  # type: ignore[no-untyped-call]
    adherence_axes.xaxis.set_major_formatter(DateFormatter("%a %-d %b"))  # type: ignore[no-untyped-call]
    figure.autofmt_xdate()
    return _png(figure)


# The progress chart's x axis is plain day numbers (labelled by the caller's date style), so no
# matplotlib date converter or locale decides how a date looks.
_DAY_ZERO = date(1970, 1, 1)


def _day_number(day: date) -> float:
    return float((day - _DAY_ZERO).days)


def _day_of(value: float) -> date:
    return _DAY_ZERO + timedelta(days=round(value))


def progress_chart_png(
    days: Sequence[date],
    leg: Sequence[int],
    back: Sequence[int],
    weeks: Sequence[date],
    adherence_pct: Sequence[float | None],
    *,
    title: str,
    start: date,
    end: date,
    date_label: Callable[[date], str],
) -> bytes:
    """A client's progress from `start` to `end`: daily leg/back pain (0–10) above each week's
    adherence (%), every bar labelled with its figure.

    One point per calendar day: a day without a check-in is a gap in the line, never bridged
    (a line from Monday to Wednesday would invent Tuesday). Dates are drawn with `date_label`,
    the style the caption uses, and left upright.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    figure = Figure(figsize=(8, 5.5))
    pain_axes, adherence_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    calendar = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    scores = {
        day: (l_score, b_score) for day, l_score, b_score in zip(days, leg, back, strict=True)
    }
    x = [_day_number(day) for day in calendar]
    leg_series = [scores[d][0] if d in scores else math.nan for d in calendar]
    back_series = [scores[d][1] if d in scores else math.nan for d in calendar]
    pain_axes.plot(x, leg_series, marker="o", label="Leg pain", color="#c0392b")
    pain_axes.plot(x, back_series, marker="s", label="Back pain", color="#2980b9")
    pain_axes.set_ylim(0, 10.5)
    pain_axes.set_ylabel("Pain (0–10)")
    pain_axes.legend(loc="upper left")
    pain_axes.grid(alpha=0.3)
    pain_axes.set_title(_literal(title), parse_math=False)
    # Each week's bar spans that week's days within the chart; weeks with nothing prescribed
    # are left blank, not drawn as 0 %.
    shown = [
        (monday, pct) for monday, pct in zip(weeks, adherence_pct, strict=True) if pct is not None
    ]
    for monday, pct in shown:
        first, last = max(monday, start), min(monday + timedelta(days=6), end)
        left, width = _day_number(first) - 0.4, (last - first).days + 0.8
        adherence_axes.bar(left, pct, width=width, align="edge", color="#27ae60")
        # Inside the top of a tall bar (white), above a short one: never over the frame.
        inside = pct > 85
        adherence_axes.text(
            left + width / 2,
            pct - 3 if inside else pct + 3,
            f"{pct:.0f} %",
            ha="center",
            va="top" if inside else "bottom",
            color="white" if inside else "black",
        )
    adherence_axes.set_ylim(0, 100)
    adherence_axes.set_ylabel("Exercises done\n(% each week)")
    adherence_axes.grid(alpha=0.3, axis="y")
    if not shown:
        adherence_axes.text(
            0.5,
            0.5,
            "No exercise reminders yet",
            ha="center",
            va="center",
            transform=adherence_axes.transAxes,
        )
    step = 1 if len(calendar) <= 8 else 2 if len(calendar) <= 15 else 7
    ticks = x[::step] if step < 7 else [_day_number(m) for m in weeks if m >= start]
    adherence_axes.set_xticks(ticks)
    # After the ticks: setting ticks widens the view to hold them.
    adherence_axes.set_xlim(x[0] - 0.6, x[-1] + 0.6)
    adherence_axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: date_label(_day_of(value)))
    )
    return _png(figure)
