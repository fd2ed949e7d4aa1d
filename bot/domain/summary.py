"""Rows of the therapist's weekly summary: each client's week beside the week before.

Pure: the service gathers each client's week into a `ClientWeek` and ranks the clients with
`bot.domain.triage.triage` — the one ranking /clients and the card use too — and
`summary_rows` pairs the two, in triage order. Who needs attention is triage's answer, never
re-decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.domain.pain import trend_arrow
from bot.domain.triage import Need, Triage


@dataclass(frozen=True, slots=True)
class ClientWeek:
    """One client's figures for the summary's week and the week before, as plain data.

    Adherence in % (`bot.domain.adherence`: done + half partly ÷ prescribed slots), pain as
    the week's mean NRS, SBI as the week's total; None where there is nothing to show.
    `alert_kinds` are the kinds raised in the week (first raised first); `skip_reasons` the
    reasons given for skipped exercises in the week with how often, most frequent first.
    """

    client_id: int
    name: str
    status: str
    adherence_this_week: float | None
    adherence_last_week: float | None
    leg_pain_this_week: float | None
    leg_pain_last_week: float | None
    back_pain_this_week: float | None = None
    back_pain_last_week: float | None = None
    sbi_this_week: int | None = None
    sbi_last_week: int | None = None
    alert_kinds: tuple[str, ...] = ()
    skip_reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class SummaryRow:
    client_id: int
    name: str
    status: str
    triage: Triage
    adherence_pct: float | None
    # Percentage points; positive = did more of the prescription than the week before.
    adherence_change: float | None
    leg_pain: float | None
    # NRS points; positive = more pain than the week before.
    leg_pain_change: float | None
    # "↑" worse, "↓" better, "→" about the same (`pain.trend_arrow`); None without both weeks.
    leg_pain_trend: str | None
    back_pain: float | None
    back_pain_change: float | None
    sbi: int | None
    # SBI points; positive = more bothered than the week before.
    sbi_change: int | None
    alert_kinds: tuple[str, ...]
    skip_reasons: tuple[tuple[str, int], ...]

    @property
    def needs_attention(self) -> bool:
        return self.triage.needs_attention

    @property
    def awaiting_prescription(self) -> bool:
        return Need.AWAITING_PRESCRIPTION in self.triage.needs

    @property
    def alerts_count(self) -> int:
        return len(self.alert_kinds)


def _difference(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous


def summary_row(client: ClientWeek, placed: Triage) -> SummaryRow:
    return SummaryRow(
        client_id=client.client_id,
        name=client.name,
        status=client.status,
        triage=placed,
        adherence_pct=client.adherence_this_week,
        adherence_change=_difference(client.adherence_this_week, client.adherence_last_week),
        leg_pain=client.leg_pain_this_week,
        leg_pain_change=_difference(client.leg_pain_this_week, client.leg_pain_last_week),
        leg_pain_trend=(
            None
            if client.leg_pain_this_week is None or client.leg_pain_last_week is None
            else trend_arrow(client.leg_pain_last_week, client.leg_pain_this_week)
        ),
        back_pain=client.back_pain_this_week,
        back_pain_change=_difference(client.back_pain_this_week, client.back_pain_last_week),
        sbi=client.sbi_this_week,
        sbi_change=(
            None
            if client.sbi_this_week is None or client.sbi_last_week is None
            else client.sbi_this_week - client.sbi_last_week
        ),
        alert_kinds=client.alert_kinds,
        skip_reasons=client.skip_reasons,
    )


def summary_rows(weeks: Iterable[ClientWeek], ranked: Sequence[Triage]) -> tuple[SummaryRow, ...]:
    """One row per ranked client, in triage order (those needing attention first)."""
    by_id = {week.client_id: week for week in weeks}
    return tuple(summary_row(by_id[t.client_id], t) for t in ranked if t.client_id in by_id)
