"""A small practice with every kind of person the authorization checks care about.

Two therapists in THERAPIST_IDS (the owner of Carla, and another with a client of their own),
a therapist removed from THERAPIST_IDS (their rows stay), Carla with a delivered reminder and an
open alert, another client, an erased client and a stranger. Written straight to the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot.buttons import Button, RecordId
from bot.db.engine import Database
from bot.db.models import Alert, Client, ClientStatus, Delivery
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import add_client, add_exercise_slots, add_pain_entries
from tests.support.telegram_payloads import TgUser


class Role(enum.StrEnum):
    OWNING_THERAPIST = "owning therapist"
    OTHER_THERAPIST = "another therapist"
    REMOVED_THERAPIST = "a removed therapist"
    CLIENT = "the client it belongs to"
    OTHER_CLIENT = "another client"
    ERASED_CLIENT = "an erased client"
    STRANGER = "a stranger"


USERS = {
    Role.OWNING_THERAPIST: TgUser(id=THERAPIST_ID, first_name="Terry"),
    Role.OTHER_THERAPIST: TgUser(id=900_002, first_name="Olga"),
    Role.REMOVED_THERAPIST: TgUser(id=900_003, first_name="Rex"),
    Role.CLIENT: TgUser(id=700_001, first_name="Carla"),
    Role.OTHER_CLIENT: TgUser(id=700_002, first_name="Otto"),
    Role.ERASED_CLIENT: TgUser(id=700_003, first_name="Erin"),
    Role.STRANGER: TgUser(id=700_999, first_name="Sam"),
}
THERAPIST_IDS = frozenset({USERS[Role.OWNING_THERAPIST].id, USERS[Role.OTHER_THERAPIST].id})
THERAPISTS = (Role.OWNING_THERAPIST, Role.OTHER_THERAPIST, Role.REMOVED_THERAPIST)
CLIENTS = (Role.CLIENT, Role.OTHER_CLIENT)


@dataclass(frozen=True)
class World:
    """Carla's records: what a button's record ids name."""

    records: dict[str, int]
    client_ids: dict[Role, int]


async def build_world(db: Database) -> World:
    carla = await add_client(db, USERS[Role.CLIENT], name="Carla Client")
    otto = await add_client(
        db, USERS[Role.OTHER_CLIENT], name="Otto Other", therapist_telegram_id=900_002
    )
    erin = await add_client(db, USERS[Role.ERASED_CLIENT], name="Erin Erased")
    rexs = await add_client(
        db, TgUser(id=700_004, first_name="Rita"), name="Rita Rex", therapist_telegram_id=900_003
    )
    await add_exercise_slots(db, carla, [(DEFAULT_NOW - timedelta(hours=1), None)])
    await add_pain_entries(db, carla, [(DEFAULT_NOW.date() - timedelta(days=1), 5, 3)])
    async with db.sessions.begin() as session:
        await session.execute(
            update(Client).where(Client.id == erin).values(status=ClientStatus.DELETED)
        )
        session.add(
            Alert(
                client_id=carla,
                kind="worsening_leg",
                severity=2,
                episode_key="matrix",
                evidence={},
                created_at=DEFAULT_NOW - timedelta(hours=2),
            )
        )
    async with db.sessions() as session:
        delivery = (await session.execute(select(Delivery.id))).scalar_one()
        alert = (await session.execute(select(Alert.id))).scalar_one()
    return World(
        records={"client": carla, "delivery": delivery, "alert": alert},
        client_ids={Role.CLIENT: carla, Role.OTHER_CLIENT: otto, Role.ERASED_CLIENT: erin,
                    Role.REMOVED_THERAPIST: rexs},
    )  # fmt: skip


def button_about_the_client(kind: type[Button], world: World) -> Button:
    """A valid button of `kind` whose record ids all name Carla's records."""
    given = {
        codec.name: world.records[codec.kind.table]
        for codec in kind.codecs()
        if isinstance(codec.kind, RecordId)
    }
    return kind.example(**given)


def names_a_record(kind: type[Button]) -> bool:
    return any(isinstance(codec.kind, RecordId) for codec in kind.codecs())
