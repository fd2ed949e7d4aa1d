"""Statements whose SQL differs between SQLite and PostgreSQL, chosen by the session's dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_for(session: AsyncSession, table: Any) -> Any:
    """`INSERT` with `ON CONFLICT` support for the session's database.

    Both dialects' inserts offer `on_conflict_do_nothing` / `on_conflict_do_update` with the
    same arguments, so callers stay dialect-agnostic.
    """
    # Imported per call (a cached module look-up): a bot on SQLite never loads the
    # PostgreSQL dialect's modules, nor one on PostgreSQL SQLite's.
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table)
