"""Scenarios ``stream`` and ``latency``: every vendor, page size 1,000, without and with
added latency.

Each contender opens its session and token before the clock starts (the SDK by reading a
one-vendor page), then streams the whole collection to a consumer that counts the items.
In ``stream`` the wall-clock rate is bounded by LocalConcur as much as by the client (it
builds each page on its one core), so the client's own CPU time per item is reported beside
it: that is the one-core ceiling a client can be measured against. In ``latency`` a second
consumer also spends 20 ms of I/O per 1,000 items (as writing each page somewhere would):
that is where prefetch can hide the next page's round trip.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import ModuleType

from .._measure import Goal, Report, Row, alternate, paired
from ._common import Context, baseline, sdk_client

__all__ = ["run_latency", "run_stream"]

PAGE_SIZE = 1000
LATENCY_MS = 50.0
PAGE_WORK_S = 0.020


#: Client CPU rates (items per CPU-second), by contender, beside the wall-clock rates.
CpuRates = dict[str, list[float]]


def _rates(count: int, wall: float, cpu: float, name: str, cpu_rates: CpuRates | None) -> float:
    if cpu_rates is not None:
        cpu_rates.setdefault(name, []).append(count / cpu)
    return count / wall


def _sdk(base_url: str, prefetch: int, work: float = 0.0, *, name: str = "",
         cpu_rates: CpuRates | None = None) -> Callable[[], float]:
    async def measure() -> float:
        async with sdk_client(base_url) as client:
            await client.invoice.vendors.list(page_size=1).first_page()  # token + connection
            started, cpu = time.perf_counter(), time.process_time()
            count = 0
            async for _vendor in client.invoice.vendors.list(page_size=PAGE_SIZE,
                                                              prefetch=prefetch):
                count += 1
                if work and count % PAGE_SIZE == 0:
                    await asyncio.sleep(work)
            return _rates(count, time.perf_counter() - started, time.process_time() - cpu,
                          name, cpu_rates)

    return lambda: asyncio.run(measure())


def _aiohttp(module: ModuleType, base_url: str, work: float = 0.0, *, name: str = "",
             cpu_rates: CpuRates | None = None, **options: bool) -> Callable[[], float]:
    async def measure() -> float:
        async with module.Session(base_url) as session:
            started, cpu = time.perf_counter(), time.process_time()
            count = 0
            async for _vendor in session.vendors(PAGE_SIZE, **options):
                count += 1
                if work and count % PAGE_SIZE == 0:
                    await asyncio.sleep(work)
            return _rates(count, time.perf_counter() - started, time.process_time() - cpu,
                          name, cpu_rates)

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
A_FULL = "(a) the same loop, into a struct of every documented field"
A_PLAIN = "(a) the same loop, asking for a page only once the last is decoded"
B = "(b) requests + json.loads, sequential"
C = "(c) httpx.AsyncClient + pydantic"
CPU = ", client CPU"


def run_stream(ctx: Context) -> Report:
    """No added latency; the server and the client each have one core."""
    vendors = ctx.scale(50_000, 5_000)
    server = ctx.server
    server.set(latency_ms=0, vendors=vendors)
    url = server.base_url
    cpu_rates: CpuRates = {}
    contenders: dict[str, Callable[[], float]] = {
        SDK: _sdk(url, prefetch=2, name=SDK, cpu_rates=cpu_rates)}
    if (a := baseline(ctx, "aiohttp_msgspec")) is not None:
        contenders[A] = _aiohttp(a, url, name=A, cpu_rates=cpu_rates)
        contenders[A_FULL] = _aiohttp(a, url, name=A_FULL, cpu_rates=cpu_rates,
                                      every_field=True)
        contenders[A_PLAIN] = _aiohttp(a, url, read_ahead=False)
    if (b := baseline(ctx, "requests_json")) is not None:
        contenders[B] = _requests(b, url)
    if (c := baseline(ctx, "httpx_pydantic")) is not None:
        contenders[C] = _aiohttp(c, url)
    for measure in contenders.values():
        measure()  # warm-up round, not kept: imports, first decoders, server caches
    cpu_rates.clear()
    samples = alternate(contenders, ctx.repeats)
    rows = [Row(name, "items/s", values) for name, values in samples.items()]
    rows += [Row(name + CPU, "items/CPU-s", values, versus=SDK + CPU)
             for name, values in cpu_rates.items()]
    report = Report(
        "stream", f"1. Stream {vendors:,} vendors, page size {PAGE_SIZE:,}, no added latency",
        rows, reference=SDK, ratio_label="SDK / this",
    )
    sdk, sdk_cpu = report.row(SDK), report.row(SDK + CPU)
    if A in samples:
        report.goals.append(Goal("SDK items/s / baseline (a)", sdk.better_by(report.row(A)), 1.0))
        report.goals.append(Goal("SDK items per client CPU-second / baseline (a) (the one-core "
                                 "ceiling)", sdk_cpu.better_by(report.row(A + CPU)), 1.0))
        report.notes.append(f"SDK / (a) round by round: {paired(sdk, report.row(A))}; client "
                            f"CPU {paired(sdk_cpu, report.row(A + CPU))}")
    if B in samples:
        report.goals.append(Goal("SDK items/s / baseline (b)", sdk.better_by(report.row(B)), 1.2))
    report.notes.append("the SDK yields typed `Vendor` structs (every documented field, 64); "
                        "(a) decodes into a struct of the 19 fields the server sends, declared "
                        "in the order it sends them, and reads `NextPage` from the raw body so "
                        "the next request is out while the page decodes, as the SDK does; "
                        "(b) decodes into dicts, (c) into pydantic models of the same 19 fields")
    if A_FULL in samples:
        full_cpu = report.row(A_FULL + CPU)
        same = sdk_cpu.better_by(full_cpu)
        width = report.row(A + CPU).better_by(full_cpu)
        report.notes.append(f"client CPU against the same loop decoding every documented field "
                            f"(what the SDK decodes): {same:.2f}x; that loop with (a)'s 19 "
                            f"fields instead of the 64 takes {width:.2f}x less CPU per item")
    report.notes.append("the wall-clock rate is shared with LocalConcur, which builds every "
                        "page on its own core; the client CPU rows are the client's alone")
    return report


def run_latency(ctx: Context) -> Report:
    """50 ms added to every answer; what prefetch buys."""
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
