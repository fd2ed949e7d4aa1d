"""Command line: `python -m bot run | db upgrade | content check | ...`, one module per subcommand.

Each module adds its parser with `add_to(commands)` and names the function that runs it
(`set_defaults(command_main=...)`); the function takes the parsed arguments and returns the exit
status. Problems a user can fix (a missing token, a bad setting, broken content) are printed as
one line each on stderr and exit with status 2 — never a traceback. Modules import what their
command needs inside the function, so `--help` and `alerts replay` stay light.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from bot.cli import alerts, bench, clients, content, db, health, run, summary, tick
from bot.cli.usage import fail
from bot.config import ConfigError

__all__ = ["main"]

# In the order `python -m bot --help` lists them.
SUBCOMMANDS = (run, db, health, content, clients, tick, summary, alerts, bench)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot",
        description="Sciatica exercise-reminder bot for a therapist and their clients.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.add_to(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command_main: Callable[[argparse.Namespace], int] = args.command_main
    try:
        return command_main(args)
    except ConfigError as exc:
        return fail(str(exc))
