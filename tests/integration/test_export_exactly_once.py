"""Exactly once across runs that stop at random points, with records changing between runs.

Each run writes the changes it is given to one JSONL file whose committed length is saved with
the bookmark (``on_commit``), and cuts the file back to it on start. Runs are stopped by an
error in the consumer, a cancellation, a failure while the output is made durable, or one while
the state file is replaced (before or after the rename). In the end no record version is in
the file twice, every record's current version is in it, and the bookmark needs nothing more.
"""

from __future__ import annotations

import asyncio
import os
import random
from pathlib import Path
from typing import IO, Any

import msgspec
import pytest

from concur_async import ConcurClient, export
from concur_async.expense.reports import ReportPost, ReportPut
from concur_async.export import ChangeExport, export_changes
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration


class Crash(Exception):
    """A run stopping where the test chose."""


class FileSink:
    """A JSONL output tied to the export's commits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: IO[bytes] | None = None

    def open(self, committed: Any) -> None:
        offset = committed["offset"] if committed else 0
        self.stream = self.path.open("r+b" if self.path.exists() else "w+b")
        self.stream.truncate(offset)  # what came after the last commit is written again
        self.stream.seek(offset)

    def write(self, line: bytes) -> None:
        assert self.stream is not None
        self.stream.write(line)

    def position(self) -> dict[str, int]:
        assert self.stream is not None
        self.stream.flush()
        os.fsync(self.stream.fileno())
        return {"offset": self.stream.tell()}

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None


async def one_run(client: ConcurClient, state: Path, sink: FileSink, rng: random.Random,
                  monkeypatch: pytest.MonkeyPatch, *, faults: bool) -> ChangeExport | None:
    """One run; None when it was stopped."""
    fault = rng.choice(["consumer", "cancel", "durable", "state-before", "state-after"]) \
        if faults else None
    budget = rng.randint(0, 8)
    saves = rng.randint(0, 3)
    real_write = export.write_atomically

    def write(path: Any, data: bytes) -> None:
        nonlocal saves
        saves -= 1
        if fault == "state-before" and saves < 0:
            raise Crash("before the rename")
        real_write(path, data)
        if fault == "state-after" and saves < 0:
            raise Crash("after the rename")

    def durable() -> dict[str, int]:
        nonlocal saves
        if fault == "durable" and saves < 0:
            raise Crash("making the output durable")
        return sink.position()

    monkeypatch.setattr(export, "write_atomically", write)
    changes = export_changes(client, "expense-reports", state=state, on_commit=durable,
                             commit_interval=rng.choice([0.0, 0.0, 0.002]), page_size=7)
    sink.open(changes.sink)

    async def consume() -> None:
        nonlocal budget
        async with changes:
            async for change in changes:
                if fault == "consumer" and budget == 0:
                    raise Crash("in the consumer")
                budget -= 1
                sink.write(msgspec.json.encode({"id": change.id, "digest": change.digest})
                           + b"\n")
                if fault == "cancel" and budget < 0:
                    await asyncio.sleep(0)

    try:
        if fault == "cancel":
            await asyncio.wait_for(consume(), timeout=rng.uniform(0.0, 0.05))
        else:
            await consume()
    except (Crash, TimeoutError):
        return None
    finally:
        sink.close()
        monkeypatch.setattr(export, "write_atomically", real_write)
    return changes


async def change_some(client: ConcurClient, ids: list[str], rng: random.Random) -> None:
    for report_id in rng.sample(ids, rng.randint(0, 4)):
        await client.expense.reports.update(ReportPut(name=f"v{rng.random():.6f}"), id=report_id)
    for _ in range(rng.randint(0, 2)):
        created = await client.expense.reports.create(ReportPost(name="new"))
        ids.append(created.id)


async def current_versions(client: ConcurClient) -> set[tuple[str, str]]:
    async with export_changes(client, "expense-reports") as everything:
        return {(c.id, c.digest) async for c in everything}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
async def test_interrupted_runs_deliver_every_version_exactly_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    rng = random.Random(seed)
    state, output = tmp_path / "state.json", tmp_path / "changes.jsonl"
    sink = FileSink(output)
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(60)
        async with concur.client() as client:
            stopped = 0
            for _ in range(30):
                if await one_run(client, state, sink, rng, monkeypatch, faults=True) is None:
                    stopped += 1
                await change_some(client, ids, rng)
            assert stopped >= 10
            # Runs without faults until one reads its window to the end.
            while await one_run(client, state, sink, rng, monkeypatch, faults=False) is None:
                pass  # pragma: no cover - a run without faults always finishes
            lines = [msgspec.json.decode(line) for line in output.read_bytes().splitlines()]
            sent = [(line["id"], line["digest"]) for line in lines]
            assert len(sent) == len(set(sent)), "a record version was delivered twice"
            assert current_versions_subset(await current_versions(client), set(sent))
            assert {record_id for record_id, _ in sent} == set(ids)
            # The bookmark is consistent: nothing is left to deliver.
            last = await one_run(client, state, sink, rng, monkeypatch, faults=False)
            assert last is not None
            assert last.delivered == 0
        assert not concur.errors


def current_versions_subset(current: set[tuple[str, str]], sent: set[tuple[str, str]]) -> bool:
    missing = current - sent
    assert not missing, f"current versions never delivered: {sorted(missing)[:5]}"
    return True
