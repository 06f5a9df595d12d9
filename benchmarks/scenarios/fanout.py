"""Scenario 3: fan-out (N+1): list payment request digests, then fetch every request.

The SDK way is ``digests.map(get_detail, concurrency=n)``: details are fetched ``n`` at a
time while later digest pages still stream in, and results come back in digest order.
Baselines: (b) one call after another with requests; (a) and (c) gather under an
``asyncio.Semaphore`` at the SDK's concurrency of 32.

Runs that would take minutes at 50 ms per call (concurrency 1 and baseline (b): 2,000 calls
are 100 s) fetch the first ``n`` digests' details only and are extrapolated by their rate to
the full 2,000; their rows say so.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from types import ModuleType

from concur_async.invoice.payment_request_digests import PaymentRequestDigest
from concur_async.invoice.payment_requests import PaymentRequest

from .._measure import Goal, Report, Row, alternate
from ._common import Context, baseline, sdk_client

__all__ = ["run"]

LATENCY_MS = 50.0
DIGEST_PAGE = 1000
B = "(b) requests, sequential"


def _sdk(base_url: str, total: int, concurrency: int, count: int) -> Callable[[], float]:
    """Seconds for ``total`` details, extrapolated by rate when only ``count`` are fetched."""

    async def measure() -> float:
        async with sdk_client(base_url, max_concurrency=64) as client:
            await client.invoice.payment_request_digests.list(page_size=1).first_page()
            requests = client.invoice.payment_requests

            asked: list[str] = []

            async def detail(digest: PaymentRequestDigest) -> PaymentRequest:
                assert digest.id is not None
                asked.append(digest.id)
                return await requests.get(id=digest.id)

            started = time.perf_counter()
            digests = client.invoice.payment_request_digests.list(
                page_size=min(DIGEST_PAGE, count), max_items=count)
            got = [request.id async for request in digests.map(detail, concurrency=concurrency)]
            elapsed = time.perf_counter() - started
            if len(got) != count or got != asked:  # map must keep the digests' order
                raise RuntimeError(f"fan-out returned {len(got)} of {count}, or out of order")
            return elapsed * total / count

    return lambda: asyncio.run(measure())


def _gather(module: ModuleType, base_url: str, total: int, concurrency: int) -> Callable[[], float]:
    async def measure() -> float:
        async with module.Session(base_url, connections=concurrency) as session:
            started = time.perf_counter()
            digests = await session.digests()
            ids = [d.ID for d in digests][:total]
            results = await session.gather_limited(session.payment_request, ids, concurrency)
            elapsed = time.perf_counter() - started
            assert len(results) == total
            return float(elapsed)

    return lambda: asyncio.run(measure())


def _sequential(module: ModuleType, base_url: str, total: int, count: int) -> Callable[[], float]:
    def measure() -> float:
        with module.Session(base_url) as session:
            started = time.perf_counter()
            digests = session.digests()
            for digest in digests[:count]:
                session.payment_request(digest["ID"])
            elapsed = time.perf_counter() - started
            return elapsed * total / count

    return measure


def run(ctx: Context) -> Report:
    total = ctx.scale(2000, 200)
    server = ctx.server
    server.set(latency_ms=LATENCY_MS)
    url = server.base_url
    # Scaled-down runs: few enough calls to take ~3 s each at this latency.
    slow = ctx.scale(60, 20)
    c8 = ctx.scale(400, 200)
    sdk = {c: f"SDK map, concurrency {c}" for c in (1, 8, 32, 64)}
    contenders: dict[str, Callable[[], float]] = {
        sdk[1]: _sdk(url, total, 1, slow),
        sdk[8]: _sdk(url, total, 8, c8),
        sdk[32]: _sdk(url, total, 32, total),
        sdk[64]: _sdk(url, total, 64, total),
    }
    notes = {sdk[1]: f"first {slow}, extrapolated", sdk[8]: f"first {c8}, extrapolated"}
    if c8 == total:
        del notes[sdk[8]]
    if (b := baseline(ctx, "requests_json")) is not None:
        contenders[B] = _sequential(b, url, total, slow)
        notes[B] = f"first {slow}, extrapolated"
    if (a := baseline(ctx, "aiohttp_msgspec")) is not None:
        contenders["(a) aiohttp + Semaphore(32) gather"] = _gather(a, url, total, 32)
    if (c := baseline(ctx, "httpx_pydantic")) is not None:
        contenders["(c) httpx + Semaphore(32) gather"] = _gather(c, url, total, 32)
    server.set(latency_ms=0)
    contenders[sdk[32]]()  # warm-up at no latency: imports, decoders
    server.set(latency_ms=LATENCY_MS)
    samples = alternate(contenders, ctx.slow_repeats)
    report = Report(
        "fanout",
        f"3. Fan-out: {total:,} payment request digests, then each request's detail, "
        f"{LATENCY_MS:.0f} ms per call (seconds for all {total:,})",
        [Row(name, "s", values, higher=False, note=notes.get(name, ""))
         for name, values in samples.items()],
        reference=sdk[32], ratio_label="SDK c=32 faster by",
    )
    list_pages = -(-total // DIGEST_PAGE)
    ideal = (total + list_pages) * LATENCY_MS / 1000 / 32
    at32 = report.row(sdk[32])
    if B in samples:
        report.goals.append(Goal("SDK c=32 speed-up over sequential (b)",
                                 at32.better_by(report.row(B)), 20.0))
    report.goals.append(Goal(f"SDK c=32 time / ideal ({total + list_pages:,} calls x "
                             f"{LATENCY_MS:.0f} ms / 32 = {ideal:.2f} s)",
                             at32.median / ideal, 1.3, at_least=False))
    report.notes.append("`paginator.map` keeps digest order (a sliding window of tasks) and "
                        "the client is built with max_concurrency=64")
    report.notes.append(f"{ctx.slow_repeats} rounds: the time is the server's 50 ms sleeps")
    return report
