"""Alerts reach the therapist with evidence and buttons; messages go both ways; /summary."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import texts
from bot.app import ALERT_JOB_NAME
from bot.db.engine import Database
from bot.db.models import Alert
from tests.conftest import DEFAULT_NOW, FrozenClock
from tests.handlers.client_seed import add_client, add_pain_entries
from tests.support.botapi_double import BotApiDouble, RecordedCall
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=650_001, first_name="Alice")
BOB = TgUser(id=650_002, first_name="Bob")
TODAY = DEFAULT_NOW.date()


async def _check_in(bot: RunningApplication, botapi: BotApiDouble, leg: int, back: int) -> None:
    mark = botapi.mark()
    botapi.send_command(ALICE, "pain")
    prompt = await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    botapi.press_button(ALICE, prompt, str(leg))
    await bot.settle()
    botapi.press_button(ALICE, prompt, str(back))
    await bot.settle()


def _is_alert(call: RecordedCall) -> bool:
    return any(data.startswith("alert:ack:") for _, data in BotApiDouble.callback_buttons(call))


def _alert_messages(botapi: BotApiDouble, chat_id: int, after: int) -> list[RecordedCall]:
    return [
        c
        for c in botapi.calls("sendMessage", chat_id=chat_id, after=after)
        if any(data.startswith("alert:ack:") for _, data in botapi.callback_buttons(c))
    ]


async def test_leg_pain_of_eight_alerts_the_therapist_once_with_evidence_and_buttons(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    mark = botapi.mark()
    await _check_in(bot, botapi, 8, 4)
    await botapi.wait_for("sendMessage", chat_id=therapist.id, predicate=_is_alert, after=mark)
    alerts = _alert_messages(botapi, therapist.id, mark)
    assert len(alerts) == 1
    text = alerts[0].text or ""
    assert "Alice Example" in text and "leg 8/10" in text and "Check-in Mon 1 Jun" in text
    labels = [label for label, _ in botapi.callback_buttons(alerts[0])]
    assert labels == ["✅ Acknowledge", "👤 Open client", "✉️ Message client"]
    assert ("👤 Open client", f"client:open:{client_id}") in botapi.callback_buttons(alerts[0])

    # The same day's check-in corrected to 9 is worse: raised again. Back to 8: not repeated.
    await bot.settle()
    mark = botapi.mark()
    await _check_in(bot, botapi, 9, 4)
    confirm = botapi.calls("editMessageText", chat_id=ALICE.id, after=mark)[-1]
    botapi.press_button(ALICE, confirm.message_id or 0, "Yes, update it")
    # Alerts leave through the dispatcher, at most one a second to the same chat.
    await botapi.wait_for("sendMessage", chat_id=therapist.id, predicate=_is_alert, after=mark)
    await bot.settle()
    assert len(_alert_messages(botapi, therapist.id, mark)) == 1


async def test_acknowledge_marks_the_alert_and_open_alerts_no_longer_lists_it(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await add_client(db, ALICE, name="Alice Example")
    mark = botapi.mark()
    await _check_in(bot, botapi, 8, 4)
    alert = await botapi.wait_for(
        "sendMessage", chat_id=therapist.id, predicate=_is_alert, after=mark
    )

    botapi.send_command(therapist, "alerts")
    await bot.settle()
    assert "Open alerts (1)" in "\n".join(
        c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )

    query_id = botapi.press_button(therapist, alert, "Acknowledge")
    await bot.settle()
    assert "Acknowledged" in str(botapi.callback_answer(query_id).get("text"))
    assert alert.message_id is not None
    edited = botapi.message(therapist.id, alert.message_id)
    # In the therapist's own zone (London, BST) and the house date style, never UTC.
    assert "✅ Acknowledged Mon 1 Jun 10:00" in str(edited.get("text"))
    assert "UTC" not in str(edited.get("text"))
    async with db.sessions() as session:
        row = (await session.execute(select(Alert))).scalar_one()
        assert row.acknowledged_by == therapist.id and row.acknowledged_at is not None

    mark = botapi.mark()
    botapi.send_command(therapist, "alerts")
    await bot.settle()
    assert botapi.last_text(therapist.id) == "No open alerts. 🎉"
    assert not _alert_messages(botapi, therapist.id, mark)


async def test_message_client_delivers_and_the_reply_comes_back_labelled(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    query_id = botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    assert query_id in botapi.answered_callback_ids()
    assert "Type your message to Alice Example" in botapi.last_text(therapist.id)

    mark = botapi.mark()
    botapi.send_text(therapist, "How is the bridge going?")
    await bot.settle()
    delivered = botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)
    assert len(delivered) == 1
    assert "From your therapist" in (delivered[0].text or "")
    assert "How is the bridge going?" in (delivered[0].text or "")
    assert "Sent to Alice Example" in botapi.last_text(therapist.id)

    # The client answers with a Telegram reply to that message.
    mark = botapi.mark()
    _reply(botapi, ALICE, "Much easier this week", delivered[0])
    await bot.settle()
    back = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert len(back) == 1
    assert "Alice Example replied" in (back[0].text or "")
    assert "Much easier this week" in (back[0].text or "")
    assert botapi.last_text(ALICE.id) == "Sent to your therapist."

    # The therapist replies to the relayed answer: it reaches Alice again.
    mark = botapi.mark()
    _reply(botapi, therapist, "Great, keep going", back[0])
    await botapi.wait_for(
        "sendMessage", chat_id=ALICE.id, after=mark, predicate=lambda c: "Great" in (c.text or "")
    )
    await bot.settle()
    assert "Great, keep going" in botapi.last_text(ALICE.id)


async def test_the_clients_next_text_while_a_relay_is_open_goes_to_the_therapist(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    botapi.send_text(therapist, "Any questions?")
    await bot.settle()
    mark = botapi.mark()
    botapi.send_text(ALICE, "Just one about the stretch")
    await bot.settle()
    back = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert len(back) == 1 and "Alice Example replied" in (back[0].text or "")
    # Only the next text: after that, the client's words are theirs again.
    mark = botapi.mark()
    botapi.send_text(ALICE, "hello")
    await bot.settle()
    assert not botapi.calls("sendMessage", chat_id=therapist.id, after=mark)


async def test_a_therapist_cannot_message_someone_elses_client(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    other = await add_client(db, BOB, name="Bob Elsewhere", therapist_telegram_id=999_999)
    query_id = botapi.forge_press(therapist, f"client:msg:{other}", message_id=1)
    await bot.settle()
    assert botapi.callback_answer(query_id).get("text") == texts.STALE_BUTTON
    mark = botapi.mark()
    botapi.send_text(therapist, "hello")
    await bot.settle()
    assert not botapi.calls("sendMessage", chat_id=BOB.id, after=mark)


async def test_summary_sends_the_week_with_an_overview_chart_and_client_chart_buttons(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    clock: FrozenClock,
) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")
    await add_client(db, BOB, name="Bob Stable")
    await add_pain_entries(
        db,
        alice,
        [(TODAY - timedelta(days=d), 3 if d > 7 else 6, 2) for d in (13, 12, 10, 5, 3, 2)],
    )
    mark = botapi.mark()
    botapi.send_command(therapist, "summary")
    await bot.settle()
    text = "\n".join(
        c.text or "" for c in botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    )
    assert "Weekly summary" in text
    assert text.index("Alice Example") < text.index("Bob Stable")
    assert "leg pain 6.0/10 ↑ (+3.0)" in text
    photos = botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)
    assert len(photos) == 1
    buttons = botapi.callback_buttons(photos[0])
    assert ("📈 Alice Example", f"summary:chart:{alice}") in buttons
    mark = botapi.mark()
    botapi.press(therapist, photos[0], f"summary:chart:{alice}")
    await bot.settle()
    assert len(botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)) == 1


def _reply(botapi: BotApiDouble, user: TgUser, text: str, to: RecordedCall) -> None:
    """`user` answers `to` with Telegram's reply feature (what the double has no helper for)."""
    assert to.message_id is not None and to.chat_id is not None
    original: dict[str, Any] = botapi.message(int(to.chat_id), to.message_id)
    botapi.inject(
        {
            "message": {
                "message_id": 900_000 + to.message_id,
                "from": user.to_json(),
                "chat": user.private_chat(),
                "date": int(DEFAULT_NOW.timestamp()),
                "text": text,
                "reply_to_message": original,
            }
        }
    )


async def test_the_day_end_pass_tells_the_therapist_of_silence_at_the_clients_own_midnight(
    bot: RunningApplication,
    botapi: BotApiDouble,
    db: Database,
    therapist: TgUser,
    clock: FrozenClock,
) -> None:
    client_id = await add_client(db, BOB, name="Bob Quiet", timezone="America/New_York")
    await add_pain_entries(db, client_id, [(TODAY - timedelta(days=4), 3, 2)])
    [job] = bot.application.job_queue.get_jobs_by_name(ALERT_JOB_NAME)  # type: ignore[union-attr]
    assert job.job.trigger.interval == timedelta(minutes=15)
    new_york_midnight = datetime.combine(TODAY, time(0), ZoneInfo("America/New_York"))

    # London's midnight has passed, New York's Sunday is still going on: nothing to say yet.
    clock.set(datetime.combine(TODAY, time(0), ZoneInfo("Europe/London")).astimezone(UTC))
    mark = botapi.mark()
    await job.run(bot.application)
    await bot.settle()
    assert _alert_messages(botapi, therapist.id, mark) == []

    clock.set(new_york_midnight.astimezone(UTC) + timedelta(seconds=2))
    await job.run(bot.application)
    # The alert is queued with it and leaves through the dispatcher.
    await botapi.wait_for("sendMessage", chat_id=therapist.id, predicate=_is_alert, after=mark)
    await bot.settle()
    [alert] = _alert_messages(botapi, therapist.id, mark)
    assert "Bob Quiet: nothing logged for 3 days" in (alert.text or "")
    assert "No check-in and no exercise logged since Thu 28 May" in (alert.text or "")
