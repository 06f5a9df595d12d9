"""Every Python block of the README and docs/ runs against LocalConcur and passes mypy --strict.

A block runs as a script of its own, in a scratch directory, with the CONCUR_* variables
pointing at a seeded LocalConcur (made-up credentials, as a newcomer would give). A comment on
the line before a block changes how it is treated:

``<!-- run: pytest -->``
    the block is a test module: it runs under pytest in a project of its own, in
    pytest-asyncio's strict mode (as in a user's project), and must pass.
``<!-- not-run: why -->``
    the block is deliberately neither run nor type-checked (it needs a service of yours, say);
    such blocks are few, and say why.

A ``# printed: "..."`` comment in a block must match what the block printed (durations
aside), so a comment cannot claim 2 requests where 5 are made.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from concur_async.testing import LocalConcur, RedisServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MOST_NOT_RUN = 6

_BLOCK = re.compile(r"^(?P<indent> *)```python\n(?P<code>.*?)^(?P=indent)```", re.S | re.M)
_MARK = re.compile(r"<!--\s*(run|not-run):\s*(.*?)\s*-->\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    code: str
    mark: str | None  # "pytest", "not-run" or None
    reason: str = ""

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def module(self) -> str:
        stem = re.sub(r"\W", "_", self.page.stem.lower())
        return f"{'test_' if self.mark == 'pytest' else ''}{stem}_line{self.line}"


def blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            mark = _MARK.search(before)
            kind = None if mark is None else ("pytest" if mark[1] == "run" else "not-run")
            if mark is not None and mark[1] == "run" and mark[2] != "pytest":
                raise AssertionError(f"{page.name}:{line}: unknown mark {mark[0]}")
            code = textwrap.dedent(match["code"])
            found.append(Block(page, line, code, kind, mark[2] if mark else ""))
    return found


BLOCKS = blocks()
CHECKED = [b for b in BLOCKS if b.mark != "not-run"]


def test_blocks_not_run_are_few_and_say_why() -> None:
    skipped = [b for b in BLOCKS if b.mark == "not-run"]
    assert len(CHECKED) >= 10
    assert len(skipped) <= MOST_NOT_RUN, [b.name for b in skipped]
    assert all(len(b.reason) > 10 for b in skipped), [b.name for b in skipped]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every checked block as a module of its own, for mypy and the runs."""
    where = tmp_path_factory.mktemp("snippets")
    for block in CHECKED:
        (where / f"{block.module}.py").write_text(block.code, encoding="utf-8")
    return where


def _environment(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCUR_", "PYTEST_"))}
    return env | {
        "CONCUR_BASE_URL": base_url, "CONCUR_CLIENT_ID": "newcomer",
        "CONCUR_CLIENT_SECRET": "made-up-secret", "CONCUR_USERNAME": "me@example.com",
        "CONCUR_PASSWORD": "made-up-password",
    }


def test_every_checked_block_passes_mypy_strict(scratch: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--python-version",
         "3.11", *sorted(p.name for p in scratch.glob("*.py"))],
        cwd=scratch, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "MYPYPATH": str(ROOT)},
    )
    named = {f"{b.module}.py": b.name for b in CHECKED}
    report = re.sub(r"^(\w+\.py)", lambda m: named.get(m[1], m[1]), done.stdout, flags=re.M)
    assert done.returncode == 0, report


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A redis-server of the tests' own, for the blocks of the many-processes page."""
    server = RedisServer().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.parametrize("block", CHECKED, ids=lambda b: b.name)
async def test_block_runs_against_local_concur(
    block: Block, scratch: Path, request: pytest.FixtureRequest
) -> None:
    async with LocalConcur(vendors=50) as concur:
        concur.state.seed_reports(10)
        concur.state.seed_purchase_orders(3)
        concur.state.seed_payment_requests(5)
        concur.state.seed_list("Departments", 5)
        env = _environment(concur.base_url)
        if "REDIS_URL" in block.code:
            env["REDIS_URL"] = request.getfixturevalue("redis_url")
        if block.mark == "pytest":
            project = scratch / f"project_{block.module}"
            (project / "tests").mkdir(parents=True)
            (project / "pytest.ini").write_text(
                "[pytest]\nasyncio_mode = strict\n"
                "asyncio_default_fixture_loop_scope = function\n")
            (project / "tests" / f"{block.module}.py").write_text(block.code)
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
        else:
            project = scratch
            command = [sys.executable, f"{block.module}.py"]
        proc = await asyncio.create_subprocess_exec(
            *command, cwd=project, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 120)
        assert proc.returncode == 0, f"{block.name}\n{out.decode()}\n{err.decode()}"
        assert not concur.errors
    # A comment saying what a block prints must be what it printed (durations aside).
    for claim in re.findall(r'# printed: "(.*)"', block.code):
        assert _timeless(claim) in _timeless(out.decode()), (block.name, claim, out.decode())


def _timeless(text: str) -> str:
    return re.sub(r"\d+\.\d+s\b", "<t>s", text)


def test_ci_runs_the_readme_test_command_then_builds_the_site() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    shell = re.findall(r"^```sh\n(.*?)\n```", readme, re.S | re.M)
    # The README opens with its two set-up commands; the second is CI's test command.
    assert readme.index(shell[1]) < readme.index("## Install")
    assert "pytest" in shell[1]
    assert shell[1] in ci
    build = next(i for i, line in enumerate(ci) if "mkdocs build --strict" in line)
    assert build > ci.index(shell[1])
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    listed = set(re.findall(r"([\w-]+\.md)", config))
    assert listed == {p.name for p in (ROOT / "docs").glob("*.md")}  # no page left out


async def test_the_quickstart_runs_twice_with_the_readmes_made_up_credentials(
    tmp_path: Path,
) -> None:
    """As a newcomer does: the README's exports (a made-up refresh token), run, run again."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = next(b for b in BLOCKS if b.page.name == "README.md" and "from_env" in b.code)
    shell = next(s for s in re.findall(r"^```sh\n(.*?)\n```", readme, re.S | re.M)
                 if "testing serve" in s)
    exports = dict(re.findall(r"(CONCUR_\w+)=(\S+)", shell.replace("\\\n", " ")))
    assert {"CONCUR_REFRESH_TOKEN", "CONCUR_REFRESH_TOKEN_FILE"} <= set(exports)
    (tmp_path / "quickstart.py").write_text(quickstart.code)
    async with LocalConcur(vendors=20) as concur:
        concur.state.seed_reports(5)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")}
        env |= exports | {"CONCUR_BASE_URL": concur.base_url}
        for _ in range(2):
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "quickstart.py", cwd=tmp_path, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 60)
            assert proc.returncode == 0, err.decode()
            assert "V0000009" in out.decode()
        assert concur.tokens.refreshed == 2  # the made-up token, then the one the file kept
