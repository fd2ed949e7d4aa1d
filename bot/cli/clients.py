"""`python -m bot clients reassign --from ID --to ID`: hand a departed therapist's clients to
another therapist. Prints ids and counts only: no names."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.cli.usage import fail
from bot.config import load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands
    from bot.services.reassign import Reassigned

__all__ = ["add_to"]


def add_to(commands: Subcommands) -> None:
    clients = commands.add_parser("clients", help="client administration")
    actions = clients.add_subparsers(dest="clients_command", required=True)
    reassign = actions.add_parser(
        "reassign", help="move a departed therapist's clients to another therapist"
    )
    reassign.add_argument("--from", dest="from_id", type=int, required=True, help="Telegram id")
    reassign.add_argument("--to", dest="to_id", type=int, required=True, help="Telegram id")
    clients.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    import asyncio

    from bot.db.engine import Database
    from bot.services.reassign import reassign_clients

    settings = load_settings()
    from_id: int = args.from_id
    to_id: int = args.to_id
    if to_id not in settings.therapist_ids:
        return fail(
            f"{to_id} is not in THERAPIST_IDS: add them first, or they would receive nothing"
        )

    async def run() -> Reassigned | None:
        db = Database.connect(settings.database_url)
        try:
            return await reassign_clients(
                db,
                from_telegram_id=from_id,
                to_telegram_id=to_id,
                timezone=settings.default_timezone,
                practice=settings.practice_name,
                now=datetime.now(tz=UTC),
            )
        finally:
            await db.dispose()

    result = asyncio.run(run())
    if result is None:
        return fail(f"therapist {from_id} has no clients to move")
    print(
        f"moved {result.moved} client(s) from {from_id} to {to_id}; "
        f"{result.told} will be told who now sees their data; "
        f"{result.requeued} queued message(s) re-addressed"
    )
    return 0
