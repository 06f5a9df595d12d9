"""The pytest plugin, as a user's project sees it: its own directory, strict asyncio mode."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

USER_TESTS = '''
import pytest

from concur_async import ConcurClient
from concur_async.testing import LocalConcur


async def count_vendors(client: ConcurClient) -> int:
    return len([vendor async for vendor in client.invoice.vendors.list()])


@pytest.mark.asyncio
@pytest.mark.local_concur(vendors=12, reports=3)
async def test_with_the_client(local_concur_client: ConcurClient,
                               local_concur: LocalConcur) -> None:
    assert await count_vendors(local_concur_client) == 12
    reports = [r async for r in local_concur_client.expense.reports.list()]
    assert len(reports) == 3
    assert local_concur.stats.token_requests == 1


@pytest.mark.asyncio
async def test_a_fresh_server_each_test(local_concur: LocalConcur) -> None:
    assert local_concur.base_url.startswith("http://127.0.0.1:")
    async with local_concur.client() as client:
        assert await count_vendors(client) == 0


async def test_unmarked_is_not_run_in_strict_mode(local_concur: LocalConcur) -> None:
    raise AssertionError("strict mode runs no unmarked coroutine")
'''


def test_the_fixtures_work_in_a_separate_strict_mode_project(tmp_path: Path) -> None:
    project = tmp_path / "user-project"
    (project / "tests").mkdir(parents=True)
    # The user's own configuration: pytest-asyncio's default (strict) mode, said explicitly.
    (project / "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n"
                                        "asyncio_default_fixture_loop_scope = function\n")
    (project / "tests" / "test_mine.py").write_text(USER_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCUR_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "tests"],
        cwd=project, capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    out = done.stdout + done.stderr
    assert "PASSED tests/test_mine.py::test_with_the_client" in out, out
    assert "PASSED tests/test_mine.py::test_a_fresh_server_each_test" in out, out
    # Strict mode is in force (not this repository's auto mode): pytest refuses the unmarked
    # coroutine, the failure the README's old snippet met in a user's project.
    assert "FAILED tests/test_mine.py::test_unmarked_is_not_run_in_strict_mode" in out, out
    assert "async def functions are not natively supported" in out
    assert out.strip().splitlines()[-1].startswith("1 failed, 2 passed"), out


def test_the_plugin_is_registered_through_its_entry_point() -> None:
    from importlib.metadata import entry_points

    [plugin] = [e for e in entry_points(group="pytest11") if e.name == "concur_async"]
    assert plugin.value == "concur_async.pytest_plugin"
