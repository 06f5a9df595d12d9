"""``concur-async <collection> export``: a subprocess against LocalConcur in the test's loop.

Two runs export only what changed in between; runs killed (SIGKILL) at random moments still
leave each record version in the output exactly once.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import os
import random
import signal
import sys
from pathlib import Path

import msgspec
import pytest

from concur_async.expense.reports import ReportPost, ReportPut
from concur_async.export import export_changes
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

CREDENTIALS = {"CONCUR_CLIENT_ID": "cli-tests", "CONCUR_CLIENT_SECRET": "cs-7d1f",
               "CONCUR_USERNAME": "ap@example.com", "CONCUR_PASSWORD": "pw-4e0a"}


async def start(*args: str | Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")}
    env.update(CREDENTIALS)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "concur_async", *map(str, args), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def export(*args: str | Path) -> tuple[int, str, str]:
    process = await start(*args)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    text = err.decode()
    assert "Traceback" not in text
    for secret in CREDENTIALS["CONCUR_CLIENT_SECRET"], CREDENTIALS["CONCUR_PASSWORD"]:
        assert secret not in text
    return process.returncode, out.decode(), text


async def test_second_run_writes_only_the_changes(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(30)
        base = ("expense-reports", "export", "--state", state, "-q", "--base-url",
                concur.base_url)
        code, out, err = await export(*base, "--since", "2000-01-01")
        assert (code, err) == (0, "")
        assert [msgspec.json.decode(line)["ID"] for line in out.splitlines()] == ids

        async with concur.client() as client:
            await client.expense.reports.update(ReportPut(name="Renamed"), id=ids[9])
            created = await client.expense.reports.create(ReportPost(name="Brand new"))
        code, _, _ = await export(*base, "--output", tmp_path / "second.csv")
        assert code == 0
        with (tmp_path / "second.csv").open(newline="") as f:
            rows = list(csv.DictReader(f))
        assert sorted((r["ID"], r["Name"]) for r in rows) == sorted(
            [(ids[9], "Renamed"), (created.id, "Brand new")])

        code, _, err = await export(*base[:-3], "--base-url", concur.base_url)
        assert code == 0
        assert "exported 0 changed expense reports" in err
        assert not concur.errors


async def test_a_state_file_refuses_another_collection(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with LocalConcur() as concur:
        concur.state.seed_list_items("L1", 3)
        code, out, _ = await export("list-items", "export", "--state", state, "-q",
                                    "--filter", "list_id=L1", "--base-url", concur.base_url)
        assert code == 0
        assert len(out.splitlines()) == 3
        code, _, err = await export("expense-reports", "export", "--state", state, "-q",
                                    "--base-url", concur.base_url)
        assert code == 2
        assert "belongs to list-items" in err
        code, _, err = await export("purchase-orders", "export")
        assert code == 2
        assert "no list" in err


async def kill_when_grown(process: asyncio.subprocess.Process, output: Path,
                         grow: int) -> bool:
    """SIGKILL the run once its output grew by ``grow`` bytes; False if it finished first."""
    target = (output.stat().st_size if output.exists() else 0) + grow
    while process.returncode is None:
        if output.exists() and output.stat().st_size >= target:
            process.send_signal(signal.SIGKILL)
            await process.wait()
            return True
        await asyncio.sleep(0.002)
    return False


def modify(concur: LocalConcur, rng: random.Random, count: int) -> None:
    """Change ``count`` reports as Concur would: new content, a new modification date."""
    reports = concur.state.collection("expense/reports")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    for record in rng.sample(list(reports), count):
        reports.put({**record, "Name": f"v{rng.random():.6f}", "LastModifiedDate": stamp})


async def test_runs_killed_at_random_moments_write_every_version_once(tmp_path: Path) -> None:
    rng = random.Random(18)
    state, output = tmp_path / "state.json", tmp_path / "changes.jsonl"
    async with LocalConcur(latency_ms=2) as concur:
        ids = concur.state.seed_reports(1200)
        args = ("expense-reports", "export", "--state", state, "--output", output, "-q",
                "--commit-seconds", "0.02", "--base-url", concur.base_url)
        killed = 0
        for _ in range(6):
            process = await start(*args)
            if await kill_when_grown(process, output, rng.randint(1_000, 80_000)):
                killed += 1
            modify(concur, rng, rng.randint(0, 300))
        code, _, err = await export(*args)
        assert code == 0, err
        assert killed >= 3
        lines = output.read_bytes().splitlines()
        assert len(lines) == len(set(lines)), "a record version was written twice"
        async with concur.client() as client, export_changes(
            client, "expense-reports"
        ) as everything:
            current = {msgspec.json.encode(c.record) async for c in everything}
        assert current <= set(lines), "a current version is missing"
        assert {msgspec.json.decode(line)["ID"] for line in lines} == set(ids)
        assert not concur.errors
