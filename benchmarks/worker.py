"""One measurement in a process of its own: `python -m benchmarks.worker '<json spec>'`.

A fresh process per measurement keeps peak RSS honest (`ru_maxrss` of this process only) and
stops one side's leftovers (threads, caches, a warmed-up allocator) from helping the other.
Prints exactly one JSON object on the last line of stdout.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import datetime
from typing import Any


async def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    scenario, side = spec["scenario"], spec.get("side", "ours")
    if scenario == "burst" and side == "ours":
        from benchmarks import ours

        idle = {"idle_s": spec["idle_s"]} if "idle_s" in spec else {}
        return await ours.burst(spec["n"], spec["k"], **idle)
    if scenario == "burst" and side == "reference":
        from benchmarks import reference

        idle = {"idle_s": spec["idle_s"]} if "idle_s" in spec else {}
        return await reference.burst(spec["n"], spec["k"], **idle)
    if scenario == "burst":
        from benchmarks import peer

        return await peer.burst(spec["n"], spec["k"], spec["grace"], idle_s=spec.get("idle_s", 3))
    if scenario == "idle_bot":
        from benchmarks import idle_bot

        return await idle_bot.idle(spec["clients"])
    if scenario == "downtime":
        start = datetime.fromisoformat(spec["start"])
        if side == "ours":
            from benchmarks import ours

            return await ours.downtime(spec["clients"], start)
        from benchmarks import peer

        return await peer.downtime(spec["clients"], spec["grace"], start)
    if scenario == "interaction":
        from benchmarks import interaction

        url = await interaction.bench_postgres_url() if spec["database"] == "postgresql" else None
        return await interaction.presses(
            spec["concurrency"],
            spec["clients"],
            url,
            side=spec.get("side", "ours"),
            offered_per_s=spec.get("offered_per_s"),
        )
    if scenario == "summary":
        from benchmarks import summary_build

        return await summary_build.build(spec["clients"], spec["weeks"])
    if scenario == "replay":
        from benchmarks import replay

        return await replay.throughput(spec["clients"], spec["days"])
    raise SystemExit(f"unknown scenario {scenario!r}")


def main() -> None:
    # Both sides log through the same silent root handler: no cost difference from output.
    logging.basicConfig(level=logging.WARNING, handlers=[logging.NullHandler()])
    spec = json.loads(sys.argv[1])
    result = asyncio.run(_measure(spec))
    print(json.dumps({"spec": spec, "result": result}))


if __name__ == "__main__":
    main()
