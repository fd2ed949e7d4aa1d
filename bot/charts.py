"""PNG charts drawn with matplotlib's Agg backend.

Drawing takes tens of milliseconds, so callers on the event loop run these functions with
`asyncio.to_thread` (STYLE.md: nothing blocks the loop). Each call builds and closes its own
Figure: no pyplot global state, safe from several threads.

Names and titles are the users' own words, drawn literally (`parse_math=False`): a name like
"$\\foo$" would otherwise be parsed as matplotlib mathtext and fail the whole chart.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from matplotlib import font_manager
from matplotlib.figure import Figure

from bot.services.summary import WeeklySummary

_DPI = 100
# Drawn for a character the chart's font has no glyph for (most emoji in DejaVu Sans): the
# box matplotlib would draw anyway, without its "Glyph missing" warning naming the character.
_MISSING_GLYPH = "\u25a1"


def _literal(text: str) -> str:
    """User text as the chart draws it: glyphs the font lacks become a box (invisible format
    and combining characters, such as an emoji's variation selector, are dropped)."""
    charmap = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    covered = charmap.get_charmap()
    drawn = []
    for char in text:
        if ord(char) in covered:
            drawn.append(char)
        elif unicodedata.category(char)[0] not in "CM":
            drawn.append(_MISSING_GLYPH)
    return "".join(drawn)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, bbox_inches="tight")
    return buffer.getvalue()


def summary_overview_png(summary: WeeklySummary) -> bytes:
    """Two bar panels per client: adherence % this week and change in mean leg pain."""
    rows = summary.rows
    names = [row.name for row in rows] or ["(no clients)"]
    adherence = [row.adherence_pct or 0.0 for row in rows] or [0.0]
    change = [row.leg_pain_change or 0.0 for row in rows] or [0.0]
    height = max(3.0, 0.35 * len(names) + 1.5)
    figure = Figure(figsize=(9, height))
    left, right = figure.subplots(1, 2, sharey=True)
    positions = list(range(len(names)))
    left.barh(positions, adherence, color=["#c0392b" if a < 50 else "#27ae60" for a in adherence])
    left.set_xlim(0, 100)
    left.axvline(50, color="grey", linestyle=":", linewidth=1)
    left.set_yticks(positions, labels=[_literal(name) for name in names], parse_math=False)
    left.invert_yaxis()
    left.set_xlabel("Adherence this week (%)")
    right.barh(positions, change, color=["#c0392b" if c > 0 else "#2980b9" for c in change])
    right.axvline(0, color="black", linewidth=0.8)
    right.set_xlabel("Leg pain vs last week (points, + = worse)")
    figure.suptitle(
        f"Week {summary.overview.week_start:%d %b} – {summary.overview.week_end:%d %b}",
        parse_math=False,
    )
    return _png(figure)


def pain_chart_png(
    days: Sequence[date],
    leg: Sequence[int],
    back: Sequence[int],
    *,
    title: str,
) -> bytes:
    """Daily leg and back pain (0–10) as lines."""
    figure = Figure(figsize=(8, 3.5))
    axes = figure.subplots()
    if days:
        # matplotlib's stubs do not list dates, though it plots them natively.
        x: Any = list(days)
        axes.plot(x, list(leg), marker="o", label="Leg pain", color="#c0392b")
        axes.plot(x, list(back), marker="s", label="Back pain", color="#2980b9")
        axes.legend(loc="upper left")
    else:
        axes.text(0.5, 0.5, "No check-ins yet", ha="center", va="center")
    axes.set_ylim(0, 10.5)
    axes.set_ylabel("Pain (0–10)")
    axes.set_title(_literal(title), parse_math=False)
    axes.grid(alpha=0.3)
    figure.autofmt_xdate()
    return _png(figure)


def progress_chart_png(
    days: Sequence[date],
    leg: Sequence[int],
    back: Sequence[int],
    weeks: Sequence[date],
    adherence_pct: Sequence[float | None],
    *,
    title: str,
) -> bytes:
    """A client's progress: daily leg/back pain (0–10) above weekly adherence bars (%)."""
    figure = Figure(figsize=(8, 5.5))
    pain_axes, adherence_axes = figure.subplots(
        2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]}
    )
    x: Any = list(days)
    pain_axes.plot(x, list(leg), marker="o", label="Leg pain", color="#c0392b")
    pain_axes.plot(x, list(back), marker="s", label="Back pain", color="#2980b9")
    pain_axes.set_ylim(0, 10.5)
    pain_axes.set_ylabel("Pain (0–10)")
    pain_axes.legend(loc="upper left")
    pain_axes.grid(alpha=0.3)
    pain_axes.set_title(_literal(title), parse_math=False)
    # Bars centred mid-week; weeks with nothing prescribed are left blank, not drawn as 0 %.
    shown = [
        (start, pct) for start, pct in zip(weeks, adherence_pct, strict=True) if pct is not None
    ]
    bar_x: Any = [start + timedelta(days=3) for start, _ in shown]
    adherence_axes.bar(bar_x, [pct for _, pct in shown], width=5, color="#27ae60")
    adherence_axes.set_ylim(0, 100)
    adherence_axes.set_ylabel("Exercises done (%)")
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
    figure.autofmt_xdate()
    return _png(figure)
