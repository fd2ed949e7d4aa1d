"""Texts past Telegram's limits reach the reader in several messages, never as an error."""

from __future__ import annotations

from datetime import timedelta

from bot.db.engine import Database
from bot.db.models import PainEntry
from bot.services.checkin import NOTE_MAX_CHARS
from tests.conftest import DEFAULT_NOW
from tests.handlers.client_seed import add_client
from tests.support.botapi_double import BotApiDouble
from tests.support.harness import RunningApplication
from tests.support.telegram_payloads import MAX_MESSAGE_TEXT, TgUser, utf16_length

ALICE = TgUser(id=655_001, first_name="Alice")
LONGEST_NAME = "Maria José de la Santísima Trinidad " * 3 + "Fernández-García"[:20]
TODAY = DEFAULT_NOW.date()


def _note(day: int) -> str:
    words = f"day{day}: sharp pain down the left leg after sitting for the school run. "
    return (words * (NOTE_MAX_CHARS // len(words) + 1))[: NOTE_MAX_CHARS - 1] + "."


async def _client_with_five_longest_notes(db: Database) -> tuple[int, list[str]]:
    client_id = await add_client(db, ALICE, name=LONGEST_NAME[:128])
    notes = [_note(day) for day in range(1, 6)]
    async with db.sessions.begin() as session:
        for day, note in enumerate(notes, 1):
            session.add(
                PainEntry(
                    client_id=client_id,
                    day=TODAY - timedelta(days=day),
                    leg=6,
                    back=3,
                    note=note,
                    created_at=DEFAULT_NOW,
                    updated_at=DEFAULT_NOW,
                )
            )
    return client_id, notes


async def test_a_card_with_five_longest_notes_opens_in_several_messages_with_every_note_whole(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id, notes = await _client_with_five_longest_notes(db)
    mark = botapi.mark()
    botapi.forge_press(therapist, f"client:open:{client_id}", message_id=1)
    await bot.settle()
    sent = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert all(call.ok for call in sent), botapi.report(mark)
    assert len(sent) >= 2
    assert all(utf16_length(call.text or "") <= MAX_MESSAGE_TEXT for call in sent)
    card = "\n".join(call.text or "" for call in sent)
    assert card.startswith(f"👤 {LONGEST_NAME[:128]}")
    for note in notes:
        assert note in card
    # The card's buttons sit under its last part; the pain chart follows.
    assert "💊 Prescribe" in [label for label, _ in botapi.buttons(sent[-1])]
    assert not any(botapi.buttons(call) for call in sent[:-1])
    assert botapi.calls("sendPhoto", chat_id=therapist.id, after=mark)


async def test_client_command_opens_the_same_long_card(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    await _client_with_five_longest_notes(db)
    mark = botapi.mark()
    botapi.send_command(therapist, "client", LONGEST_NAME)
    await bot.settle()
    sent = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert sent and all(call.ok for call in sent), botapi.report(mark)
    assert "Something went wrong" not in "".join(call.text or "" for call in sent)
    assert "💊 Prescribe" in [label for label, _ in botapi.buttons(sent[-1])]


async def _open_relay(botapi: BotApiDouble, bot: RunningApplication, therapist: TgUser) -> None:
    botapi.send_text(therapist, "How is the bridge going?")
    await bot.settle()


async def test_a_relay_reply_of_four_thousand_characters_reaches_the_therapist_whole(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    await _open_relay(botapi, bot, therapist)
    long_reply = " ".join(f"w{n:04}" for n in range(680))  # 4,079 characters
    assert 4000 < len(long_reply) <= MAX_MESSAGE_TEXT

    mark = botapi.mark()
    botapi.send_text(ALICE, long_reply)
    # The parts leave through the dispatcher, one a second to the same chat.
    await botapi.wait_for(
        "sendMessage",
        chat_id=therapist.id,
        after=mark,
        predicate=lambda c: "w0679" in (c.text or ""),
    )
    await bot.settle()
    back = botapi.calls("sendMessage", chat_id=therapist.id, after=mark)
    assert len(back) >= 2 and all(call.ok for call in back), botapi.report(mark)
    delivered = " ".join(call.text or "" for call in back)
    assert all(f"w{n:04}" in delivered for n in range(680))
    assert "Alice Example replied" in (back[0].text or "")
    assert botapi.last_text(ALICE.id) == "Sent to your therapist."
    assert "blocked" not in botapi.last_text(ALICE.id)


async def test_a_long_message_to_a_client_is_split_and_a_reply_to_any_part_comes_back(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    long_message = "Keep your knees bent and breathe out as you lift. " * 100
    mark = botapi.mark()
    botapi.send_text(therapist, long_message)
    first = await botapi.wait_for("sendMessage", chat_id=ALICE.id, after=mark)
    # The next part leaves a second later (Telegram's pace for one chat).
    await botapi.wait_for(
        "sendMessage", chat_id=ALICE.id, after=mark, predicate=lambda c: c is not first
    )
    await bot.settle()
    parts = botapi.calls("sendMessage", chat_id=ALICE.id, after=mark)
    assert len(parts) >= 2 and all(call.ok for call in parts), botapi.report(mark)
    assert "Sent to Alice Example" in botapi.last_text(therapist.id)

    mark = botapi.mark()
    original = botapi.message(ALICE.id, parts[0].message_id or 0)
    botapi.inject(
        {
            "message": {
                "message_id": 910_000,
                "from": ALICE.to_json(),
                "chat": ALICE.private_chat(),
                "date": int(DEFAULT_NOW.timestamp()),
                "text": "Will do",
                "reply_to_message": original,
            }
        }
    )
    await bot.settle()
    assert "Will do" in botapi.last_text(therapist.id)


async def test_a_blocked_client_is_reported_as_blocked_and_other_failures_are_not(
    bot: RunningApplication, botapi: BotApiDouble, db: Database, therapist: TgUser
) -> None:
    client_id = await add_client(db, ALICE, name="Alice Example")
    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    botapi.fail_next("sendMessage", error_code=400, chat_id=ALICE.id)
    mark = botapi.mark()
    botapi.send_text(therapist, "Hello")
    # Sent (and failed) by the dispatcher after the therapist's "Sent to": told afterwards.
    reply = await botapi.wait_for(
        "sendMessage",
        chat_id=therapist.id,
        after=mark,
        predicate=lambda c: "deliver" in (c.text or ""),
    )
    assert "just now" in (reply.text or "") and "blocked" not in (reply.text or "")

    botapi.forge_press(therapist, f"client:msg:{client_id}", message_id=1)
    await bot.settle()
    botapi.block_chat(ALICE.id)
    mark = botapi.mark()
    botapi.send_text(therapist, "Hello again")
    reply = await botapi.wait_for(
        "sendMessage",
        chat_id=therapist.id,
        after=mark,
        predicate=lambda c: "deliver" in (c.text or ""),
    )
    assert "they have blocked the bot" in (reply.text or "")
