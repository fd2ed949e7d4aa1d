"""What a user's next typed message means: the one place that reads and writes `pending_input`.

One row per Telegram id (a user's next text means one thing). Every flow that waits for typed
input — a message to relay, a pain note, a time zone, a time, a prescription draft — stores it
through `put_pending` (`put_pending_on` inside a Core transaction), so there is one way a
row is made.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from bot.db.models import PendingInput


def _put_statement(dialect: Any) -> Any:
    """INSERT … ON CONFLICT (telegram_id) DO UPDATE: the newest wait replaces the older one."""
    statement = dialect.insert(PendingInput)
    return statement.on_conflict_do_update(
        index_elements=[PendingInput.telegram_id],
        set_={
            "kind": statement.excluded.kind,
            "payload": statement.excluded.payload,
            "expires_at": statement.excluded.expires_at,
        },
    )


# Built once per dialect: every check-in writes one (the pain-note invitation).
_PUT = {"sqlite": _put_statement(sqlite), "postgresql": _put_statement(postgresql)}


async def put_pending_on(
    connection: AsyncConnection,
    *,
    telegram_id: int,
    kind: str,
    payload: dict[str, Any],
    expires_at: datetime,
) -> None:
    """Wait for `telegram_id`'s next text as `kind` (replacing whatever was awaited), in a
    Core transaction (a check-in's)."""
    await connection.execute(
        _PUT[connection.dialect.name],
        {"telegram_id": telegram_id, "kind": kind, "payload": payload, "expires_at": expires_at},
    )


async def put_pending(
    session: AsyncSession,
    *,
    telegram_id: int,
    kind: str,
    payload: dict[str, Any],
    expires_at: datetime,
) -> None:
    """Wait for `telegram_id`'s next text as `kind` (replacing whatever was awaited)."""
    await session.flush()
    await put_pending_on(
        await session.connection(),
        telegram_id=telegram_id,
        kind=kind,
        payload=payload,
        expires_at=expires_at,
    )
    # A row this session loaded before now holds what was just written (without a reload,
    # which an async session could not do lazily).
    loaded = session.identity_map.get(identity_key(PendingInput, telegram_id))
    if isinstance(loaded, PendingInput):
        for name, value in (("kind", kind), ("payload", payload), ("expires_at", expires_at)):
            set_committed_value(loaded, name, value)


async def pending_row(
    session: AsyncSession, telegram_id: int, *, lock: bool = False
) -> PendingInput | None:
    """The row, expired or not (a flow that takes it also deletes an expired one)."""
    return await session.get(PendingInput, telegram_id, with_for_update=lock or None)


async def awaited_row(
    session: AsyncSession, telegram_id: int, now: datetime
) -> PendingInput | None:
    """The row while it is still awaited (not expired)."""
    row = await session.get(PendingInput, telegram_id)
    return None if row is None or row.expires_at <= now else row


async def awaited_kind(session: AsyncSession, telegram_id: int, now: datetime) -> str | None:
    """The kind of input awaited from `telegram_id` (None: nothing, or it expired)."""
    return (
        await session.execute(
            select(PendingInput.kind).where(
                PendingInput.telegram_id == telegram_id, PendingInput.expires_at > now
            )
        )
    ).scalar_one_or_none()


# Built once: every typed message reads it (the text router).
_STORED_KIND = select(PendingInput.kind).where(PendingInput.telegram_id == bindparam("telegram_id"))


async def stored_kind(connection: AsyncConnection, telegram_id: int) -> str | None:
    """The kind of the row, expired or not: the flow that owns it tidies an expired one."""
    result = await connection.execute(_STORED_KIND, {"telegram_id": telegram_id})
    return result.scalar_one_or_none()


async def clear_pending(
    session: AsyncSession, telegram_id: int, kinds: Collection[str] | None = None
) -> str | None:
    """Stop waiting (only for one of `kinds`, when given); the kind that was awaited, or None."""
    statement = delete(PendingInput).where(PendingInput.telegram_id == telegram_id)
    if kinds is not None:
        statement = statement.where(PendingInput.kind.in_(tuple(kinds)))
    result = await session.execute(statement.returning(PendingInput.kind))
    return result.scalar_one_or_none()
