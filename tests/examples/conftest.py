"""Running the examples as a user would: as scripts, against LocalConcur (no CONCUR_* set)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

RunExample = Callable[..., subprocess.CompletedProcess[str]]


def local_env() -> dict[str, str]:
    """This environment without Concur credentials, so every example picks LocalConcur."""
    return {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")}


@pytest.fixture
def run_example() -> RunExample:
    """``run_example("x.py", *args)``: the example run as a script, with a timeout."""

    def run(name: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(EXAMPLES / name), *args],
            capture_output=True, text=True, timeout=timeout, check=False, env=local_env(),
        )

    return run


@pytest.fixture(scope="session", autouse=True)
def _examples_importable() -> None:
    # Tests import the examples' data builders; the examples import their sibling _env
    # module, as `python examples/x.py` lets them.
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
