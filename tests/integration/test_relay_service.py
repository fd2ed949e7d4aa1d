"""Messages between a therapist and a client, relayed by the bot: who a typed message goes to,
for how long the bot waits for it, and where the client's answer goes (both engines)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.engine import Database
from bot.db.models import Audit, Client, ClientStatus, OutboxMessage
from bot.services.relay import (
    CLIENT_TTL,
    THERAPIST_TTL,
    Direction,
    cancel_relay,
    open_relay_to_client,
    queue_relayed,
    route_client_reply,
    route_therapist_reply,
    take_relay_to_client,
)
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client
from tests.support.telegram_payloads import TgUser

ALICE = TgUser(id=656_001, first_name="Alice")
BOB = TgUser(id=656_002, first_name="Bob")
OTHER_THERAPIST = 656_900
NOW = DEFAULT_NOW


async def _outbox(db: Database) -> list[tuple[int | None, str, str]]:
    async with db.sessions() as session:
        rows = await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.kind, OutboxMessage.payload).order_by(
                OutboxMessage.id
            )
        )
        return [(chat, kind, payload.get("text", "")) for chat, kind, payload in rows]


async def test_a_therapists_next_text_goes_to_the_client_they_chose_once(db: Database) -> None:
    alice = await add_client(db, ALICE, name="Alice Example")

    opened = await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW
    )
    taken = await take_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, now=NOW)
    again = await take_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, now=NOW)

    assert opened is not None and opened.client_name == "Alice Example"
    assert taken == opened
    assert taken.client_telegram_id == ALICE.id
    assert again is None  # the text after that is ordinary input again


async def test_a_therapist_cannot_message_another_therapists_client(db: Database) -> None:
    bob = await add_client(db, BOB, therapist_telegram_id=OTHER_THERAPIST)

    opened = await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=bob, now=NOW
    )

    assert opened is None
    assert await take_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, now=NOW) is None


async def test_a_client_who_blocked_the_bot_cannot_be_messaged(db: Database) -> None:
    alice = await add_client(db, ALICE)
    async with db.sessions.begin() as session:
        await session.execute(
            update(Client).where(Client.id == alice).values(status=ClientStatus.BLOCKED)
        )

    assert (
        await open_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW)
        is None
    )


async def test_the_wait_for_the_therapists_message_expires(db: Database) -> None:
    alice = await add_client(db, ALICE)
    await open_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW)

    later = NOW + THERAPIST_TTL + timedelta(minutes=1)
    assert await take_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, now=later) is None


async def test_cancel_ends_the_wait_and_says_whether_there_was_one(db: Database) -> None:
    alice = await add_client(db, ALICE)
    await open_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW)

    assert await cancel_relay(db, telegram_id=THERAPIST_ID) is True
    assert await cancel_relay(db, telegram_id=THERAPIST_ID) is False
    assert await take_relay_to_client(db, therapist_telegram_id=THERAPIST_ID, now=NOW) is None


async def test_a_relayed_message_is_queued_in_order_and_the_access_is_audited(
    db: Database,
) -> None:
    alice = await add_client(db, ALICE)
    target = await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW
    )
    assert target is not None

    await queue_relayed(
        db, target=target, direction=Direction.TO_CLIENT, parts=["first", "second"], now=NOW
    )

    assert [(chat, text) for chat, _, text in await _outbox(db)] == [
        (ALICE.id, "first"),
        (ALICE.id, "second"),
    ]
    async with db.sessions() as session:
        audited = (
            await session.execute(
                select(Audit.actor_telegram_id, Audit.subject_client_id).where(
                    Audit.subject_client_id == alice
                )
            )
        ).all()
    assert audited == [(THERAPIST_ID, alice)]


async def test_the_clients_next_text_after_a_relayed_message_goes_to_their_therapist_once(
    db: Database,
) -> None:
    alice = await add_client(db, ALICE)
    target = await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW
    )
    assert target is not None
    await queue_relayed(db, target=target, direction=Direction.TO_CLIENT, parts=["hi"], now=NOW)

    first = await route_client_reply(
        db, client_telegram_id=ALICE.id, reply_to_message_id=None, now=NOW
    )
    second = await route_client_reply(
        db, client_telegram_id=ALICE.id, reply_to_message_id=None, now=NOW
    )

    assert first is not None and first.therapist_telegram_id == THERAPIST_ID
    assert second is None


async def test_the_client_answer_window_closes_after_a_day(db: Database) -> None:
    alice = await add_client(db, ALICE)
    target = await open_relay_to_client(
        db, therapist_telegram_id=THERAPIST_ID, client_id=alice, now=NOW
    )
    assert target is not None
    await queue_relayed(db, target=target, direction=Direction.TO_CLIENT, parts=["hi"], now=NOW)

    later = NOW + CLIENT_TTL + timedelta(minutes=1)
    assert (
        await route_client_reply(
            db, client_telegram_id=ALICE.id, reply_to_message_id=None, now=later
        )
        is None
    )


async def test_a_client_with_no_relayed_message_is_not_routed_anywhere(db: Database) -> None:
    await add_client(db, ALICE)

    assert (
        await route_client_reply(db, client_telegram_id=ALICE.id, reply_to_message_id=7, now=NOW)
        is None
    )
    assert (
        await route_therapist_reply(
            db, therapist_telegram_id=THERAPIST_ID, reply_to_message_id=7, now=NOW
        )
        is None
    )
