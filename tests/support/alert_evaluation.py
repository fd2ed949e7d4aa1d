"""Scores what the bot told the therapist about the seeded diaries of `tests.support.diaries`.

`score(diaries, alerts)` turns the alerts raised (by `alerts replay`, or any function that
gives the same `RaisedAlert`s) into one row per scenario; `checks(rows)` holds them against
the targets; `markdown(...)` prints the tables docs/alerts.md shows.

Definitions (docs/alerts.md repeats them):

* rates are per client-month (30.44 days) over each client's 12 weeks: worsening alerts
  (leg or back), pain alerts of all kinds (worsening or severe leg pain), inactivity alerts;
* a true rise's *onset* is the first day its noise-free course stands the MCID above the level
  before it (the day a step happens; day L of an L-day ramp of exactly the MCID): before that
  there is nothing clinically important to find. It is *caught* when an alert about it
  (worsening of that region, or severe leg pain for a leg rise) is raised on a local day from
  the start of the rise to 7 days after onset; the delay is the days from onset to that first
  alert (0 for an alert before onset);
* one bad day: the share of those clients with a worsening alert raised on the bad day or the
  4 days after it, against the share expected from the stable clients' background rate over
  the same 5 days.
"""

from __future__ import annotations

import asyncio
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.domain.alerts import (
    AlertCandidate,
    AlertKind,
    PreviousAlert,
    Sensitivity,
    inactivity_alert_for,
    pain_trend_alerts,
    should_raise,
)
from bot.domain.pain import DailyPain
from bot.services.alert_replay import read_diary, replay
from tests.support.diaries import (
    DAYS,
    QUIET_SCENARIOS,
    RISE_SCENARIOS,
    Diary,
    Scenario,
    write_csv,
)

DAYS_PER_MONTH = 365.25 / 12
DETECTION_DAYS = 7
BAD_DAY_WINDOW = 5  # the bad day and the 4 days after it

WORSENING = frozenset({"worsening_leg", "worsening_back"})
PAIN = WORSENING | {"severe_leg_pain"}


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    client: str
    kind: str
    raised_at: datetime  # aware

    def local_day(self, diary: Diary) -> date:
        return self.raised_at.astimezone(diary.checkins[0].at.tzinfo).date()


@dataclass(frozen=True, slots=True)
class Row:
    scenario: Scenario
    clients: int
    worsening_per_month: float
    pain_per_month: float
    inactivity_per_month: float
    caught: float | None = None  # share of true rises caught within 7 days
    median_delay: float | None = None  # days, among those caught
    bad_day_share: float | None = None  # one bad day: share alerted in the 5 days


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    value: float
    bar: float
    at_most: bool  # True: value ≤ bar passes; False: value ≥ bar passes
    error: float = 0.0  # standard error of `value` at this cohort size

    @property
    def passed(self) -> bool:
        return self.value <= self.bar + 1e-12 if self.at_most else self.value >= self.bar - 1e-12

    def within(self, errors: float) -> bool:
        """Passed, or missed by less than `errors` standard errors (chance, at a small n)."""
        slack = errors * self.error + 1e-12
        return self.value <= self.bar + slack if self.at_most else self.value >= self.bar - slack

    def __str__(self) -> str:
        sign = "≤" if self.at_most else "≥"
        verdict = "ok" if self.passed else "MISSED"
        return f"{self.name}: {self.value:.3f} {sign} {self.bar:.3f} {verdict}"


def _caught(diary: Diary, alerts: Sequence[RaisedAlert]) -> int | None:
    """Days from onset to the first alert about the rise, if within `DETECTION_DAYS`."""
    assert diary.onset is not None and diary.rise_start is not None
    kinds = {f"worsening_{diary.rise_region}"}
    if diary.rise_region == "leg":
        kinds.add("severe_leg_pain")
    last = diary.onset + timedelta(days=DETECTION_DAYS)
    delays = [
        max(0, (a.local_day(diary) - diary.onset).days)
        for a in alerts
        if a.kind in kinds and diary.rise_start <= a.local_day(diary) <= last
    ]
    return min(delays, default=None)


def _bad_day_alerted(diary: Diary, alerts: Sequence[RaisedAlert]) -> bool:
    assert diary.bad_day is not None
    last = diary.bad_day + timedelta(days=BAD_DAY_WINDOW - 1)
    return any(a.kind in WORSENING and diary.bad_day <= a.local_day(diary) <= last for a in alerts)


def score(diaries: Sequence[Diary], alerts: Iterable[RaisedAlert]) -> list[Row]:
    """One row per scenario; alerts after a client's diary has ended are not counted."""
    cutoff = {d.client: diary_cutoff(d) for d in diaries}
    by_client: dict[str, list[RaisedAlert]] = defaultdict(list)
    for alert in alerts:
        if alert.raised_at <= cutoff[alert.client]:
            by_client[alert.client].append(alert)
    groups: dict[Scenario, list[Diary]] = defaultdict(list)
    for diary in diaries:
        groups[diary.scenario].append(diary)
    rows: list[Row] = []
    for scenario, members in groups.items():
        months = len(members) * DAYS / DAYS_PER_MONTH

        def rate(
            kinds: frozenset[str], members: list[Diary] = members, months: float = months
        ) -> float:
            return (
                sum(1 for d in members for a in by_client.get(d.client, []) if a.kind in kinds)
                / months
            )

        caught = delay = bad = None
        if scenario in RISE_SCENARIOS:
            delays = [_caught(d, by_client.get(d.client, [])) for d in members]
            found = [x for x in delays if x is not None]
            caught = len(found) / len(members)
            delay = statistics.median(found) if found else math.inf
        if scenario is Scenario.ONE_BAD_DAY:
            bad = sum(_bad_day_alerted(d, by_client.get(d.client, [])) for d in members) / len(
                members
            )
        rows.append(
            Row(
                scenario=scenario,
                clients=len(members),
                worsening_per_month=rate(WORSENING),
                pain_per_month=rate(PAIN),
                inactivity_per_month=rate(frozenset({"inactivity"})),
                caught=caught,
                median_delay=delay,
                bad_day_share=bad,
            )
        )
    order = {s: i for i, s in enumerate(Scenario)}
    return sorted(rows, key=lambda r: order[r.scenario])


# Issue targets for the balanced setting; strict and sensitive have their own (`checks`).
CATCH_TARGETS = {
    Scenario.RISE_MCID_PLUS_1: 0.80,
    Scenario.RISE_PLUS_3: 0.80,
    Scenario.RISE_HIGH_6_TO_8: 0.80,
    Scenario.RISE_BACK_ONLY: 0.75,
    Scenario.RISE_MISSING_30: 0.75,
    Scenario.RISE_EVERY_2_3: 0.70,
    Scenario.RELAPSE: 0.70,
    Scenario.RISE_MCID: 0.50,
    Scenario.RISE_LOW_1_TO_3: 0.35,
}
THREE_POINT_RISES = (Scenario.RISE_MCID_PLUS_1, Scenario.RISE_PLUS_3)


def bad_day_bar(rows: Sequence[Row]) -> float:
    """2 × the chance a stable client gets a worsening alert in any 5 days, + 0.05."""
    stable = next(r for r in rows if r.scenario is Scenario.STABLE)
    per_day = stable.worsening_per_month / DAYS_PER_MONTH
    background = 1 - math.exp(-per_day * BAD_DAY_WINDOW)
    return 2 * background + 0.05


def _rate_error(rate: float, row: Row) -> float:
    """Poisson standard error of a per-client-month rate."""
    months = row.clients * DAYS / DAYS_PER_MONTH
    return math.sqrt(max(rate, 1 / months) / months)


def _share_error(share: float, clients: int) -> float:
    return math.sqrt(max(share * (1 - share), 0.25 / clients) / clients)


def checks(rows: Sequence[Row]) -> list[Check]:
    """The balanced setting's targets, each with its standard error at this cohort size."""
    found: list[Check] = []
    for row in rows:
        name = row.scenario.value
        if row.scenario in QUIET_SCENARIOS:
            for label, value, bar in (
                ("worsening / client-month", row.worsening_per_month, 0.25),
                ("pain alerts / client-month", row.pain_per_month, 0.5),
            ):
                found.append(Check(f"{name}: {label}", value, bar, True, _rate_error(bar, row)))
        if row.scenario is Scenario.STABLE_EVERY_2_3:
            value = row.inactivity_per_month
            found.append(
                Check(f"{name}: inactivity / client-month", value, 0.1, True, _rate_error(0.1, row))
            )
        if row.scenario is Scenario.ONE_BAD_DAY and row.bad_day_share is not None:
            bar = bad_day_bar(rows)
            found.append(
                Check(
                    f"{name}: share alerted",
                    row.bad_day_share,
                    bar,
                    True,
                    _share_error(bar, row.clients),
                )
            )
        if row.caught is not None and row.median_delay is not None:
            bar = CATCH_TARGETS[row.scenario]
            found.append(
                Check(
                    f"{name}: caught in 7 days",
                    row.caught,
                    bar,
                    False,
                    _share_error(bar, row.clients),
                )
            )
            # The median of whole days moves by a day with a handful of clients.
            found.append(Check(f"{name}: median delay", row.median_delay, 4, True, 0.5))
    return found


def quiet_worsening_rate(rows: Sequence[Row]) -> float:
    """Worsening alerts per client-month over all the quiet scenarios together."""
    quiet = [r for r in rows if r.scenario in QUIET_SCENARIOS]
    return sum(r.worsening_per_month * r.clients for r in quiet) / sum(r.clients for r in quiet)


def three_point_catch(rows: Sequence[Row]) -> float:
    rises = [r for r in rows if r.scenario in THREE_POINT_RISES]
    return sum((r.caught or 0) * r.clients for r in rises) / sum(r.clients for r in rises)


def _cell(value: float | None, fmt: str) -> str:
    if value is None:
        return ""
    if math.isinf(value):
        return "—"
    return format(value, fmt)


def markdown(rows: Sequence[Row]) -> str:
    lines = [
        "| scenario | clients | worsening / client-month | pain alerts / client-month "
        "| inactivity / client-month | caught in 7 days | median delay (days) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        caught = r.caught if r.caught is not None else r.bad_day_share
        caught_cell = (
            _cell(caught, ".0%")
            if r.caught is not None
            else (f"alerted {_cell(r.bad_day_share, '.1%')}" if r.bad_day_share is not None else "")
        )
        lines.append(
            f"| {r.scenario.value} | {r.clients} | {r.worsening_per_month:.3f} "
            f"| {r.pain_per_month:.3f} | {r.inactivity_per_month:.3f} | {caught_cell} "
            f"| {_cell(r.median_delay, '.1f')} |"
        )
    return "\n".join(lines)


def replay_diaries(
    diaries: Sequence[Diary], sensitivity: Sensitivity, workdir: Path
) -> list[RaisedAlert]:
    """What `python -m bot alerts replay` says about the diaries: they are written as its
    DIARY.csv, read back by its parser and replayed by the function it calls, through the
    check-in service and the day-end passes, in a fresh SQLite database."""
    path = workdir / f"diary-{sensitivity.value}.csv"
    write_csv(diaries, path)
    alerts = asyncio.run(replay(read_diary(path), sensitivity=sensitivity, workdir=workdir))
    ends = {d.client: diary_cutoff(d) for d in diaries}
    return [
        RaisedAlert(a.client, a.kind.value, a.raised_at)
        for a in alerts
        if a.raised_at <= ends[a.client]
    ]


def diary_cutoff(diary: Diary) -> datetime:
    """The replay runs every client to the cohort's last day: a client's diary ends with the
    day-end pass that judges their last day (just after their local midnight)."""
    zone = diary.checkins[0].at.tzinfo
    midnight = datetime.combine(diary.end + timedelta(days=1), time(0), tzinfo=zone)
    return midnight + timedelta(hours=1)


def judge_like_production(diaries: Iterable[Diary], sensitivity: Sensitivity) -> list[RaisedAlert]:
    """The rules driven with production's timing, without the database: each check-in's pain
    is judged at its instant; each local day's silence once it has ended (local midnight);
    every candidate goes through the episode rule, nobody acknowledges. The same alerts as
    `replay_diaries` (tests/unit/test_alert_evaluation_cohort.py checks it) at a fraction of
    the cost, for exploring settings."""
    raised: list[RaisedAlert] = []
    for diary in diaries:
        zone = diary.checkins[0].at.tzinfo
        assert zone is not None
        by_day = {c.at.date(): c for c in diary.checkins}
        history: dict[date, DailyPain] = {}
        latest: dict[AlertKind, PreviousAlert] = {}

        def offer(
            candidates: Iterable[AlertCandidate],
            now: datetime,
            latest: dict[AlertKind, PreviousAlert] = latest,
            client: str = diary.client,
        ) -> None:
            for candidate in candidates:
                previous = latest.get(candidate.kind)
                if should_raise(candidate, previous, now):
                    latest[candidate.kind] = PreviousAlert(
                        candidate.kind, candidate.severity, now, None, candidate.episode_key
                    )
                    raised.append(RaisedAlert(client, candidate.kind.value, now))

        for offset in range(DAYS + 1):
            day = diary.start + timedelta(days=offset)
            checkin = by_day.get(day)
            if checkin is not None:
                history[day] = DailyPain(day, checkin.leg, checkin.back)
                offer(
                    pain_trend_alerts(history, judged_day=day, sensitivity=sensitivity),
                    # In UTC: two instants in the same zone subtract as wall-clock times, which
                    # is an hour off across a DST change (the episode rule's 72 h).
                    checkin.at.astimezone(UTC),
                )
            midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            silence = inactivity_alert_for(history.keys(), judged_day=day, enrolled_on=diary.start)
            offer([silence] if silence else [], midnight.astimezone(UTC))
    return raised


# The tuning cohort's seed, and a held-out seed never used while choosing the settings.
TUNING_SEED = 1
HELD_OUT_SEED = 20260329


def report(
    seed: int,
    clients_per_scenario: int,
    settings: Sequence[Sensitivity],
    *,
    through_replay: bool = False,
) -> str:
    """The tables docs/alerts.md shows, one per setting."""
    import tempfile

    from tests.support.diaries import cohort

    diaries = cohort(seed, clients_per_scenario)
    how = "`alerts replay`" if through_replay else "the production-timing loop"
    parts = [
        f"Seed {seed}, {clients_per_scenario} clients per scenario, 12 weeks each, through {how}.\n"
    ]
    for sensitivity in settings:
        if through_replay:
            with tempfile.TemporaryDirectory() as folder:
                alerts = replay_diaries(diaries, sensitivity, Path(folder))
        else:
            alerts = judge_like_production(diaries, sensitivity)
        rows = score(diaries, alerts)
        found = checks(rows)
        parts.append(f"### `{sensitivity.value}`\n")
        parts.append(markdown(rows))
        parts.append(
            f"\nWorsening alerts per quiet client-month: {quiet_worsening_rate(rows):.3f}; "
            f"rises of ≥ 3 points caught in 7 days: {three_point_catch(rows):.0%}; "
            f"one bad day bar: {bad_day_bar(rows):.3f}; "
            f"balanced targets met: {sum(c.passed for c in found)} of {len(found)}"
        )
        missed = [str(c) for c in found if not c.passed]
        if missed:
            parts.append("Targets missed: " + "; ".join(missed))
        parts.append("")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Evaluate the alert rules on seeded diaries.")
    parser.add_argument("--seed", type=int, default=HELD_OUT_SEED)
    parser.add_argument("--n", type=int, default=150, help="clients per scenario")
    parser.add_argument("--sensitivity", choices=[s.value for s in Sensitivity], action="append")
    parser.add_argument(
        "--replay", action="store_true", help="through alerts replay (slower, same alerts)"
    )
    args = parser.parse_args(argv)
    chosen = [Sensitivity(s) for s in args.sensitivity] if args.sensitivity else list(Sensitivity)
    print(report(args.seed, args.n, chosen, through_replay=args.replay))  # noqa: T201


if __name__ == "__main__":
    main()
