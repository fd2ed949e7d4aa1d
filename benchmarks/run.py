"""Run the benchmarks: `python -m benchmarks.run [--quick] [--full] [--json]` (or `make bench`).

Every measurement runs in a process of its own (`benchmarks.worker`), one after another, so
two measurements never share a core or a heap. Results go to
`benchmarks/results/<date>-<scenario>.json` with the machine they ran on; stdout gets the
Markdown tables docs/benchmarks.md shows, or with `--json` one JSON object (headline figures under
`ours`, `peer` and `peer_no_grace`, everything under `scenarios`).

Sizes: `--quick` N = 500 (about a minute: the burst, a 150-client `alerts replay` and a
60-client press run of ours and the floor); the default N = 1,000 and 10,000 with every
scenario, including the running bot at rest with 200 clients (`idle_bot`) and presses at 150
and 600 clients (two interleaved rounds of ours and the floor); `--full` adds N = 100,000 and
replays the 225,000-check-in diary. `--json` puts the replay's check-ins per second at the top
level as `replay_checkins_per_s`, and the presses' figures as `presses_per_s`, `press_cpu_ms`,
`floor_presses_per_s` and `ratio_to_floor` (the smallest client count; every count under
`presses_by_clients`).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.measure import machine_info

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
TELEGRAM_RATE = 30  # messages a second: the pace our dispatcher keeps, Telegram's limit
# The downtime scenario's hour (virtual time): 09:00-10:00 BST on a Wednesday.
DOWNTIME_START = "2026-06-03T08:00:00+00:00"
SCENARIOS = ("burst", "idle_bot", "downtime", "interaction", "summary", "replay")
# The running bot at rest (`python -m bot run`, nothing due): its clients.
IDLE_BOT_CLIENTS = 200
# `alerts replay` diaries: clients × 84 days (about 90 % checked in). --full's is DESIGN.md's
# 225,000-check-in diary.
REPLAY_CLIENTS = {"quick": 150, "default": 1_000, "full": 3_000}
REPLAY_DAYS = 84
PEERS = (("peer", "default"), ("peer_no_grace", "none"))
# Beside them in the burst: `benchmarks.reference`, a minimal rows-and-tick engine (the floor).
# Check-in presses (`benchmarks.interaction`): clients pressing at once, the bot's default
# CONCURRENT_UPDATES, and rounds of ours-then-floor per client count.
INTERACTION_CLIENTS = {"quick": [60], "default": [150, 600], "full": [150, 600]}
INTERACTION_CONCURRENCY = 16
INTERACTION_ROUNDS = {"quick": 1, "default": 2, "full": 3}
# Beside the all-at-once rounds (capacity), presses arriving at the target rate (open loop) at
# the largest client count: the latency a press sees when presses come at 200 a second.
OFFERED_PRESSES_PER_S = 200.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="N = 500, under a minute")
    size.add_argument("--full", action="store_true", help="also N = 100,000 (long)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sizes", help="comma-separated N, overriding the mode's")
    parser.add_argument("--downtime-clients", type=int, help="2 slots each (default 2,500)")
    parser.add_argument("--interaction-clients", type=int, help="2 presses each (default 150)")
    parser.add_argument("--summary-clients", help="comma-separated (default 50,200)")
    parser.add_argument("--replay-clients", type=int, help="alerts replay diary size (84 days)")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results folder")
    parser.add_argument("--no-save", action="store_true", help="do not write result files")
    return parser


def _plan(args: argparse.Namespace) -> dict[str, list[dict[str, Any]]]:
    mode = _mode(args)
    sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else {
            "quick": [500],
            "default": [1_000, 10_000],
            "full": [1_000, 10_000, 100_000],
        }[mode]
    )
    wanted = (
        set(args.only.split(","))
        if args.only
        else ({"burst", "replay", "interaction"} if mode == "quick" else set(SCENARIOS))
    )
    downtime_clients = args.downtime_clients or (250 if mode == "quick" else 2_500)
    plan: dict[str, list[dict[str, Any]]] = {}
    if "burst" in wanted:
        plan["burst"] = []
        # Ours measures idle over a whole routine cadence (benchmarks.ours.IDLE_WINDOW_S, every
        # mode); the peer sleeps until its next job, so a second shows its idle in --quick.
        idle = {"idle_s": 1} if mode == "quick" else {}
        for n in sizes:
            k = max(1, n // 10)
            plan["burst"].append({"scenario": "burst", "side": "ours", "n": n, "k": k})
            for side, grace in PEERS:
                plan["burst"].append(
                    {
                        "scenario": "burst",
                        "side": "peer",
                        "label": side,
                        "n": n,
                        "k": k,
                        "grace": grace,
                        **idle,
                    }
                )
            # The reference has no routine cadence: a few seconds show its idle in --quick.
            plan["burst"].append(
                {
                    "scenario": "burst",
                    "side": "reference",
                    "label": "reference",
                    "n": n,
                    "k": k,
                    **({"idle_s": 3} if mode == "quick" else {}),
                }
            )
    if "idle_bot" in wanted:
        plan["idle_bot"] = [{"scenario": "idle_bot", "clients": IDLE_BOT_CLIENTS}]
    if "downtime" in wanted:
        base = {"scenario": "downtime", "clients": downtime_clients, "start": DOWNTIME_START}
        plan["downtime"] = [{**base, "side": "ours"}] + [
            {**base, "side": "peer", "label": side, "grace": grace} for side, grace in PEERS
        ]
    if "interaction" in wanted:
        # Ours and the floor (python-telegram-bot answering and editing only, same settings)
        # interleaved, so both see the same machine; SQLite at each client count, PostgreSQL
        # (ours) when a server is given.
        counts = (
            [args.interaction_clients] if args.interaction_clients else INTERACTION_CLIENTS[mode]
        )
        base = {"scenario": "interaction", "concurrency": INTERACTION_CONCURRENCY}
        plan["interaction"] = [
            {**base, "database": "sqlite", "clients": clients, "side": side}
            for clients in counts
            for _ in range(INTERACTION_ROUNDS[mode])
            for side in ("ours", "floor")
        ]
        if mode != "quick":
            plan["interaction"] += [
                {
                    **base,
                    "database": "sqlite",
                    "clients": max(counts),
                    "side": side,
                    "offered_per_s": OFFERED_PRESSES_PER_S,
                }
                for side in ("ours", "floor")
            ]
        if os.environ.get("TEST_POSTGRES_URL") or os.environ.get("BENCH_POSTGRES_URL"):
            plan["interaction"].append(
                {**base, "database": "postgresql", "clients": counts[0], "side": "ours"}
            )
    if "summary" in wanted:
        counts = [int(c) for c in (args.summary_clients or "50,200").split(",")]
        plan["summary"] = [{"scenario": "summary", "clients": c, "weeks": 12} for c in counts]
    if "replay" in wanted:
        plan["replay"] = [
            {
                "scenario": "replay",
                "clients": args.replay_clients or REPLAY_CLIENTS[mode],
                "days": REPLAY_DAYS,
            }
        ]
    return plan


def _mode(args: argparse.Namespace) -> str:
    return "quick" if args.quick else "full" if args.full else "default"


def run_worker(spec: dict[str, Any], *, checkout: Path = REPO_ROOT) -> dict[str, Any]:
    """One measurement in a process of its own (`benchmarks.worker`), with `checkout`'s code
    (another checkout of the project: `benchmarks.compare`); its result, or its error."""
    started = time.perf_counter()
    print(f"bench: {json.dumps(spec)}", file=sys.stderr, flush=True)
    env = None if checkout == REPO_ROOT else {**os.environ, "PYTHONPATH": str(checkout)}
    completed = subprocess.run(  # noqa: S603 - our own worker, argv only
        [sys.executable, "-m", "benchmarks.worker", json.dumps(spec)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        tail = completed.stderr.strip().splitlines()[-5:]
        print(f"bench: FAILED {' / '.join(tail)}", file=sys.stderr, flush=True)
        return {"spec": spec, "error": "\n".join(tail)}
    outcome: dict[str, Any] = json.loads(lines[-1])
    outcome["wall_s"] = round(time.perf_counter() - started, 1)
    return outcome


def _headline(scenarios: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The figures `--json` promises, for each side, from the largest N that ran."""
    heads: dict[str, dict[str, Any]] = {}
    burst = [r for r in scenarios.get("burst", []) if "result" in r]
    if burst:
        largest = max(r["spec"]["n"] for r in burst)
        for r in burst:
            if r["spec"]["n"] != largest:
                continue
            res = r["result"]
            label = r["spec"].get("label", "ours")
            heads[label] = {
                "n": res["n"],
                "k": res["k"],
                "delivered": res["delivered"],
                "lost": res["lost"],
                "duplicated": res["duplicated"],
                "claim_p99_s": res["claim_lateness"]["p99_s"],
                "send_p99_s": res["send_lateness"]["p99_s"],
                "sent_before_due": res.get("sent_before_due"),
                "send_last_s": res["send_lateness"]["max_s"],
                "send_last_target_s": round(res["k"] / TELEGRAM_RATE + 5, 1),
                "send_rate_peak_per_s": res["send_rate_peak_per_s"],
                "loop_stall_max_ms": res["loop_stall_max_ms"],
                "create_50k_s": round(res["create_s"] * 50_000 / res["n"], 2),
                "create_50k_scaled_from_n": res["n"] if res["n"] != 50_000 else None,
                "db_mb": res["db_mb"],
                "idle_cpu_ms_per_s": res["idle_cpu_ms_per_s"],
                "idle_tick_ms": res.get("idle_tick_ms"),
                "rss_mb": res["rss_mb"],
            }
    for r in scenarios.get("downtime", []):
        if "result" in r:
            res = r["result"]
            heads.setdefault(r["spec"].get("label", "ours"), {})["downtime"] = {
                key: res[key]
                for key in (
                    "slots",
                    "sent_late",
                    "recorded_missed",
                    "dropped_unrecorded",
                    "duplicated",
                    "catch_up_per_client_max",
                )
            }
    for r in scenarios.get("replay", []):
        if "result" in r:
            heads.setdefault("ours", {})["replay"] = r["result"]
    for r in scenarios.get("idle_bot", []):
        if "result" in r:
            heads.setdefault("ours", {})["running_bot"] = r["result"]
    return heads


def _replay_figure(scenarios: dict[str, list[dict[str, Any]]]) -> float | None:
    """`alerts replay` check-ins per second (the largest diary that ran)."""
    runs = [r["result"] for r in scenarios.get("replay", []) if "result" in r]
    return max(runs, key=lambda r: r["checkins"])["checkins_per_s"] if runs else None


def _press_figures(scenarios: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Check-in presses on SQLite per client count: ours and the floor (medians of the
    interleaved rounds), ours ÷ floor, the worst p99 and every failed press."""
    runs = [
        r["result"]
        for r in scenarios.get("interaction", [])
        if "result" in r
        and r["result"]["database"] == "sqlite"
        and not r["result"].get("offered_per_s")
    ]
    figures: dict[str, Any] = {}
    for clients in sorted({r["clients"] for r in runs}):
        ours = [r for r in runs if r["clients"] == clients and r["side"] == "ours"]
        floor = [r for r in runs if r["clients"] == clients and r["side"] == "floor"]
        if not ours:
            continue
        pps = statistics.median(r["presses_per_s"] for r in ours)
        floor_pps = statistics.median(r["presses_per_s"] for r in floor) if floor else None
        figures[str(clients)] = {
            "presses_per_s": pps,
            "press_cpu_ms": statistics.median(r["bot_cpu_ms_per_press"] for r in ours),
            "press_p99_s": max(r["latency"]["p99_s"] or 0 for r in ours),
            "failed_presses": sum(r["failed_presses"] for r in ours),
            "floor_presses_per_s": floor_pps,
            "floor_press_cpu_ms": (
                statistics.median(r["bot_cpu_ms_per_press"] for r in floor) if floor else None
            ),
            "ratio_to_floor": round(pps / floor_pps, 2) if floor_pps else None,
            "rounds": len(ours),
        }
    return figures


def _offered_figures(scenarios: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The open-loop rounds: presses arriving at a set rate, each side's latency."""
    return [
        r["result"]
        for r in scenarios.get("interaction", [])
        if "result" in r and r["result"].get("offered_per_s")
    ]


def _headline_presses(scenarios: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """`presses_per_s`, `press_cpu_ms`, `floor_presses_per_s` (and the rest) at the smallest
    client count that ran, with every count under `presses_by_clients`."""
    figures = _press_figures(scenarios)
    if not figures:
        return {"presses_per_s": None, "press_cpu_ms": None, "floor_presses_per_s": None}
    first = figures[min(figures, key=int)]
    offered = [
        {
            key: res[key]
            for key in ("side", "clients", "offered_per_s", "presses_per_s", "failed_presses")
        }
        | {"press_p99_s": res["latency"]["p99_s"]}
        for res in _offered_figures(scenarios)
    ]
    return {**first, "presses_by_clients": figures, "presses_at_offered_rate": offered}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _ratio(peer: Any, ours: Any) -> str:
    if not isinstance(peer, int | float) or not isinstance(ours, int | float):
        return "—"
    if ours < 0:
        return "—"  # claimed before due (look-ahead): a ratio means nothing
    if ours == 0:
        return "—" if peer == 0 else "∞"
    return f"{peer / ours:,.1f}×"


_BURST_ROWS: tuple[tuple[str, str, str], ...] = (
    ("delivered", "delivered (of K)", "K"),
    ("lost", "lost", "0"),
    ("duplicated", "duplicated", "0"),
    ("claim_lateness.p50_s", "claim lateness p50 (s; < 0: claimed before due)", ""),
    ("claim_lateness.p99_s", "claim lateness p99 (s; < 0: claimed before due)", "≤ 1"),
    ("claim_lateness.max_s", "claim lateness max (s; < 0: claimed before due)", ""),
    ("sent_before_due", "sent before due (ours)", "0"),
    ("send_lateness.p50_s", "send lateness p50 (s)", ""),
    ("send_lateness.p99_s", "send lateness p99 (s)", ""),
    ("send_lateness.max_s", "last send after due (s)", "≤ K/30 + 5"),
    ("send_rate_peak_per_s", "peak send rate (msg/s)", "≤ 30"),
    ("loop_stall_max_ms", "longest loop stall (ms)", "≤ 100"),
    ("create_s", "create N schedules (s)", "50k ≤ 10"),
    ("db_mb", "database size (MB)", ""),
    ("rss_mb", "peak RSS (MB)", "≤ 70 at 10k, ≤ 80 at 100k"),
    ("idle_cpu_ms_per_s", "idle CPU (ms per s)", "≤ 2"),
)


def _get(result: dict[str, Any], path: str) -> Any:
    value: Any = result
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _tables(scenarios: dict[str, list[dict[str, Any]]]) -> str:
    out: list[str] = []
    burst = [r for r in scenarios.get("burst", []) if "result" in r]
    for n in sorted({r["spec"]["n"] for r in burst}):
        sides = {r["spec"].get("label", "ours"): r["result"] for r in burst if r["spec"]["n"] == n}
        ours, peer, loose, floor = (
            sides.get("ours", {}),
            sides.get("peer", {}),
            sides.get("peer_no_grace", {}),
            sides.get("reference", {}),
        )
        k = max(1, n // 10)
        out.append(f"\n**Burst: N = {n:,} schedules, K = {k:,} due in the same minute**\n")
        out.append(
            "| metric | ours | peer, grace 1 s | peer ÷ ours | peer, grace off "
            "| peer ÷ ours | reference | reference ÷ ours | target (ours) |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for path, name, target in _BURST_ROWS:
            a, b, c = _get(ours, path), _get(peer, path), _get(loose, path)
            d = _get(floor, path)
            target = target.replace("K/30 + 5", f"{k / TELEGRAM_RATE + 5:,.1f}").replace(
                "K", f"{k:,}"
            )
            out.append(
                f"| {name} | {_fmt(a)} | {_fmt(b)} | {_ratio(b, a)} | {_fmt(c)} "
                f"| {_ratio(c, a)} | {_fmt(d)} | {_ratio(d, a)} | {target} |"
            )
        if "idle_tick_ms" in ours:
            out.append(
                f"\nOurs: a tick with nothing due takes {_fmt(ours['idle_tick_ms'])} ms on "
                f"average over {_fmt(ours.get('idle_s'))} s of idle (the longest "
                f"{_fmt(ours.get('idle_tick_max_ms'))} ms, the routine pass); the busiest pass "
                f"{_fmt(ours.get('busiest_pass_s'))} s."
            )
    resting = [r for r in scenarios.get("idle_bot", []) if "result" in r]
    if resting:
        out.append(
            "\n**The running bot at rest: `python -m bot run`, long polling the Bot API double, "
            "nothing due (ours)**\n"
        )
        out.append("| clients | idle CPU (ms per s) | peak RSS (MB) | window (s) | target |")
        out.append("|---:|---:|---:|---:|---|")
        for r in resting:
            res = r["result"]
            out.append(
                f"| {res['clients']} | {_fmt(res['bot_idle_cpu_ms_per_s'])} "
                f"| {_fmt(res['bot_rss_mb'])} | {_fmt(res['idle_s'])} | ≤ 2 ms/s, ≤ 90 MB |"
            )
    down = {
        r["spec"].get("label", "ours"): r["result"]
        for r in scenarios.get("downtime", [])
        if "result" in r
    }
    if down:
        slots = next(iter(down.values()))["slots"]
        out.append(
            f"\n**Downtime: stopped for 1 hour across {slots:,} due slots "
            f"({slots // 2:,} clients × 2), then restarted**\n"
        )
        out.append("| metric | ours | peer, grace 1 s | peer, grace off | target (ours) |")
        out.append("|---|---:|---:|---:|---|")
        for key, name, target in (
            ("sent_late", "sent late (catch-up)", "≤ 1 per client"),
            ("recorded_missed", "recorded missed", "the rest"),
            ("dropped_unrecorded", "dropped without a trace", "0"),
            ("duplicated", "duplicated", "0"),
            ("catch_up_per_client_max", "catch-up messages per client (max)", "≤ 1"),
            ("send_rate_peak_per_s", "peak send rate (msg/s)", ""),
            ("loop_stall_max_ms", "longest loop stall (ms)", ""),
        ):
            out.append(
                f"| {name} | {_fmt(down.get('ours', {}).get(key))} "
                f"| {_fmt(down.get('peer', {}).get(key))} "
                f"| {_fmt(down.get('peer_no_grace', {}).get(key))} | {target} |"
            )
    presses = [r for r in scenarios.get("interaction", []) if "result" in r]
    if presses:
        out.append(
            "\n**Check-in presses: the real bot process (`python -m bot run`) against the Bot "
            "API double, beside the floor (`python -m benchmarks.floor_bot`: python-telegram-bot "
            "with the same Application settings, answering and editing only), in run order**\n"
        )
        out.append(
            "| side | database | clients | concurrent_updates | presses | presses/s | p50 (s) "
            "| p99 (s) | failed presses | bot CPU per press (ms) | bot CPU share |"
        )
        out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in presses:
            res = r["result"]
            out.append(
                f"| {res.get('side', 'ours')} | {res['database']} | {res['clients']} "
                f"| {res['concurrent_updates']} | {res['presses']} "
                f"| {_fmt(res['presses_per_s'])} | {_fmt(res['latency']['p50_s'])} "
                f"| {_fmt(res['latency']['p99_s'])} | {res.get('failed_presses')} "
                f"| {_fmt(res.get('bot_cpu_ms_per_press'))} | {_fmt(res.get('bot_cpu_share'))} |"
            )
        figures = _press_figures(scenarios)
        if figures:
            out.append(
                "\n| clients (SQLite) | ours presses/s | floor presses/s | ours ÷ floor "
                "| ours CPU per press (ms) | floor CPU per press (ms) | worst p99 (s) "
                "| failed presses | target |"
            )
            out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for clients, f in figures.items():
                out.append(
                    f"| {clients} | {_fmt(f['presses_per_s'])} "
                    f"| {_fmt(f['floor_presses_per_s'])} | {_fmt(f['ratio_to_floor'])} "
                    f"| {_fmt(f['press_cpu_ms'])} | {_fmt(f['floor_press_cpu_ms'])} "
                    f"| {_fmt(f['press_p99_s'])} | {f['failed_presses']} "
                    "| ≥ 200/s, ÷ floor ≥ 0.6, ≤ 5 ms, p99 ≤ 1 s, 0 failed |"
                )
        offered = _offered_figures(scenarios)
        if offered:
            out.append(
                "\n**The same presses arriving at a set rate (open loop): each client starts "
                "its two taps at its turn, so presses come at the rate below whatever the bot "
                "does; the latency a press sees at that load**\n"
            )
            out.append(
                "| side | clients | offered presses/s | achieved presses/s | p50 (s) | p99 (s) "
                "| max (s) | failed presses | bot CPU per press (ms) | target |"
            )
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
            for res in offered:
                out.append(
                    f"| {res['side']} | {res['clients']} | {_fmt(res['offered_per_s'])} "
                    f"| {_fmt(res['presses_per_s'])} | {_fmt(res['latency']['p50_s'])} "
                    f"| {_fmt(res['latency']['p99_s'])} | {_fmt(res['latency']['max_s'])} "
                    f"| {res['failed_presses']} | {_fmt(res.get('bot_cpu_ms_per_press'))} "
                    "| p99 ≤ 1 s, 0 failed |"
                )
    summaries = [r for r in scenarios.get("summary", []) if "result" in r]
    if summaries:
        out.append("\n**Weekly summary with its chart, 12 weeks of data (ours)**\n")
        out.append("| clients | summary (s) | chart (s) | total (s) | SQL statements | target |")
        out.append("|---:|---:|---:|---:|---:|---|")
        for r in summaries:
            res = r["result"]
            out.append(
                f"| {res['clients']} | {_fmt(res['summary_s'])} | {_fmt(res['chart_s'])} "
                f"| {_fmt(res['total_s'])} | {res['sql_statements']} "
                f"| ≤ 3 s, constant queries |"
            )
    replays = [r for r in scenarios.get("replay", []) if "result" in r]
    if replays:
        out.append(
            "\n**`python -m bot alerts replay`: a seeded diary through the production path "
            "(fresh SQLite, migrations included)**\n"
        )
        out.append(
            "| clients | check-ins | processes | alerts | seconds | check-ins/s "
            "| CPU s (all processes) | target |"
        )
        out.append("|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in replays:
            res = r["result"]
            out.append(
                f"| {res['clients']:,} | {res['checkins']:,} | {res['processes']} "
                f"| {res['alerts']:,} | {_fmt(res['seconds'])} | {_fmt(res['checkins_per_s'])} "
                f"| {_fmt(res['cpu_s'])} | ≥ 1,000/s |"
            )
    failed = [r for rows in scenarios.values() for r in rows if "error" in r]
    for r in failed:
        out.append(f"\nFAILED {json.dumps(r['spec'])}: {r['error']}")
    return "\n".join(out).lstrip("\n")


def _save(
    folder: Path,
    mode: str,
    scenario: str,
    runs: list[dict[str, Any]],
    info: dict[str, Any],
    argv: Sequence[str],
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    suffix = "" if mode == "default" else f"-{mode}"
    path = folder / f"{stamp}-{scenario}{suffix}.json"
    document = {
        "scenario": scenario,
        "mode": mode,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "python -m benchmarks.run " + " ".join(argv),
        "machine": info,
        "runs": runs,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    mode = _mode(args)
    info = machine_info()
    started = time.perf_counter()
    scenarios: dict[str, list[dict[str, Any]]] = {}
    for scenario, specs in _plan(args).items():
        scenarios[scenario] = [run_worker(spec) for spec in specs]
        if not args.no_save:
            saved = _save(args.out, mode, scenario, scenarios[scenario], info, argv)
            print(f"bench: wrote {saved}", file=sys.stderr, flush=True)
    if args.json:
        print(
            json.dumps(
                {
                    "mode": mode,
                    "seconds": round(time.perf_counter() - started, 1),
                    "machine": info,
                    **_headline(scenarios),
                    "replay_checkins_per_s": _replay_figure(scenarios),
                    **_headline_presses(scenarios),
                    "scenarios": scenarios,
                }
            )
        )
    else:
        print(_tables(scenarios))
    failed = any("error" in r for rows in scenarios.values() for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
