"""The weekly summary as Telegram messages (bot.texts.summary)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.summary import ClientWeek, summary_rows
from bot.services.summary import ClientSummary, SummaryOverview, WeeklySummary
from bot.texts.summary import CHART_BUTTONS, summary_chart_keyboard, summary_texts

TELEGRAM_MAX_TEXT = 4096


def _summary(clients: int) -> WeeklySummary:
    weeks = [
        ClientWeek(
            client_id=n,
            name=f"Client number {n:03d} with a longish name",
            status="active",
            adherence_this_week=float(n % 100),
            adherence_last_week=50.0,
            leg_pain_this_week=float(n % 10),
            leg_pain_last_week=4.0,
            sbi_this_week=n % 24,
            sbi_last_week=12,
            alerts_count=1,
            alert_kinds=frozenset({"inactivity"}),
        )
        for n in range(clients)
    ]
    rows = summary_rows(weeks)
    return WeeklySummary(
        therapist_telegram_id=1,
        generated_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
        timezone="Europe/London",
        clients=tuple(ClientSummary(row, -0.5, ("inactivity",)) for row in rows),
        overview=SummaryOverview(
            week_start=date(2026, 5, 25),
            week_end=date(2026, 5, 31),
            clients=clients,
            needing_attention=clients,
            mean_adherence_pct=50.0,
            alerts_this_week=clients,
            open_alerts=0,
        ),
    )


def test_a_summary_of_200_clients_is_split_into_messages_telegram_accepts() -> None:
    messages = summary_texts(_summary(200))

    assert len(messages) > 1
    assert all(len(message) <= TELEGRAM_MAX_TEXT for message in messages)
    assert messages[0].startswith("Weekly summary Mon 25 May – Sun 31 May")
    joined = "\n".join(messages)
    assert all(f"Client number {n:03d}" in joined for n in range(200))
    # A client's figures stay in the same message as their name.
    assert not any(message.startswith("  ") for message in messages[1:])


def test_chart_buttons_cover_the_first_clients_in_reading_order() -> None:
    summary = _summary(30)
    buttons = [b for row in summary_chart_keyboard(summary).inline_keyboard for b in row]

    assert len(buttons) == CHART_BUTTONS
    assert [b.callback_data for b in buttons] == [
        f"summary:chart:{row.client_id}" for row in summary.rows[:CHART_BUTTONS]
    ]


def test_the_heading_counts_in_plain_english() -> None:
    one = summary_texts(_summary(1))[0].splitlines()[1]
    assert one.startswith("1 client · 1 needs attention")
    assert "1 alert this week" in one
    many = summary_texts(_summary(3))[0].splitlines()[1]
    assert many.startswith("3 clients · 3 need attention")
    assert "3 alerts this week" in many
