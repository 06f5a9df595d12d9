"""Resource hygiene: cancelled consumers leave no task, no connection, no growing memory or fds.

LocalConcur runs on its own event loop in a thread (or, for the memory test, in a child
process), so that ``asyncio.all_tasks()`` and tracemalloc on the test's side see the client
only. Consumers of a paginated stream (items, pages, a concurrent ``map``, an explicitly
closed stream) and bulk syncs are cancelled at random points, with faults on; after each,
nothing the client started may still be pending, its connector may hold no connection, and
closing it must be clean. Repeated many times, memory (tracemalloc) and open file descriptors
must stay flat.
"""

from __future__ import annotations

import asyncio
import gc
import os
import random
import subprocess
import sys
import threading
import tracemalloc
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import aclosing, asynccontextmanager, contextmanager
from typing import Any

import pytest

from concur_async import ClientCredentialsGrant, ConcurClient, ConcurError, RetryPolicy
from concur_async.bulk import sync_vendors
from concur_async.testing import LocalConcur, seeded_vendor

FAST_RETRY = RetryPolicy(max_attempts=6, backoff_base=0.002, backoff_max=0.01,
                         default_retry_after=0.01)


@contextmanager
def threaded_concur(**options: Any) -> Iterator[LocalConcur]:
    """A LocalConcur serving from another thread's event loop."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="local-concur", daemon=True)
    thread.start()
    concur = LocalConcur(**options)
    try:
        asyncio.run_coroutine_threadsafe(concur.start(), loop).result(10)
        yield concur
    finally:
        asyncio.run_coroutine_threadsafe(concur.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
    # A client cancelled while sending a token request leaves the handler reading a closed
    # connection; LocalConcur files that under its own errors, but it is the client leaving.
    bugs = [e for e in concur.errors if not isinstance(e, ConnectionResetError)]
    assert not bugs, bugs


def pending() -> list[asyncio.Task[Any]]:
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


async def settle(limit: float = 2.0) -> None:
    """Let the loop finish what cancellation scheduled (an abandoned async generator is closed
    by the loop's finalizer one turn later), for at most ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    for _ in range(3):
        await asyncio.sleep(0)
    while pending() and loop.time() < deadline:
        await asyncio.sleep(0.001)


def acquired(client: ConcurClient) -> int:
    # aiohttp has no public count of the connections a connector has handed out.
    return len(client.session.connector._acquired)  # type: ignore[union-attr]


def describe(tasks: list[asyncio.Task[Any]]) -> list[str]:
    return [getattr(t.get_coro(), "__qualname__", repr(t.get_coro())) for t in tasks]


# -- consumers that the tests cancel ------------------------------------------------------------


async def by_item(client: ConcurClient, rng: random.Random) -> None:
    async for _ in client.invoice.vendors.list(page_size=rng.choice([10, 50, 100])):
        if rng.random() < 0.3:
            await asyncio.sleep(0)  # a consumer doing its own awaits between items


async def by_page(client: ConcurClient, rng: random.Random) -> None:
    async for _ in client.invoice.vendors.list(page_size=50, prefetch=rng.randint(0, 4)).pages():
        await asyncio.sleep(rng.random() / 500)


async def mapped(client: ConcurClient, rng: random.Random) -> None:
    async def work(vendor: Any) -> str:
        await asyncio.sleep(rng.random() / 1000)
        return str(vendor.vendor_code)

    paginator = client.invoice.vendors.list(page_size=40)
    async for _ in paginator.map(work, concurrency=rng.randint(1, 8)):
        pass


async def closing(client: ConcurClient, rng: random.Random) -> None:
    # The way to guarantee cleanup without the loop's help: close the stream explicitly.
    async with aclosing(aiter(client.invoice.vendors.list(page_size=25))) as items:
        async for _ in items:
            await asyncio.sleep(0)


CONSUMERS: list[Callable[[ConcurClient, random.Random], Awaitable[None]]] = [
    by_item, by_page, mapped, closing,
]


async def cancel_at_random(
    start: Callable[[], Awaitable[None]], rng: random.Random, *, within: float
) -> None:
    task = asyncio.ensure_future(start())
    await asyncio.sleep(rng.uniform(0, within))
    task.cancel()
    # Cancelled, or ended first by a fault that outlasted the retries (a ConcurError).
    await asyncio.wait([task])
    error = None if task.cancelled() else task.exception()
    assert error is None or isinstance(error, ConcurError), error


@asynccontextmanager
async def checked_client(concur: LocalConcur) -> AsyncIterator[ConcurClient]:
    """A client that must close cleanly: no task left, connector closed, no warning."""
    client = concur.client(retry=FAST_RETRY, max_concurrency=8)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with client:
            connector = client.session.connector
            yield client
        await settle()
        assert pending() == []
        assert connector is not None
        assert connector.closed
        gc.collect()
    unclosed = [w for w in caught if "Unclosed" in str(w.message)]
    assert not unclosed, [str(w.message) for w in unclosed]


async def test_cancelled_stream_consumers_leave_no_task_and_no_connection() -> None:
    rng = random.Random(1)
    with threaded_concur(vendors=3_000, latency_ms=1, seed=3) as concur:
        concur.faults.set(server_error=0.05, drop=0.05, rate_limit=0.03, retry_after=0.01,
                          seed=3)
        async with checked_client(concur) as client:
            for round_ in range(48):
                consumer = CONSUMERS[round_ % len(CONSUMERS)]
                await cancel_at_random(lambda c=consumer: c(client, rng), rng, within=0.03)
                if consumer is closing:
                    # Closed explicitly: clean the moment the consumer is done.
                    assert pending() == [], describe(pending())
                await settle()
                assert pending() == [], (consumer.__name__, describe(pending()))
                assert acquired(client) == 0, consumer.__name__
        assert sum(concur.faults.served.values()) > 0


async def test_breaking_out_of_a_stream_releases_its_prefetches() -> None:
    with threaded_concur(vendors=2_000, latency_ms=2) as concur:
        async with checked_client(concur) as client:
            for stop in (1, 99, 100, 101, 1_234):
                seen = 0
                async for _ in client.invoice.vendors.list(page_size=100, prefetch=3):
                    seen += 1
                    if seen == stop:
                        break
                await settle()
                assert pending() == [], describe(pending())
                assert acquired(client) == 0


def desired_vendors(count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        vendor = {k: v for k, v in seeded_vendor(i).items() if k != "ID"}
        if i % 3 == 0:
            vendor["VendorName"] = f"Changed {i}"
        out.append(vendor)
    return out


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@contextmanager
def concur_process(*args: str) -> Iterator[str]:
    """LocalConcur in a child process (its base URL), so this process holds only the client."""
    child = subprocess.Popen(
        [sys.executable, "-m", "concur_async.testing", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(10)
        if child.stdout is not None:
            child.stdout.close()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
async def test_repeated_cancellations_do_not_grow_memory_or_fds() -> None:
    rng = random.Random(2)
    desired = desired_vendors(400)

    async def cycle() -> None:
        client = ConcurClient(base_url=base_url, auth=ClientCredentialsGrant("local", "local"),
                              retry=FAST_RETRY, max_concurrency=8)
        async with client:
            for consumer in CONSUMERS:
                await cancel_at_random(lambda c=consumer: c(client, rng), rng, within=0.02)
                await settle()
                assert acquired(client) == 0
            await cancel_at_random(
                lambda: sync_vendors(client, desired, batch_size=50, concurrency=4),
                rng, within=0.05,
            )
            await settle()
            assert acquired(client) == 0
        await settle()
        assert pending() == []

    faults = ("--drop", "0.05", "--server-errors", "0.05", "--seed", "5")
    with concur_process("--vendors", "2000", "--latency-ms", "1", *faults) as base_url:
        for _ in range(5):  # warm-up: caches, codec plans, lazily imported modules
            await cycle()
        gc.collect()
        fds_before = open_fds()
        tracemalloc.start()
        try:
            for _ in range(3):
                await cycle()
            gc.collect()
            baseline, _ = tracemalloc.get_traced_memory()
            for _ in range(30):
                await cycle()
            gc.collect()
            after, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        fds_after = open_fds()
    growth = after - baseline
    print(f"30 cycles: traced memory {baseline:,} -> {after:,} bytes ({growth:+,}); "
          f"fds {fds_before} -> {fds_after}")
    # A client, connector, paginator or task leaked per cycle would cost far more than this
    # (one session with its connector is tens of kilobytes).
    assert growth < 64_000
    assert fds_after <= fds_before


# -- bulk sync -----------------------------------------------------------------------------


async def test_cancelled_bulk_syncs_leave_no_task_and_no_connection() -> None:
    rng = random.Random(4)
    desired = desired_vendors(1_500)
    with threaded_concur(vendors=1_000, latency_ms=2, seed=9) as concur:
        concur.faults.set(server_error=0.05, drop=0.03, seed=9)
        async with checked_client(concur) as client:
            for _ in range(12):
                await cancel_at_random(
                    lambda: sync_vendors(client, desired, delete_missing=True,
                                         batch_size=50, concurrency=rng.randint(1, 8)),
                    rng, within=0.15,
                )
                await settle()
                assert pending() == [], describe(pending())
                assert acquired(client) == 0
