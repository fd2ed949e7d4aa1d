"""A bot's scheduler in a process of its own, for the crash test to SIGKILL.

    python tests/reliability/dispatcher_process.py --at 2026-06-01T08:00:00+00:00 --rate 200

Exactly what `python -m bot tick --at` runs (settings from the environment, one scheduler
pass, wait for every send, one line per delivery), except that the pace may exceed Telegram's
30 messages a second: the Bot API double has no such limit, and a test should take seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from bot.cli.tick import run_one_pass
from bot.config import load_settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--at", type=datetime.fromisoformat, required=True)
    parser.add_argument("--rate", type=float, default=30.0, help="messages a second, overall")
    args = parser.parse_args()
    # model_copy skips validation on purpose: real settings cap the rate at Telegram's 30/s.
    settings = load_settings().model_copy(update={"send_rate_per_second": args.rate})
    for line in asyncio.run(run_one_pass(settings, args.at)):
        sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
