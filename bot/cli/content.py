"""`python -m bot content check [--dir DIR]`: validate the exercise library, one
`file: field: problem` line per problem on stderr, exit status 1 when there is any."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import load_settings

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["add_to"]


def add_to(commands: Subcommands) -> None:
    content = commands.add_parser("content", help="exercise library tools")
    actions = content.add_subparsers(dest="content_command", required=True)
    check = actions.add_parser("check", help="validate content/exercises/*.md")
    check.add_argument("--dir", type=Path, default=None, help="library folder (CONTENT_DIR)")
    content.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    from bot.content import check_library

    settings = load_settings()  # a bad setting is reported even with --dir, as for every command
    folder: Path = args.dir or settings.content_dir
    problems = check_library(folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {folder}", file=sys.stderr)
        return 1
    print(f"content OK: {folder}")
    return 0
