"""`python -m bot alerts replay DIARY.csv`: the replay's alerts as JSON lines or a table.

The replay itself is `bot.services.alert_replay`; this module only prints what it returns.
Unlike `tick` and `summary` it needs no settings: the replay has a database of its own and
talks to no one. A bad row is `file:line: problem` on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.usage import aware_datetime, fail
from bot.domain.alerts import DEFAULT_SENSITIVITY, Sensitivity

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands
    from bot.services.alert_replay import ReplayedAlert

__all__ = ["NO_ALERTS", "TABLE_HEADER", "add_to", "json_lines", "table"]

TABLE_HEADER = ("raised at (UTC)", "client", "kind", "what the therapist reads")
NO_ALERTS = "No alerts."


def add_to(commands: Subcommands) -> None:
    alerts = commands.add_parser("alerts", help="trend-alert tools")
    actions = alerts.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    replay = actions.add_parser(
        "replay",
        help="what the bot would have told the therapist about DIARY.csv "
        "(client,timezone,at,leg,back); needs no token or database",
    )
    replay.add_argument("diary", type=Path, metavar="DIARY.csv")
    replay.add_argument("--json", action="store_true", help="one JSON object per alert per line")
    replay.add_argument(
        "--until",
        type=aware_datetime,
        default=None,
        help="run the day-end passes up to this ISO instant (default: last row + 1 day)",
    )
    replay.add_argument(
        "--sensitivity",
        choices=[s.value for s in Sensitivity],
        default=DEFAULT_SENSITIVITY.value,
        help="ALERT_SENSITIVITY to replay with (default: %(default)s)",
    )
    alerts.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    import asyncio

    from bot.services.alert_replay import DiaryError, read_diary, replay

    try:
        rows = read_diary(args.diary)
    except DiaryError as exc:
        return fail(str(exc))
    alerts = asyncio.run(replay(rows, until=args.until, sensitivity=Sensitivity(args.sensitivity)))
    for line in json_lines(alerts) if args.json else [table(alerts)]:
        print(line)
    return 0


def json_lines(alerts: Sequence[ReplayedAlert]) -> list[str]:
    """One JSON object per alert: client, kind, raised_at (ISO UTC), evidence."""
    return [json.dumps(a.as_json(), ensure_ascii=False) for a in alerts]


def table(alerts: Sequence[ReplayedAlert]) -> str:
    """One line per alert; the evidence as the therapist reads it under the alert's title."""
    from bot.texts.alerts import details_for

    if not alerts:
        return NO_ALERTS
    rows = [
        (
            f"{a.raised_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            a.client,
            a.kind.value,
            details_for(a.kind, a.evidence),
        )
        for a in alerts
    ]
    widths = [max(len(row[i]) for row in [TABLE_HEADER, *rows]) for i in range(3)]
    return "\n".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:3], widths, strict=True)), row[3]])
        for row in [TABLE_HEADER, *rows]
    )
