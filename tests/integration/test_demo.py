"""The README's main job: examples/demo.py runs against LocalConcur and prints its summary."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def test_demo_streams_creates_updates_and_summarises() -> None:
    done = subprocess.run(
        [sys.executable, str(DEMO), "--vendors", "3000", "--batch", "50"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "vendors streamed" in out
    assert "3,000" in out
    assert "vendors created" in out
    assert "HTTP requests" in out
    assert "LocalConcur" in out
    assert "streaming vendors" in done.stderr  # the progress bar goes to stderr
