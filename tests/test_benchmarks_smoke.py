"""The benchmark harness still runs: ``python -m benchmarks --quick --only stream``.

Not a benchmark: it checks that the harness starts LocalConcur in its own process, streams
through the SDK (and whichever baselines are installed) and prints its table.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_stream_run_prints_its_table() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "stream"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout
    assert "### 1. Stream 5,000 vendors" in out
    sdk_row = next(line for line in out.splitlines() if line.startswith("| SDK: vendors.list()"))
    median = float(sdk_row.split("|")[2].replace(",", ""))
    assert median > 0
    assert "goal:" in out or "skipped" in out
    summary = out[out.index("### Summary: every goal of this run"):]
    assert summary.count("| 1. Stream 5,000 vendors |") == out.count("- goal:")
