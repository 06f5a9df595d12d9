"""The small-call and import scenarios still run: ``--quick --only calls,import``.

Not a benchmark: whatever the figures, each scenario must print its rows (the SDK beside its
baseline) and its goal lines, which the run's summary and the README are built from.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_calls_and_import_runs_print_their_rows_and_goals() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "calls,import"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    rows = {line.split("|")[1].strip(): float(line.split("|")[2].replace(",", ""))
            for line in out.splitlines() if line.startswith(("| SDK", "| raw", "| baseline"))}
    for name in ("SDK: payment_request_digests.get(id=...), concurrency 1",
                 "raw aiohttp + msgspec, concurrency 1",
                 "SDK: payment_request_digests.get(id=...), concurrency 32",
                 "raw aiohttp + msgspec, concurrency 32",
                 "SDK: import concur_async", "baseline: import aiohttp, msgspec"):
        assert rows[name] > 0, name
    goals = [line for line in out.splitlines() if line.startswith("- goal:")]
    assert len(goals) == 3
    assert sum("concurrency" in goal for goal in goals) == 2
    assert sum("import concur_async minus" in goal for goal in goals) == 1
