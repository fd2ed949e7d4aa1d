"""The benchmark itself works: a tiny quick run reports both sides (figures are not judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HEADLINE = (
    "lost",
    "duplicated",
    "claim_p99_s",
    "loop_stall_max_ms",
    "create_50k_s",
    "rss_mb",
    "idle_cpu_ms_per_s",
)


@pytest.mark.slow
def test_quick_bench_reports_every_headline_figure_for_ours_and_the_peer(tmp_path: Path) -> None:
    completed = subprocess.run(  # noqa: S603 - our own runner
        [
            sys.executable,
            "-m",
            "benchmarks.run",
            "--quick",
            "--json",
            "--sizes",
            "50",
            "--replay-clients",
            "6",
            "--interaction-clients",
            "5",
            "--out",
            str(tmp_path),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    report = json.loads(completed.stdout)

    for side in ("ours", "peer", "peer_no_grace"):
        assert set(HEADLINE) <= set(report[side]), side
    # Our engine's correctness is not a matter of speed: nothing lost, nothing sent twice.
    assert report["ours"]["lost"] == 0
    assert report["ours"]["duplicated"] == 0
    assert report["ours"]["delivered"] == report["ours"]["k"]
    # `alerts replay` throughput is reported at the top level (the figure is not judged here).
    assert report["replay_checkins_per_s"] > 0
    assert report["ours"]["replay"]["checkins"] > 0
    # Check-in presses, ours beside the floor bot, through the real processes: every press
    # answered as it should be (figures are not judged here).
    assert report["presses_per_s"] > 0 and report["floor_presses_per_s"] > 0
    assert report["press_cpu_ms"] > 0
    assert report["failed_presses"] == 0
    saved = json.loads(next(tmp_path.glob("*-burst-quick.json")).read_text())
    assert saved["machine"]["cpu_count"] >= 1
