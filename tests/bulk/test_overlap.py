"""sync_vendors reads the desired records and Concur's listing at once, and writes while the
desired records are still being read, never while the listing is: against a server written
to show the order things happen in, whose listing comes in slow pages of 100."""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web
from servers import loopback_server

import concur_async.bulk._vendors as vendor_sync
from concur_async import BadRequestError, ConcurClient, RetryPolicy, StaticToken
from concur_async.bulk import SyncProgress, sync_vendors
from concur_async.invoice.vendors import Vendor
from concur_async.testing import LocalConcur, seed_code, seeded_vendor

PAGE = 100
ONCE = RetryPolicy(max_attempts=1)


@dataclass
class Server:
    """Vendors by key; ``events`` in the order the server saw them."""

    stored: dict[str, dict[str, Any]]
    page_delay: float = 0.02
    fail_page: int | None = None  # this page (from 0) is answered 400
    events: list[str] = field(default_factory=list)
    writes: Counter[str] = field(default_factory=Counter)
    first_write: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method == "GET":
            return await self._page(request)
        if request.method == "DELETE":
            key = f"{request.query['vendorCode']}|{request.query['addressCode']}"
            self._wrote("DELETE", key)
            del self.stored[key]
            return web.json_response({"Vendor": [{"StatusList": [{"Type": "SUCCESS"}]}]})
        answers = []
        for n, vendor in enumerate((await request.json())["Vendor"], 1):
            key = f"{vendor['VendorCode']}|{vendor['AddressCode']}"
            self._wrote(request.method, key)
            self.stored[key] = {**self.stored.get(key, {}), **vendor}
            answers.append({**vendor, "StatusList": [{"Type": "SUCCESS", "RecordNumber": n}]})
        return web.json_response({"Vendor": answers})

    def _wrote(self, method: str, key: str) -> None:
        self.events.append(f"{method} {key}")
        self.writes[f"{method} {key}"] += 1
        self.first_write.set()

    async def _page(self, request: web.Request) -> web.StreamResponse:
        offset = int(request.query.get("offset", "0"))
        await asyncio.sleep(self.page_delay)
        if self.fail_page is not None and offset == self.fail_page * PAGE:
            self.events.append("listing failed")
            return web.json_response({"Message": "bad page"}, status=400)
        keys = sorted(self.stored)
        page = [self.stored[k] for k in keys[offset:offset + PAGE]]
        last = offset + PAGE >= len(keys)
        next_page = None if last else f"{request.url.with_query(offset=offset + PAGE)}"
        self.events.append("last page" if last else f"page {offset // PAGE}")
        return web.json_response({"Vendor": page, "NextPage": next_page})


def vendor(code: str, name: str) -> dict[str, Any]:
    return {"VendorCode": code, "AddressCode": "MAIN", "VendorName": name}


def key(code: str) -> str:
    return f"{code}|MAIN"


@asynccontextmanager
async def client_of(server: Server) -> AsyncIterator[ConcurClient]:
    async with loopback_server(server.handle) as base, ConcurClient(
        auth=StaticToken("t0ken-overlap"), base_url=base, retry=ONCE
    ) as client:
        yield client


def pending() -> set[asyncio.Task[Any]]:
    """The loop's live tasks but this one and the test server's connection handlers."""
    return {t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()
            and getattr(t.get_coro(), "__qualname__", "") != "RequestHandler.start"}


async def settled_tasks(baseline: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    for _ in range(50):  # what cancellation scheduled runs in the next few turns
        left = pending() - baseline
        if not left:
            break
        await asyncio.sleep(0.01)
    return pending() - baseline


async def test_writes_overlap_the_desired_read_but_never_the_listing() -> None:
    # 300 vendors held: pages 0-2, the last answered after ~60 ms.
    held = {key(f"H{i:03d}"): vendor(f"H{i:03d}", f"Held {i}") for i in range(300)}
    server = Server(dict(held))
    overlapped = False

    async def desired() -> AsyncIterator[Vendor | dict[str, Any]]:
        nonlocal overlapped
        # Read before the listing ends: spooled, then sent once it is complete.
        for i in range(0, 300, 2):
            yield vendor(f"H{i:03d}", f"Held {i}" if i % 4 else f"Renamed {i}")
        for i in range(50):
            yield vendor(f"N{i:03d}", f"New {i}")
        try:  # the source holds back the rest until a write is out (or gives up)
            await asyncio.wait_for(server.first_write.wait(), 5)
            overlapped = True
        except TimeoutError:
            pass
        for i in range(1, 300, 2):  # the other half: compared with vendors held meanwhile
            yield vendor(f"H{i:03d}", f"Held {i}" if i % 3 else f"Renamed {i}")
        for i in range(50, 120):
            yield vendor(f"N{i:03d}", f"New {i}")

    ticks: list[SyncProgress] = []
    async with client_of(server) as client:
        report = await sync_vendors(client, desired(), batch_size=10, concurrency=4,
                                    on_progress=ticks.append)

    assert overlapped  # writes went out while the desired records were still being read
    # Progress says so too: reading ticks after the first writing one, each phase counted
    # on its own, the reading total given once both reads are complete.
    first_writing = next(i for i, t in enumerate(ticks) if t.phase == "writing")
    reading = [t for t in ticks if t.phase == "reading"]
    assert any(t.phase == "reading" for t in ticks[first_writing:])
    assert [t.done for t in reading] == sorted(t.done for t in reading)
    assert (reading[-1].done, reading[-1].total) == (300 + 420, 300 + 420)  # listed + desired
    writing = [t for t in ticks if t.phase == "writing"]
    assert writing[-1].done == writing[-1].total == 120 + 125
    last_page = server.events.index("last page")
    first_write = next(i for i, e in enumerate(server.events) if not e.startswith(("page", "last")))
    assert first_write > last_page  # and none before the whole listing was read
    renamed = {key(f"H{i:03d}") for i in range(0, 300, 4)} | {
        key(f"H{i:03d}") for i in range(1, 300, 2) if i % 3 == 0}
    assert report.ok, report.failures[:3]
    assert (report.created, report.updated, report.unchanged) == (120, len(renamed),
                                                                  300 - len(renamed))
    assert server.writes == Counter({**{f"POST {key(f'N{i:03d}')}": 1 for i in range(120)},
                                     **{f"PUT {k}": 1 for k in renamed}})
    assert server.stored[key("H004")]["VendorName"] == "Renamed 4"
    assert server.stored[key("H005")]["VendorName"] == "Held 5"


async def test_a_listing_that_fails_stops_the_sync_before_any_write(tmp_path: Path) -> None:
    server = Server({key(f"H{i:03d}"): vendor(f"H{i:03d}", "Held") for i in range(250)},
                    fail_page=1)
    desired = [vendor(f"N{i:03d}", "New") for i in range(500)] + [
        vendor(f"H{i:03d}", "Renamed") for i in range(250)]
    checkpoint = tmp_path / "vendors.ckpt"
    async with client_of(server) as client:
        baseline = pending()
        with pytest.raises(BadRequestError):  # the listing's own error, not a group
            await sync_vendors(client, desired, batch_size=10, checkpoint=checkpoint)
        assert not await settled_tasks(baseline)
    assert server.events == ["page 0", "listing failed"]  # nothing written, nothing guessed
    assert json.loads(checkpoint.read_text())["confirmed"] == {}


async def test_a_source_that_fails_part_way_stops_the_writes_and_a_rerun_resumes(
    tmp_path: Path,
) -> None:
    server = Server({}, page_delay=0.0)
    checkpoint = tmp_path / "vendors.ckpt"

    def records(count: int) -> Iterable[dict[str, Any]]:
        return (vendor(f"N{i:04d}", f"New {i}") for i in range(count))

    async def failing() -> AsyncIterator[dict[str, Any]]:
        for i, record in enumerate(records(1000)):
            if i == 600:
                raise RuntimeError("the source broke")
            if i % 50 == 0:
                await asyncio.sleep(0.005)  # slow enough for the listing to end meanwhile
            yield record

    async with client_of(server) as client:
        baseline = pending()
        with pytest.raises(RuntimeError, match="the source broke"):
            await sync_vendors(client, failing(), batch_size=50, checkpoint=checkpoint)
        assert not await settled_tasks(baseline)
        written = len(server.writes)
        assert 0 < written <= 600
        report = await sync_vendors(client, records(1000), batch_size=50,
                                    checkpoint=checkpoint)
    assert report.ok
    assert report.resumed + report.unchanged + report.created == 1000
    assert len(server.stored) == 1000
    assert all(n == 1 for n in server.writes.values())  # none written twice


async def test_a_cancelled_sync_mid_overlap_leaves_no_task_and_resumes_exactly_once(
    tmp_path: Path,
) -> None:
    server = Server({key(f"H{i:03d}"): vendor(f"H{i:03d}", "Held") for i in range(150)})
    checkpoint = tmp_path / "vendors.ckpt"

    def records(count: int) -> Iterable[dict[str, Any]]:
        return (vendor(f"N{i:04d}", f"New {i}") for i in range(count))

    async def desired() -> AsyncIterator[dict[str, Any]]:
        for record in records(1000):
            yield record
        await asyncio.Event().wait()  # the rest never comes: the sync is still reading

    async with client_of(server) as client:
        baseline = pending()
        with anyio.fail_after(10), anyio.CancelScope() as scope:
            def stop_at_first_confirmed_write(progress: SyncProgress) -> None:
                if progress.phase == "writing" and progress.done > 0:
                    scope.cancel()

            await sync_vendors(client, desired(), batch_size=20, concurrency=4,
                               checkpoint=checkpoint, on_progress=stop_at_first_confirmed_write)
        assert scope.cancelled_caught
        assert not await settled_tasks(baseline)
        confirmed = len(json.loads(checkpoint.read_text())["confirmed"])
        assert 0 < confirmed < 1000

        report = await sync_vendors(client, records(1000), checkpoint=checkpoint)
    assert report.ok
    assert report.resumed == confirmed
    assert report.resumed + report.unchanged + report.created == 1000
    assert len(server.stored) == 1150
    assert all(n == 1 for n in server.writes.values())


async def test_the_listing_waits_while_it_holds_as_many_vendors_as_it_may(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vendor_sync, "HOLD", 150)
    server = Server({key(f"H{i:03d}"): vendor(f"H{i:03d}", "Held") for i in range(600)},
                    page_delay=0.0)
    most_held = 0
    read_all = asyncio.Event()

    async def desired() -> AsyncIterator[dict[str, Any]]:
        nonlocal most_held
        await asyncio.sleep(0.1)  # the listing runs ahead, then waits
        for i in range(0, 600, 3):  # a third kept, renamed; the rest are deleted
            yield vendor(f"H{i:03d}", "Renamed")
        read_all.set()

    real_compare = vendor_sync.Plan.compare

    def compare(plan: Any, k: str, current: Any) -> Any:
        nonlocal most_held
        most_held = max(most_held, len(plan.held))
        return real_compare(plan, k, current)

    monkeypatch.setattr(vendor_sync.Plan, "compare", compare)
    async with client_of(server) as client:
        report = await sync_vendors(client, desired(), delete_missing=True, batch_size=50)
    assert report.ok
    assert (report.updated, report.deleted, report.unchanged) == (200, 400, 0)
    assert 150 <= most_held < 150 + PAGE  # it stopped after the page that filled it
    assert sorted(server.stored) == [key(f"H{i:03d}") for i in range(0, 600, 3)]
    assert all(n == 1 for n in server.writes.values())


def mixed_desired(seed: int, held: int) -> list[dict[str, Any]]:
    """Held vendors kept, renamed or refused; new ones; repeats; records without a key."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for _ in range(300):
        draw, i = rng.random(), rng.randrange(held)
        if draw < 0.45:
            name = seeded_vendor(i)["VendorName"] if rng.random() < 0.6 else f"Renamed {i}"
            out.append({"VendorCode": seed_code(i), "AddressCode": "MAIN", "VendorName": name})
        elif draw < 0.85:
            out.append({"VendorCode": f"N{rng.randrange(400):04d}", "AddressCode": "MAIN",
                        "VendorName": "New", "CountryCode": "US", "CurrencyCode": "USD"})
        elif draw < 0.92:
            out.append({"VendorCode": f"N{i:04d}", "VendorName": "no address code"})
        else:  # refused by Concur: a payment term out of range
            out.append({"VendorCode": seed_code(i), "AddressCode": "MAIN", "PaymentTerms": 5000})
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_order_the_two_reads_meet_in_does_not_change_the_outcome(seed: int) -> None:
    held = 150
    desired = mixed_desired(seed, held)

    async def after_the_listing() -> AsyncIterator[dict[str, Any]]:
        await asyncio.sleep(0.1)  # every current vendor is held before a record is read
        for record in desired:
            yield record

    outcomes = []
    # Desired first (a slow listing), the listing first (a late source), and as they come.
    for latency, source in ((60.0, None), (0.0, after_the_listing), (0.0, None)):
        async with LocalConcur(vendors=held, latency_ms=latency) as concur, \
                concur.client() as client:
            report = await sync_vendors(client, source() if source else desired,
                                        delete_missing=True, batch_size=7)
            outcomes.append((
                (report.created, report.updated, report.deleted, report.unchanged,
                 report.failed),
                sorted((f.key, f.action, f.code, f.message) for f in report.failures),
                sorted(f"{v['VendorCode']}|{v.get('VendorName')}" for v in concur.state.vendors),
                concur.state.write_log.duplicates(),
            ))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    (created, updated, deleted, _, failed), failures, _, duplicates = outcomes[0]
    assert min(created, updated, deleted, failed) > 0  # each kind of outcome was met
    assert {action for _, action, _, _ in failures} == {"create", "update"}
    assert not duplicates
