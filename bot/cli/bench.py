"""`python -m bot bench [--quick] [--full] [--json]`: the benchmarks beside the naive peer.

Delegates to `python -m benchmarks.run`: benchmarks/ ships with the source, not the wheel, and
needs no settings (it runs its own bot against a Bot API double). docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.usage import fail

if TYPE_CHECKING:
    from bot.cli.usage import Subcommands

__all__ = ["add_to"]

SOURCE_ROOT = Path(__file__).resolve().parents[2]


def add_to(commands: Subcommands) -> None:
    bench = commands.add_parser(
        "bench", help="measure the scheduler beside the naive peer (needs a source checkout)"
    )
    bench.add_argument("--quick", action="store_true", help="N = 500, under a minute")
    bench.add_argument("--full", action="store_true", help="also N = 100,000 (long)")
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.set_defaults(command_main=main)


def main(args: argparse.Namespace) -> int:
    if not (SOURCE_ROOT / "benchmarks" / "run.py").is_file():
        return fail("benchmarks/ is not here: run `python -m bot bench` from a source checkout")
    flags = [f"--{name}" for name in ("quick", "full", "json") if getattr(args, name)]
    command = [sys.executable, "-m", "benchmarks.run", *flags]
    return subprocess.run(command, cwd=SOURCE_ROOT, check=False).returncode  # noqa: S603
