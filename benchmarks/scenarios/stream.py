"""Scenarios 1 and 2: stream every vendor, page size 1,000, without and with added latency.

Each contender opens its session and token before the clock starts (the SDK by reading a
one-vendor page), then streams the whole collection to a consumer that counts the items.
In scenario 2 a second consumer also spends 20 ms of I/O per 1,000 items (as writing each
page somewhere would): that is where prefetch can hide the next page's round trip.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import ModuleType

from .._measure import Goal, Report, Row, alternate
from ._common import Context, baseline, sdk_client

__all__ = ["run_latency", "run_stream"]

PAGE_SIZE = 1000
LATENCY_MS = 50.0
PAGE_WORK_S = 0.020


def _sdk(base_url: str, prefetch: int, work: float = 0.0) -> Callable[[], float]:
    async def measure() -> float:
        async with sdk_client(base_url) as client:
            await client.invoice.vendors.list(page_size=1).first_page()  # token + connection
            started = time.perf_counter()
            count = 0
            async for _vendor in client.invoice.vendors.list(page_size=PAGE_SIZE,
                                                              prefetch=prefetch):
                count += 1
                if work and count % PAGE_SIZE == 0:
                    await asyncio.sleep(work)
            return count / (time.perf_counter() - started)

    return lambda: asyncio.run(measure())


def _aiohttp(module: ModuleType, base_url: str, work: float = 0.0) -> Callable[[], float]:
    async def measure() -> float:
        async with module.Session(base_url) as session:
            started = time.perf_counter()
            count = 0
            async for _vendor in session.vendors(PAGE_SIZE):
                count += 1
                if work and count % PAGE_SIZE == 0:
                    await asyncio.sleep(work)
            return count / (time.perf_counter() - started)

    return lambda: asyncio.run(measure())


def _requests(module: ModuleType, base_url: str) -> Callable[[], float]:
    def measure() -> float:
        with module.Session(base_url) as session:
            started = time.perf_counter()
            count = 0
            for _vendor in session.vendors(PAGE_SIZE):
                count += 1
            return count / (time.perf_counter() - started)

    return measure


SDK = "SDK: vendors.list() -> Vendor structs"
A = "(a) aiohttp + msgspec, by hand"
B = "(b) requests + json.loads, sequential"
C = "(c) httpx.AsyncClient + pydantic"


def run_stream(ctx: Context) -> Report:
    """Scenario 1: no added latency; the server and the client each have one core."""
    vendors = ctx.scale(50_000, 5_000)
    server = ctx.server
    server.set(latency_ms=0, vendors=vendors)
    url = server.base_url
    contenders: dict[str, Callable[[], float]] = {SDK: _sdk(url, prefetch=2)}
    if (a := baseline(ctx, "aiohttp_msgspec")) is not None:
        contenders[A] = _aiohttp(a, url)
    if (b := baseline(ctx, "requests_json")) is not None:
        contenders[B] = _requests(b, url)
    if (c := baseline(ctx, "httpx_pydantic")) is not None:
        contenders[C] = _aiohttp(c, url)
    for measure in contenders.values():
        measure()  # warm-up round, not kept: imports, first decoders, server caches
    samples = alternate(contenders, ctx.repeats)
    report = Report(
        "stream", f"1. Stream {vendors:,} vendors, page size {PAGE_SIZE:,}, no added latency",
        [Row(name, "items/s", values) for name, values in samples.items()],
        reference=SDK, ratio_label="SDK / this",
    )
    sdk = report.row(SDK)
    if A in samples:
        report.goals.append(Goal("SDK items/s / baseline (a)", sdk.better_by(report.row(A)), 1.0))
    if B in samples:
        report.goals.append(Goal("SDK items/s / baseline (b)", sdk.better_by(report.row(B)), 1.2))
    report.notes.append("the SDK yields typed `Vendor` structs (every documented field); "
                        "(a) decodes into a struct of the 19 fields the server sends, "
                        "(b) into dicts, (c) into pydantic models of the same 19 fields")
    return report


def run_latency(ctx: Context) -> Report:
    """Scenario 2: 50 ms added to every answer; what prefetch buys."""
    vendors = ctx.scale(50_000, 5_000)
    server = ctx.server
    server.set(latency_ms=LATENCY_MS, vendors=vendors)
    url = server.base_url
    work_ms = PAGE_WORK_S * 1000
    pf0, pf2 = "SDK, prefetch=0", "SDK, prefetch=2 (default)"
    pf0w = f"SDK, prefetch=0, consumer busy {work_ms:.0f} ms/page"
    pf2w = f"SDK, prefetch=2, consumer busy {work_ms:.0f} ms/page"
    contenders: dict[str, Callable[[], float]] = {
        pf0: _sdk(url, prefetch=0),
        pf2: _sdk(url, prefetch=2),
        pf0w: _sdk(url, prefetch=0, work=PAGE_WORK_S),
        pf2w: _sdk(url, prefetch=2, work=PAGE_WORK_S),
    }
    aw = f"(a) aiohttp + msgspec, consumer busy {work_ms:.0f} ms/page"
    if (a := baseline(ctx, "aiohttp_msgspec")) is not None:
        contenders[A] = _aiohttp(a, url)
        contenders[aw] = _aiohttp(a, url, work=PAGE_WORK_S)
    samples = alternate(contenders, ctx.slow_repeats)
    report = Report(
        "latency",
        f"2. Stream {vendors:,} vendors with {LATENCY_MS:.0f} ms added per request: "
        "what prefetch buys",
        [Row(name, "items/s", values) for name, values in samples.items()],
        reference=pf2, ratio_label="SDK prefetch=2 / this",
    )
    busy = report.row(pf2w).better_by(report.row(pf0w))
    report.goals.append(Goal("prefetch=2 / prefetch=0 with a busy consumer", busy, 1.2))
    pages = vendors / PAGE_SIZE
    report.notes.append(
        f"v3 pages are chained by NextPage, so a page cannot be asked for before the one "
        f"ahead of it is in: with an idle consumer the floor is {pages:.0f} round trips of "
        f"{LATENCY_MS:.0f} ms (~ {PAGE_SIZE / (LATENCY_MS / 1000):,.0f} items/s); prefetch "
        f"overlaps the next round trip with the consumer's own time")
    report.notes.append(f"{ctx.slow_repeats} rounds: each run is ~ {pages:.0f} x "
                        f"{LATENCY_MS:.0f} ms of server sleep, so runs barely vary")
    return report
