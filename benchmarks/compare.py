"""Interleaved before/after of the interaction benchmark across checkouts.

`python -m benchmarks.compare --rounds 3 --clients 600 PATH_A PATH_B [PATH:floor ...]` runs
`python -m benchmarks.worker` for each checkout in turn (A, B, A, B, ...), each with its own
code on `PYTHONPATH`, so every side sees the same minutes of a shared machine; `PATH:floor`
runs that checkout's floor bot instead. Prints each run, then per side the median and the
lowest bot CPU per press and the median and highest presses per second.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from benchmarks.run import INTERACTION_CONCURRENCY, run_worker


def _run(path: str, side: str, clients: int) -> dict[str, Any] | None:
    spec = {
        "scenario": "interaction",
        "side": side,
        "concurrency": INTERACTION_CONCURRENCY,
        "clients": clients,
        "database": "sqlite",
    }
    outcome = run_worker(spec, checkout=Path(path).resolve())
    result: dict[str, Any] | None = outcome.get("result")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=600)
    parser.add_argument("checkouts", nargs="+", help="paths; PATH:floor for its floor bot")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in args.checkouts}
    for _ in range(args.rounds):
        for name in args.checkouts:
            path, _, side = name.partition(":")
            result = _run(path, side or "ours", args.clients)
            if result is not None:
                runs[name].append(result)
                print(
                    f"{name}: {result['bot_cpu_ms_per_press']} ms a press, "
                    f"{result['presses_per_s']} presses/s, {result['failed_presses']} failed",
                    flush=True,
                )
    for name, results in runs.items():
        if not results:
            continue
        cpu = [r["bot_cpu_ms_per_press"] for r in results]
        rate = [r["presses_per_s"] for r in results]
        print(
            f"{name}: CPU a press median {statistics.median(cpu):.2f} ms (lowest {min(cpu):.2f}), "
            f"presses/s median {statistics.median(rate):.1f} (highest {max(rate):.1f}), "
            f"failed {sum(r['failed_presses'] for r in results)}"
        )


if __name__ == "__main__":
    main()
