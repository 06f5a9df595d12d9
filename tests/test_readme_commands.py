"""The README's two set-up commands are what a new user runs on a fresh machine, and CI runs the
second one exactly: if they drift apart, a missing install step could pass CI unseen."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    head = text[: text.index("**concur-async**")]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", head, flags=re.S)]


def test_the_readme_opens_with_the_demo_and_the_test_command() -> None:
    demo, tests = _readme_commands()
    assert demo.endswith("examples/demo.py")
    assert tests.endswith("-m pytest -q")
    assert "\n" not in demo
    assert "\n" not in tests


def test_ci_runs_the_readme_test_command_exactly() -> None:
    _, tests = _readme_commands()
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert tests in ci_lines


def test_the_test_command_installs_the_services_the_tests_start() -> None:
    _, tests = _readme_commands()
    assert "redis-server" in tests
