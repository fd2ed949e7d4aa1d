"""Who needs the therapist first: one ranking of a therapist's clients, used by every view.

`/clients`, the weekly summary, its overview chart and the client card all call `triage`, so
they cannot disagree about who needs attention or in which order. Clients are ranked by need:

1. **urgent** — an open red-flag alert (cauda equina signs: DESIGN.md, never wait for a
   trend), or one reported in the last `RED_FLAG_STAYS_DAYS` days even once acknowledged;
2. **open alert** — any other alert the therapist has not acknowledged yet;
3. **worsening** — worse pain by the alert rules themselves (`alerts.pain_trend_alerts`
   on the latest check-in: a sustained rise over the client's usual level, or leg pain severe
   for them), or the week's mean pain up by the MCID on the week before, with no open alert:
   not alerted yet, or alerted and acknowledged while the condition lasts;
4. **adherence falling** — last week under 50 % of the prescription (DESIGN.md), or down by
   `ADHERENCE_DROP_POINTS` on the week before;
5. **silent** — no check-in and no exercise logged for longer than the client's usual
   cadence, never before 3 full days (`alerts.inactivity_alert_for`, the alert's own rule);
6. **unreachable** — the client blocked the bot (the therapist must reach them another way);

then clients **awaiting a prescription** (nothing to remind them of: the therapist must act,
but nothing is wrong), then everyone else. Acknowledging an alert moves it from "open" to
"seen"; the client stays flagged, one tier lower, for as long as the condition itself lasts.

Pure: the service gathers each client's facts (`ClientFacts`, local dates in the client's own
zone); nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from bot.domain.adherence import SlotOutcome, week_start_of, weekly_adherence
from bot.domain.alerts import (
    DEFAULT_SENSITIVITY,
    LOW_ADHERENCE_PCT,
    AlertKind,
    InactivityEvidence,
    Sensitivity,
    SevereLegPainEvidence,
    WorseningEvidence,
    inactivity_alert_for,
    pain_trend_alerts,
)
from bot.domain.pain import (
    ROLLING_WINDOW_DAYS,
    DailyPain,
    RegionComparison,
    comparison_with_last_week,
    is_clinically_important_rise,
)


class Need(StrEnum):
    """Why a client is placed where they are; the order is the ranking, most urgent first."""

    URGENT = "urgent"
    OPEN_ALERT = "open_alert"
    WORSENING = "worsening"
    ADHERENCE_FALLING = "adherence_falling"
    SILENT = "silent"
    UNREACHABLE = "unreachable"
    AWAITING_PRESCRIPTION = "awaiting_prescription"
    NONE = "none"


RANK: Final = {need: rank for rank, need in enumerate(Need)}
# Needs that put a client in the "needs attention" group (a ⚠️ in every view).
ATTENTION: Final = frozenset(
    {
        Need.URGENT,
        Need.OPEN_ALERT,
        Need.WORSENING,
        Need.ADHERENCE_FALLING,
        Need.SILENT,
        Need.UNREACHABLE,
    }
)

# A red flag is a possible emergency: its client stays at the top of every view for a week
# after the report, acknowledged or not, so a follow-up call is not forgotten.
RED_FLAG_STAYS_DAYS: Final = 7
# Acknowledged alerts older than this explain nothing on screen any more.
ALERT_MEMORY_DAYS: Final = 28
# Adherence "falling" besides under 50 %: a drop of this many percentage points on the week
# before (e.g. 100 % → 70 %), a change a therapist would ask about.
ADHERENCE_DROP_POINTS: Final = 25.0
# Order of open alerts inside the "open alert" tier: pain first, then the behavioural ones.
_ALERT_ORDER: Final = (
    AlertKind.SEVERE_LEG_PAIN,
    AlertKind.WORSENING_LEG,
    AlertKind.WORSENING_BACK,
    AlertKind.LOW_ADHERENCE,
    AlertKind.INACTIVITY,
)

ACTIVE: Final = "active"
PAUSED: Final = "paused"
BLOCKED: Final = "blocked"


@dataclass(frozen=True, slots=True)
class AlertFact:
    """One stored alert: its kind, when it was raised (as the client's local day), and whether
    the therapist has acknowledged it."""

    kind: str
    day: date
    open: bool


@dataclass(frozen=True, slots=True)
class ClientFacts:
    """Everything triage needs about one client, as plain data (local dates, client's zone).

    `pain` holds the recent entries (at least `alerts.HISTORY_DAYS`) and the first three
    ever; `slots` the exercise slots of the last two complete weeks and this one; `alerts`
    every open alert and those raised in the last `ALERT_MEMORY_DAYS` days.
    """

    client_id: int
    name: str
    status: str
    today: date
    enrolled_on: date
    has_prescription: bool
    pain: tuple[DailyPain, ...] = ()
    slots: tuple[SlotOutcome, ...] = ()
    last_checkin: date | None = None
    last_exercise: date | None = None
    alerts: tuple[AlertFact, ...] = ()


@dataclass(frozen=True, slots=True)
class Triage:
    """One client's place in the ranking and what the views say about it."""

    client_id: int
    name: str
    need: Need
    # Every need that applies, most urgent first (`need` is the first; AWAITING_PRESCRIPTION
    # is listed too when a flagged client has nothing prescribed).
    needs: tuple[Need, ...]
    open_alert_kinds: tuple[str, ...] = ()
    # Acknowledged alerts whose condition still lasts (the client stays flagged for them).
    seen_alert_kinds: tuple[str, ...] = ()
    # Points above the client's usual level (`pain_condition`), None when not worse.
    leg_rise: float | None = None
    back_rise: float | None = None
    severe_leg: int | None = None
    adherence_last_week: float | None = None
    adherence_week_before: float | None = None
    silent_days: int = 0
    checked_in_today: bool = False
    sort_detail: tuple[float, ...] = field(default=(), compare=False)

    @property
    def needs_attention(self) -> bool:
        return self.need in ATTENTION

    @property
    def sort_key(self) -> tuple[int, tuple[float, ...], str, int]:
        return (RANK[self.need], self.sort_detail, self.name.casefold(), self.client_id)


def _mcid(week: RegionComparison) -> bool:
    return is_clinically_important_rise(week.last_week, week.this_week)


@dataclass(frozen=True, slots=True)
class _Pain:
    leg_rise: float | None = None
    back_rise: float | None = None
    severe_leg: int | None = None


def pain_condition(facts: ClientFacts, sensitivity: Sensitivity = DEFAULT_SENSITIVITY) -> _Pain:
    """Whether the client's pain is worse right now, by the alert rules themselves
    (`alerts.pain_trend_alerts` judged on their latest check-in, if it is at most 3 days old)
    — or, for a diary too sparse for the trend rule, by the week's mean leg or back pain up by
    the MCID on the week before (`pain.comparison_with_last_week`)."""
    last = max((p.day for p in facts.pain), default=None)
    if last is None or (facts.today - last).days > ROLLING_WINDOW_DAYS:
        return _Pain()
    leg = back = None
    severe = None
    for candidate in pain_trend_alerts(facts.pain, judged_day=last, sensitivity=sensitivity):
        evidence = candidate.evidence
        if isinstance(evidence, WorseningEvidence):
            if candidate.kind is AlertKind.WORSENING_LEG:
                leg = evidence.rise_points
            else:
                back = evidence.rise_points
        elif isinstance(evidence, SevereLegPainEvidence):
            severe = evidence.leg
    weekly = comparison_with_last_week(facts.pain, facts.today)
    if weekly is not None:
        if leg is None and _mcid(weekly.leg):
            leg = weekly.leg.change
        if back is None and _mcid(weekly.back):
            back = weekly.back.change
    return _Pain(leg_rise=leg, back_rise=back, severe_leg=severe)


def silent_days(facts: ClientFacts) -> tuple[int, bool]:
    """Full local days up to yesterday without a check-in or an exercise logged, and whether
    that is a silence by the inactivity alert's own rule (`alerts.inactivity_alert_for`: at
    least 3 days, and longer than the client's usual gap). A day is judged once finished; a
    check-in today has already ended the silence."""
    yesterday = facts.today - timedelta(days=1)
    checkins = {p.day for p in facts.pain}
    if facts.last_checkin is not None:
        checkins.add(facts.last_checkin)
    candidate = inactivity_alert_for(
        checkins,
        judged_day=yesterday,
        enrolled_on=facts.enrolled_on,
        last_exercise_log=facts.last_exercise,
    )
    if candidate is not None and isinstance(candidate.evidence, InactivityEvidence):
        return candidate.evidence.silent_days, True
    known = [d for d in (max(checkins, default=None), facts.last_exercise) if d is not None]
    last_active = max([*known, facts.enrolled_on - timedelta(days=1)])
    return max((yesterday - last_active).days, 0), False


def _adherence_weeks(facts: ClientFacts) -> tuple[float | None, float | None]:
    """Adherence of the last complete week and the week before (`adherence.weekly_adherence`)."""
    last_week = week_start_of(facts.today) - timedelta(weeks=1)
    week_before = last_week - timedelta(weeks=1)
    result = weekly_adherence(facts.slots, [last_week, week_before])
    return result[last_week], result[week_before]


def _adherence_falling(last_week: float | None, week_before: float | None) -> bool:
    if last_week is None:
        return False
    if last_week < LOW_ADHERENCE_PCT:
        return True
    return week_before is not None and week_before - last_week >= ADHERENCE_DROP_POINTS


def _alert_rank(kind: str) -> int:
    try:
        return _ALERT_ORDER.index(AlertKind(kind))
    except ValueError:
        return len(_ALERT_ORDER)


def triage_one(facts: ClientFacts, sensitivity: Sensitivity = DEFAULT_SENSITIVITY) -> Triage:
    """Where one client stands (see the module docstring for the order)."""
    open_kinds = sorted({a.kind for a in facts.alerts if a.open}, key=_alert_rank)
    red_flag_since = facts.today - timedelta(days=RED_FLAG_STAYS_DAYS)
    recent_red_flag = any(
        a.kind == AlertKind.RED_FLAG and a.day >= red_flag_since for a in facts.alerts
    )
    reachable = facts.status != BLOCKED
    following = facts.status == ACTIVE
    pain = pain_condition(facts, sensitivity)
    leg_rise, back_rise, severe = pain.leg_rise, pain.back_rise, pain.severe_leg
    last_week, week_before = _adherence_weeks(facts)
    falling = following and _adherence_falling(last_week, week_before)
    quiet_days, quiet = silent_days(facts)
    silent = following and quiet

    needs: list[Need] = []
    if AlertKind.RED_FLAG in open_kinds or recent_red_flag:
        needs.append(Need.URGENT)
    if any(kind != AlertKind.RED_FLAG for kind in open_kinds):
        needs.append(Need.OPEN_ALERT)
    worsening = leg_rise is not None or back_rise is not None or severe is not None
    if worsening:
        needs.append(Need.WORSENING)
    if falling:
        needs.append(Need.ADHERENCE_FALLING)
    if silent:
        needs.append(Need.SILENT)
    if not reachable:
        needs.append(Need.UNREACHABLE)
    if not facts.has_prescription and reachable:
        needs.append(Need.AWAITING_PRESCRIPTION)
    need = needs[0] if needs else Need.NONE

    lasting = {
        AlertKind.RED_FLAG.value: recent_red_flag,
        AlertKind.WORSENING_LEG.value: leg_rise is not None,
        AlertKind.WORSENING_BACK.value: back_rise is not None,
        AlertKind.SEVERE_LEG_PAIN.value: severe is not None,
        AlertKind.LOW_ADHERENCE.value: falling,
        AlertKind.INACTIVITY.value: silent,
    }
    seen = sorted(
        {a.kind for a in facts.alerts if not a.open and lasting.get(a.kind, False)} - {*open_kinds},
        key=_alert_rank,
    )
    return Triage(
        client_id=facts.client_id,
        name=facts.name,
        need=need,
        needs=tuple(needs),
        open_alert_kinds=tuple(open_kinds),
        seen_alert_kinds=tuple(seen),
        leg_rise=leg_rise,
        back_rise=back_rise,
        severe_leg=severe,
        adherence_last_week=last_week,
        adherence_week_before=week_before,
        silent_days=quiet_days,
        checked_in_today=facts.last_checkin == facts.today,
        sort_detail=_detail(
            need, open_kinds, facts, leg_rise, back_rise, severe, last_week, quiet_days
        ),
    )


def _detail(
    need: Need,
    open_kinds: Sequence[str],
    facts: ClientFacts,
    leg_rise: float | None,
    back_rise: float | None,
    severe: int | None,
    last_week: float | None,
    quiet_days: int,
) -> tuple[float, ...]:
    """Order inside a tier: the most pressing first (never the name: that breaks ties)."""
    if need is Need.URGENT:
        return (0.0 if AlertKind.RED_FLAG in open_kinds else 1.0,)
    if need is Need.OPEN_ALERT:
        newest = max((a.day for a in facts.alerts if a.open), default=facts.today)
        return (float(_alert_rank(open_kinds[0])), float((facts.today - newest).days))
    if need is Need.WORSENING:
        return (-float(severe or 0), -max(leg_rise or 0.0, back_rise or 0.0))
    if need is Need.ADHERENCE_FALLING:
        return (last_week if last_week is not None else 100.0,)
    if need is Need.SILENT:
        return (-float(quiet_days),)
    return ()


def triage(
    clients: Iterable[ClientFacts], sensitivity: Sensitivity = DEFAULT_SENSITIVITY
) -> tuple[Triage, ...]:
    """Every client ranked by need, most urgent first; ties by name."""
    placed = (triage_one(c, sensitivity) for c in clients)
    return tuple(sorted(placed, key=lambda t: t.sort_key))
