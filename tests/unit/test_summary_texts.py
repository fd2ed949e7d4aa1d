"""The weekly summary as Telegram messages (bot.texts.summary): within Telegram's limits at
200 clients, those needing attention in full and first, everyone else compact."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.summary import ClientWeek, summary_rows
from bot.domain.triage import Need, Triage
from bot.services.summary import SummaryOverview, WeeklySummary
from bot.texts.limits import CALLBACK_DATA_LIMIT_BYTES, CAPTION_LIMIT, MESSAGE_TEXT_LIMIT, fits
from bot.texts.summary import (
    CHART_BUTTONS,
    summary_chart_caption,
    summary_chart_keyboard,
    summary_texts,
)


def _summary(clients: int, attention: int) -> WeeklySummary:
    weeks = [
        ClientWeek(
            client_id=n + 1,
            name=f"Client number {n:03d} with a longish name",
            status="active",
            adherence_this_week=float(n % 100),
            adherence_last_week=50.0,
            leg_pain_this_week=float(n % 10),
            leg_pain_last_week=4.0,
            back_pain_this_week=3.0,
            sbi_this_week=n % 24,
            sbi_last_week=12,
            alert_kinds=("inactivity",) if n < attention else (),
            skip_reasons=(("pain", 2), ("time", 1)) if n < attention else (),
        )
        for n in range(clients)
    ]
    ranked = [
        Triage(
            client_id=n + 1,
            name=f"Client number {n:03d} with a longish name",
            need=Need.OPEN_ALERT if n < attention else Need.NONE,
            needs=(Need.OPEN_ALERT,) if n < attention else (),
            open_alert_kinds=("inactivity",) if n < attention else (),
        )
        for n in range(clients)
    ]
    rows = summary_rows(weeks, ranked)
    return WeeklySummary(
        therapist_telegram_id=1,
        generated_at=datetime(2026, 6, 1, 7, tzinfo=UTC),
        timezone="Europe/London",
        rows=rows,
        overview=SummaryOverview(
            week_start=date(2026, 5, 25),
            week_end=date(2026, 5, 31),
            clients=clients,
            needing_attention=attention,
            awaiting_prescription=0,
            mean_adherence_pct=50.0,
            alerts_this_week=attention,
            open_alerts=attention,
        ),
    )


def test_200_clients_fit_telegram_with_those_needing_attention_in_full_first() -> None:
    messages = summary_texts(_summary(200, attention=12))

    assert all(fits(message, MESSAGE_TEXT_LIMIT) for message in messages)
    assert len(messages) <= 2
    assert messages[0].startswith("Weekly summary Mon 25 May – Sun 31 May")
    joined = "\n".join(messages)
    # Everyone needing attention, then the first 40 others; /clients pages through the rest.
    assert all(f"Client number {n:03d}" in joined for n in range(52))
    assert "Client number 052" not in joined
    assert "…and 148 more with nothing to flag: /clients lists everyone." in joined
    # In full: the reason, the figures and the skip reasons; everyone else on one line.
    assert "skipped: too painful ×2, no time ×1" in messages[0]
    assert joined.index("Client number 011") < joined.index("Everyone else (188)")
    assert joined.count("adherence") < 40
    # A client's figures stay in the same message as their name.
    assert not any(message.startswith("  ") for message in messages[1:])


def test_chart_buttons_go_to_everyone_needing_attention_first() -> None:
    summary = _summary(60, attention=30)
    buttons = [b for row in summary_chart_keyboard(summary).inline_keyboard for b in row]

    assert len(buttons) == 30 > CHART_BUTTONS
    assert [b.callback_data for b in buttons] == [f"summary:chart:{n + 1}" for n in range(30)]
    assert all(len((b.callback_data or "").encode()) <= CALLBACK_DATA_LIMIT_BYTES for b in buttons)
    assert fits(summary_chart_caption(summary), CAPTION_LIMIT)


def test_the_heading_counts_open_alerts_and_those_raised_this_week_in_plain_english() -> None:
    one = summary_texts(_summary(1, attention=1))[0].splitlines()[1]
    assert one.startswith("1 client · 1 needs attention")
    assert "1 open alert (1 raised this week)" in one
    many = summary_texts(_summary(3, attention=3))[0].splitlines()[1]
    assert many.startswith("3 clients · 3 need attention · 3 open alerts")
