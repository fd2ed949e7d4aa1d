"""The therapist's charts (bot.charts): readable at 200 clients, never blank, the leg-pain change
panel there only when it has something to show."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

from matplotlib import image

from bot.charts import PainChartData, pain_chart_png, summary_overview_png
from bot.domain.summary import ClientWeek, summary_rows
from bot.domain.triage import Need, Triage
from bot.services.summary import SummaryOverview, WeeklySummary


def _pixels(png: bytes) -> Any:
    return image.imread(io.BytesIO(png), format="png")


def _non_blank(png: bytes) -> bool:
    rgb = _pixels(png)[..., :3]
    return bool(rgb.std() > 0.05 and (rgb.min(axis=-1) < 0.9).mean() > 0.02)


def _summary(count: int, *, changes: bool, adherence: bool = True) -> WeeklySummary:
    weeks = [
        ClientWeek(
            client_id=n,
            name=f"Client {n}",
            status="active",
            adherence_this_week=float(n % 100) if adherence else None,
            adherence_last_week=None,
            leg_pain_this_week=4.0 if changes else None,
            leg_pain_last_week=3.0 if changes else None,
        )
        for n in range(1, count + 1)
    ]
    ranked = [
        Triage(
            client_id=n,
            name=f"Client {n}",
            need=Need.WORSENING if n <= 3 else Need.NONE,
            needs=(Need.WORSENING,) if n <= 3 else (),
        )
        for n in range(1, count + 1)
    ]
    return WeeklySummary(
        therapist_telegram_id=1,
        generated_at=datetime(2026, 6, 8, 7, tzinfo=UTC),
        timezone="Europe/London",
        rows=summary_rows(weeks, ranked),
        overview=SummaryOverview(date(2026, 6, 1), date(2026, 6, 7), count, 3, 0, None, 0, 0),
    )


def test_the_leg_pain_panel_is_left_out_when_nobody_has_two_weeks_of_check_ins() -> None:
    with_panel = _pixels(summary_overview_png(_summary(5, changes=True)))
    without = _pixels(summary_overview_png(_summary(5, changes=False)))
    assert without.shape[1] < with_panel.shape[1] * 0.8


def test_the_first_mondays_overview_says_nothing_was_prescribed_rather_than_being_blank() -> None:
    assert _non_blank(summary_overview_png(_summary(3, changes=False, adherence=False)))


def test_200_clients_make_an_overview_telegram_accepts_and_a_phone_can_read() -> None:
    height, width = _pixels(summary_overview_png(_summary(200, changes=True))).shape[:2]
    # sendPhoto: width + height ≤ 10,000 and a ratio ≤ 20; 40 rows keep names legible.
    assert width + height <= 10_000 and height / width <= 20
    assert height < 1_700


def test_a_pain_chart_with_missed_days_alerts_and_no_exercises_is_drawn() -> None:
    last = date(2026, 6, 8)
    data = PainChartData(
        title="Wendy Worse: daily pain, last 4 weeks",
        first_day=last - timedelta(days=27),
        last_day=last,
        entries=[(last - timedelta(days=d), 3 if d > 4 else 7, 2) for d in range(0, 28, 3)],
        leg_baseline=3.0,
        alerts=[(last - timedelta(days=2), "leg pain worsening")],
        weeks=[
            (date(2026, 5, 25), None, ""),
            (date(2026, 6, 1), 71.4, ""),
            (last, None, " so far"),
        ],
    )
    assert _non_blank(pain_chart_png(data))
    empty = PainChartData(
        title="Nobody yet", first_day=last - timedelta(days=27), last_day=last, entries=[]
    )
    assert _non_blank(pain_chart_png(empty))
