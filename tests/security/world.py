"""A small practice with every kind of person the authorization checks care about.

Two therapists in THERAPIST_IDS (the owner of Carla, and another with a client of their own),
a therapist removed from THERAPIST_IDS (their rows stay), Carla with two exercises, a delivered
reminder and an open alert, another client, an erased client, a stranger and an unused invite
of Carla's therapist. Written straight to the database.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from bot.buttons import Button, RecordId
from bot.db.engine import Database
from bot.db.models import Alert, Client, Delivery
from bot.services.invites import create_invite
from tests.conftest import DEFAULT_NOW, THERAPIST_ID
from tests.handlers.client_seed import (
    add_client,
    add_exercise_slots,
    add_pain_entries,
    add_prescription,
)
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
    invite_token: str


async def build_world(db: Database) -> World:
    carla = await add_client(db, USERS[Role.CLIENT], name="Carla Client")
    otto = await add_client(
        db, USERS[Role.OTHER_CLIENT], name="Otto Other", therapist_telegram_id=900_002
    )
    erin = await add_client(db, USERS[Role.ERASED_CLIENT], name="Erin Erased")
    rexs = await add_client(
        db, TgUser(id=700_004, first_name="Rita"), name="Rita Rex", therapist_telegram_id=900_003
    )
    for slug in ("bird-dog", "clamshell"):
        await add_prescription(db, carla, slug)
    await add_exercise_slots(db, carla, [(DEFAULT_NOW - timedelta(hours=1), None)])
    await add_pain_entries(db, carla, [(DEFAULT_NOW.date() - timedelta(days=1), 5, 3)])
    async with db.sessions.begin() as session:
        # What /delete leaves of a client: nothing (tests/handlers/test_erasure_traces.py).
        await session.execute(delete(Client).where(Client.id == erin))
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
    invite = await create_invite(
        db,
        therapist_telegram_id=THERAPIST_ID,
        therapist_name="Terry",
        client_name="Nina New",
        default_timezone="Europe/London",
        ttl_days=7,
        now=DEFAULT_NOW - timedelta(hours=1),
    )
    return World(
        records={"client": carla, "delivery": delivery, "alert": alert},
        client_ids={Role.CLIENT: carla, Role.OTHER_CLIENT: otto, Role.ERASED_CLIENT: erin,
                    Role.REMOVED_THERAPIST: rexs},
        invite_token=invite.token,
    )  # fmt: skip


def button_about_the_client(
    kind: type[Button], world: World, **fields: object
) -> Button:  # fmt: skip
    """A valid button of `kind` whose record ids all name Carla's records (and the world's
    invite token); other fields are their kind's example unless given."""
    given: dict[str, object] = {
        codec.name: world.records[codec.kind.table]
        for codec in kind.codecs()
        if isinstance(codec.kind, RecordId)
    }
    if any(codec.name == "token" for codec in kind.codecs()):
        given["token"] = world.invite_token
    return kind.example(**(given | fields))


def names_a_record(kind: type[Button]) -> bool:
    return any(isinstance(codec.kind, RecordId) for codec in kind.codecs())
