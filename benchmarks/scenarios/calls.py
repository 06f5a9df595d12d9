"""Scenario: what one small call costs the client. ``payment_request_digests.get(id=...)``, a
typed get-by-id of a small struct (where the SDK's own work weighs most), against raw aiohttp
doing the same GET and decoding the body with msgspec into the same struct.

The measure is the harness process's CPU time (``time.process_time``) per call: LocalConcur
answers from its own process on its own core, so the server's work is not counted and the
figure is what the client spends, which is what a fan-out of many calls is bound by. Both
contenders run under the same driver: ``concurrency`` tasks, each making its share of the
calls one after another, so the driver costs both alike. Sessions, tokens and connections are
opened before the clock starts. The goals are the median of per-round ratios (SDK / raw),
each round running every contender once, in rotating order.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

import aiohttp
import msgspec

from concur_async.invoice.payment_request_digests import PaymentRequestDigest

from .._measure import Goal, Report, Row, alternate
from ._common import Context, sdk_client

__all__ = ["run"]

CONCURRENCY = (1, 32)
SDK = "SDK: payment_request_digests.get(id=...)"
TARGET = 1.30
PATH = "/api/v3.0/invoice/paymentrequestdigests/"

Call = Callable[[str], Awaitable[PaymentRequestDigest]]


async def _drive(call: Call, ids: list[str], calls: int, concurrency: int) -> float:
    """CPU microseconds per call for ``calls`` calls made by ``concurrency`` tasks."""

    async def worker(first: int) -> None:
        for i in range(first, calls, concurrency):
            await call(ids[i % len(ids)])

    await asyncio.gather(*(worker(k) for k in range(concurrency)))  # connections, warm-up
    started = time.process_time()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    return (time.process_time() - started) / calls * 1e6


def _sdk(base_url: str, ids: list[str], calls: int, concurrency: int) -> Callable[[], float]:
    async def measure() -> float:
        async with sdk_client(base_url, max_concurrency=concurrency) as client:
            digests = client.invoice.payment_request_digests

            async def call(id: str) -> PaymentRequestDigest:
                return await digests.get(id=id)

            return await _drive(call, ids, calls, concurrency)

    return lambda: asyncio.run(measure())


def _raw(base_url: str, ids: list[str], calls: int, concurrency: int) -> Callable[[], float]:
    # The decoder the SDK settles on for this struct: typed, lax (Concur sends IsDeleted as
    # "false"), numbers never through float.
    decoder = msgspec.json.Decoder(PaymentRequestDigest, strict=False, float_hook=Decimal)

    async def measure() -> float:
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:
            async with session.post(f"{base_url}/oauth2/v0/token", data={
                "grant_type": "client_credentials", "client_id": "local",
                "client_secret": "local",
            }) as resp:
                resp.raise_for_status()
                token = (await resp.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            prefix = base_url + PATH

            async def call(id: str) -> PaymentRequestDigest:
                async with session.get(prefix + id, headers=headers) as resp:
                    resp.raise_for_status()
                    return decoder.decode(await resp.read())

            return await _drive(call, ids, calls, concurrency)

    return lambda: asyncio.run(measure())


async def _ids(base_url: str, count: int) -> list[str]:
    async with sdk_client(base_url) as client:
        digests = client.invoice.payment_request_digests.list(max_items=count)
        return [d.id async for d in digests if d.id is not None]


def _name(who: str, concurrency: int) -> str:
    return f"{who}, concurrency {concurrency}"


def run(ctx: Context) -> Report:
    calls = ctx.scale(3000, 400)
    rounds = ctx.scale(9, 2)
    url = ctx.server.base_url
    ctx.server.set(latency_ms=0)
    ids = asyncio.run(_ids(url, 500))
    contenders: dict[str, Callable[[], float]] = {}
    for c in CONCURRENCY:
        contenders[_name(SDK, c)] = _sdk(url, ids, calls, c)
        contenders[_name("raw aiohttp + msgspec", c)] = _raw(url, ids, calls, c)
    for measure in contenders.values():
        measure()  # imports, decoders, the first connections: not counted
    samples = alternate(contenders, rounds)
    report = Report(
        "calls",
        f"Small calls: {calls:,} typed get-by-id calls (client CPU µs per call)",
        [Row(name, "µs CPU/call", values, higher=False) for name, values in samples.items()],
    )
    for c in CONCURRENCY:
        sdk = samples[_name(SDK, c)]
        raw = samples[_name("raw aiohttp + msgspec", c)]
        ratios = [s / r for s, r in zip(sdk, raw, strict=True)]
        report.goals.append(Goal(f"SDK / raw CPU per call at concurrency {c} (median of "
                                 "per-round ratios)", statistics.median(ratios), TARGET,
                                 at_least=False))
        report.notes.append(f"concurrency {c}: per-round ratios {min(ratios):.2f} - "
                            f"{max(ratios):.2f}; SDK adds "
                            f"{statistics.median(sdk) - statistics.median(raw):.0f} µs per call")
    report.notes.append("CPU time of the harness process only (LocalConcur runs in its own); "
                        "each contender opens its session and token before the clock starts")
    return report
