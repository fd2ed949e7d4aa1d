"""Rows of the therapist's weekly summary: what changed, and who needs looking at first.

Pure: the service gathers each client's week into a `ClientWeek`; `summary_rows` returns the
rows in the order the therapist should read them — red flags, then worsening, then low
adherence, then the rest, each group by name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.domain.alerts import LOW_ADHERENCE_PCT, AlertKind
from bot.domain.pain import is_clinically_important_rise, trend_arrow


class AttentionReason(StrEnum):
    """Why a row is flagged, most urgent first (the order is the sort order)."""

    RED_FLAG = "red_flag"
    WORSENING = "worsening"
    LOW_ADHERENCE = "low_adherence"
    INACTIVE = "inactive"
    UNREACHABLE = "unreachable"


_PRIORITY: Final = {reason: rank for rank, reason in enumerate(AttentionReason)}
_NO_ATTENTION_RANK: Final = len(_PRIORITY)

_WORSENING_KINDS: Final = frozenset(
    {AlertKind.WORSENING_LEG, AlertKind.WORSENING_BACK, AlertKind.SEVERE_LEG_PAIN}
)
# A client who has blocked the bot cannot be reminded of anything (DESIGN.md: the therapist is
# told once); the summary keeps showing it until the therapist acts.
BLOCKED_STATUS: Final = "blocked"


@dataclass(frozen=True, slots=True)
class ClientWeek:
    """One client's figures for this week and the week before, as plain data.

    Adherence in % (`bot.domain.adherence`), leg pain as the week's mean NRS, SBI as the
    week's total; None where there is nothing to show. `alert_kinds` are the kinds raised this
    week (`AlertKind` values).
    """

    client_id: int
    name: str
    status: str
    adherence_this_week: float | None
    adherence_last_week: float | None
    leg_pain_this_week: float | None
    leg_pain_last_week: float | None
    sbi_this_week: int | None
    sbi_last_week: int | None
    alerts_count: int = 0
    alert_kinds: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class SummaryRow:
    client_id: int
    name: str
    status: str
    adherence_pct: float | None
    # Percentage points; positive = did more of the prescription than last week.
    adherence_change: float | None
    leg_pain: float | None
    # NRS points; positive = more pain than last week.
    leg_pain_change: float | None
    # "↑" worse, "↓" better, "→" about the same (`pain.trend_arrow`); None without both weeks.
    leg_pain_trend: str | None
    sbi: int | None
    # SBI points; positive = more bothered than last week.
    sbi_change: int | None
    alerts_count: int
    reasons: tuple[AttentionReason, ...]

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)

    @property
    def sort_key(self) -> tuple[int, str, int]:
        rank = _PRIORITY[self.reasons[0]] if self.reasons else _NO_ATTENTION_RANK
        return (rank, self.name.casefold(), self.client_id)


def _difference(current: float | None, previous: float | None) -> float | None:
    if current is None or previous is None:
        return None
    return current - previous


def attention_reasons(client: ClientWeek) -> tuple[AttentionReason, ...]:
    """Every reason `client` needs the therapist's eye this week, most urgent first.

    * red flag: any red-flag alert this week;
    * worsening: a worsening or severe-pain alert this week, or the week's mean leg pain up by
      the MCID over last week's (≥ 2 points and ≥ 30 %, `pain.is_clinically_important_rise`);
    * low adherence: under 50 % of the prescription done (DESIGN.md), or such an alert;
    * inactive: an inactivity alert (no check-in or exercise for 3 days);
    * unreachable: the client blocked the bot.
    """
    kinds = client.alert_kinds
    reasons: list[AttentionReason] = []
    if AlertKind.RED_FLAG in kinds:
        reasons.append(AttentionReason.RED_FLAG)
    leg_rose = (
        client.leg_pain_this_week is not None
        and client.leg_pain_last_week is not None
        and is_clinically_important_rise(client.leg_pain_last_week, client.leg_pain_this_week)
    )
    if leg_rose or kinds & _WORSENING_KINDS:
        reasons.append(AttentionReason.WORSENING)
    low = client.adherence_this_week is not None and client.adherence_this_week < LOW_ADHERENCE_PCT
    if low or AlertKind.LOW_ADHERENCE in kinds:
        reasons.append(AttentionReason.LOW_ADHERENCE)
    if AlertKind.INACTIVITY in kinds:
        reasons.append(AttentionReason.INACTIVE)
    if client.status == BLOCKED_STATUS:
        reasons.append(AttentionReason.UNREACHABLE)
    return tuple(reasons)


def summary_row(client: ClientWeek) -> SummaryRow:
    leg_change = _difference(client.leg_pain_this_week, client.leg_pain_last_week)
    sbi_change = (
        None
        if client.sbi_this_week is None or client.sbi_last_week is None
        else client.sbi_this_week - client.sbi_last_week
    )
    return SummaryRow(
        client_id=client.client_id,
        name=client.name,
        status=client.status,
        adherence_pct=client.adherence_this_week,
        adherence_change=_difference(client.adherence_this_week, client.adherence_last_week),
        leg_pain=client.leg_pain_this_week,
        leg_pain_change=leg_change,
        leg_pain_trend=(
            None
            if client.leg_pain_this_week is None or client.leg_pain_last_week is None
            else trend_arrow(client.leg_pain_last_week, client.leg_pain_this_week)
        ),
        sbi=client.sbi_this_week,
        sbi_change=sbi_change,
        alerts_count=client.alerts_count,
        reasons=attention_reasons(client),
    )


def summary_rows(clients: Iterable[ClientWeek]) -> tuple[SummaryRow, ...]:
    """One row per client, those needing attention first (red flags, worsening, low
    adherence, …), then by name."""
    return tuple(sorted((summary_row(c) for c in clients), key=lambda row: row.sort_key))
