"""Who pressed is looked up for many presses at once, and each presser is still told apart:
clients, a paused client, an erased one, a stranger and the therapist, some pressing twice in
the same burst, each get what a look-up of their own would say — and an erasure between two
bursts is seen by the next, on both engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import update

from bot.db.engine import Database
from bot.db.models import Client, ClientStatus, Therapist
from bot.services.identity import ClientLookups, Identity, Role, identify

NOW = datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
THERAPIST_ID = 500
ZONES = {1001: "Europe/London", 1002: "Asia/Tokyo", 1003: "America/New_York"}
PAUSED, ERASED, STRANGER = 1004, 1005, 1999


async def _clients(db: Database) -> None:
    async with db.sessions.begin() as session:
        therapist = Therapist(telegram_id=THERAPIST_ID, timezone="Europe/London", created_at=NOW)
        session.add(therapist)
        await session.flush()
        for telegram_id, zone, status in (
            *((t, z, ClientStatus.ACTIVE) for t, z in ZONES.items()),
            (PAUSED, "Europe/London", ClientStatus.PAUSED),
            (ERASED, "Europe/London", ClientStatus.DELETED),
        ):
            session.add(
                Client(
                    therapist_id=therapist.id,
                    telegram_id=telegram_id,
                    display_name="Client",
                    timezone=zone,
                    status=status,
                    consent_version="1",
                    consent_at=NOW,
                    created_at=NOW,
                )
            )


async def _burst(db: Database, lookups: ClientLookups, telegram_ids: list[int]) -> list[Identity]:
    return list(
        await asyncio.gather(
            *(
                identify(
                    db,
                    telegram_id=telegram_id,
                    therapist_ids=frozenset({THERAPIST_ID}),
                    lookups=lookups,
                )
                for telegram_id in telegram_ids
            )
        )
    )


async def test_a_burst_of_presses_tells_every_presser_apart(db: Database) -> None:
    await _clients(db)
    lookups = ClientLookups(db)
    pressing = [1001, 1002, STRANGER, 1003, PAUSED, ERASED, THERAPIST_ID, 1002, 1001]

    together = await _burst(db, lookups, pressing)

    alone = [
        await identify(db, telegram_id=t, therapist_ids=frozenset({THERAPIST_ID})) for t in pressing
    ]
    assert together == alone
    roles = {i.telegram_id: i.role for i in together}
    assert roles == {
        1001: Role.CLIENT,
        1002: Role.CLIENT,
        1003: Role.CLIENT,
        PAUSED: Role.CLIENT,
        ERASED: Role.STRANGER,
        STRANGER: Role.STRANGER,
        THERAPIST_ID: Role.THERAPIST,
    }
    assert {i.telegram_id: i.client_timezone for i in together if i.telegram_id in ZONES} == ZONES
    assert next(i for i in together if i.telegram_id == PAUSED).client_status is (
        ClientStatus.PAUSED
    )


async def test_a_client_erased_between_two_bursts_is_a_stranger_in_the_next(db: Database) -> None:
    await _clients(db)
    lookups = ClientLookups(db)
    first = await _burst(db, lookups, [1001, 1002])
    assert [i.role for i in first] == [Role.CLIENT, Role.CLIENT]

    async with db.sessions.begin() as session:
        await session.execute(
            update(Client).where(Client.telegram_id == 1001).values(status=ClientStatus.DELETED)
        )

    second = await _burst(db, lookups, [1001, 1002])
    assert [i.role for i in second] == [Role.STRANGER, Role.CLIENT]
