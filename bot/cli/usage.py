"""What every subcommand shares: the exit status for a problem the user can fix, printed as one
line on stderr, and the type of an `--at`/`--until` instant."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import TypeAlias

    # argparse's class for `add_subparsers()`; private, so commands name it through this alias.
    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

__all__ = ["EXIT_USAGE", "aware_datetime", "fail"]

EXIT_USAGE = 2


def fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_USAGE


def aware_datetime(value: str) -> datetime:
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not an ISO date-time") from None
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} needs a UTC offset, e.g. ...T08:00+00:00")
    return when.astimezone(UTC)
