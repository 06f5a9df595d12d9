"""Scenario 8: many processes, one identity: 4 processes streaming under one shared budget.

Part 1, the budget: four worker processes, each with its own ``ConcurClient`` sharing one
``RedisCoordination`` namespace with ``requests_per_second`` set to the budget, stream vendors
one page (one request) after another for a fixed time. The aggregate rate the four achieved
after the first second (when the bucket's one-second burst is spent) is compared with the
budget: it must reach it (the budget is spent, not wasted on waiting) and not pass it.

Part 2, the cost: in this process, alternating rounds, the same stream of pages is read by a
single-process client (in-memory limits), by a client coordinated through Redis with no
budget (one Redis call per request: the shared pause), and by one with a budget too high to
bind (the GCRA script as well). The difference in time per request is what coordination
costs. A real redis-server is started for the scenario on a free port.

    python -m benchmarks --only shared
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from concur_async.redis import RedisCoordination
from concur_async.testing import RedisServer

from .._measure import Goal, Report, Row, alternate
from .._server import CPUS
from ._common import Context, sdk_client

__all__ = ["run"]

PROCESSES = 4
PAGE_SIZE = 100


async def _stream_for(client: Any, seconds: float) -> list[float]:
    """The wall-clock time of each page read in ``seconds``."""
    pages = client.invoice.vendors.list(page_size=PAGE_SIZE, prefetch=0).pages()
    times: list[float] = []
    end = time.monotonic() + seconds
    async for _page in pages:
        times.append(time.time())
        if time.monotonic() >= end:
            break
    await pages.aclose()
    return times


def worker(config: dict[str, Any]) -> dict[str, Any]:
    """One of the four processes of part 1 (``python -m benchmarks.scenarios.shared``)."""

    async def main() -> dict[str, Any]:
        coordination = RedisCoordination.from_url(config["redis_url"],
                                                  namespace=config["namespace"])
        async with sdk_client(config["base_url"], coordination=coordination,
                              requests_per_second=config["budget"]) as client:
            await client.invoice.vendors.list(page_size=1).first_page()  # token, connection
            await asyncio.sleep(max(0.0, config["start_at"] - time.time()))
            return {"times": await _stream_for(client, config["seconds"])}

    return asyncio.run(main())


def _aggregate(base_url: str, redis_url: str, budget: float, seconds: float) -> dict[str, float]:
    config = {"base_url": base_url, "redis_url": redis_url, "budget": budget,
              "seconds": seconds, "namespace": f"bench-{uuid.uuid4().hex[:8]}",
              "start_at": time.time() + 3.0}
    procs = [subprocess.Popen([sys.executable, "-m", "benchmarks.scenarios.shared",
                               json.dumps(config)], stdout=subprocess.PIPE, text=True)
             for _ in range(PROCESSES)]
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 60)
        if proc.returncode != 0:
            raise RuntimeError(f"a shared-budget worker failed (exit {proc.returncode})")
        results.append(json.loads(out))
    times = sorted(t for r in results for t in r["times"])
    span = times[-1] - times[0]
    # After the first second the bucket's burst is spent: what remains is the steady rate.
    steady = [t for t in times if t >= times[0] + 1.0]
    return {"rate": (len(times) - 1) / span, "steady": (len(steady) - 1) / (span - 1.0),
            "requests": len(times), "span": span}


def _per_request(base_url: str, pages: int, coordination: Callable[[], Any] | None,
                 budget: float | None) -> Callable[[], float]:
    """Microseconds per page request over ``pages`` sequential pages."""

    async def measure() -> float:
        options: dict[str, Any] = {"requests_per_second": budget}
        if coordination is not None:
            options["coordination"] = coordination()
        async with sdk_client(base_url, **options) as client:
            await client.invoice.vendors.list(page_size=1).first_page()
            started = time.perf_counter()
            listing = client.invoice.vendors.list(page_size=PAGE_SIZE, prefetch=0,
                                                  max_items=pages * PAGE_SIZE).pages()
            count = sum([1 async for _page in listing])
            return (time.perf_counter() - started) / count * 1e6

    return lambda: asyncio.run(measure())


def run(ctx: Context) -> Report:
    budget = float(ctx.scale(200, 100))
    seconds = float(ctx.scale(10, 3))
    pages = ctx.scale(1000, 200)
    server = ctx.server
    server.set(latency_ms=0, vendors=1_000_000)
    redis = RedisServer().start()
    if redis.pid is not None and CPUS:
        # Started from the harness, it inherited its one core: free it to answer from any.
        os.sched_setaffinity(redis.pid, CPUS)
    try:
        runs = [_aggregate(server.base_url, redis.url, budget, seconds)
                for _ in range(ctx.slow_repeats)]
        local, pause_only, gcra = ("single-process client (in-memory limits)",
                                   "Redis-coordinated, no budget (shared pause check)",
                                   "Redis-coordinated, with a budget (pause + GCRA)")

        def coordination() -> RedisCoordination:
            return RedisCoordination.from_url(redis.url, namespace=f"cost-{uuid.uuid4().hex}")

        contenders = {
            local: _per_request(server.base_url, pages, None, None),
            pause_only: _per_request(server.base_url, pages, coordination, None),
            gcra: _per_request(server.base_url, pages, coordination, 1e6),
        }
        contenders[local]()  # warm-up: imports, decoders
        samples = alternate(contenders, ctx.repeats)
    finally:
        redis.stop()
    steady = [r["steady"] for r in runs]
    achieved = statistics.median(steady)
    overhead = statistics.median(samples[gcra]) - statistics.median(samples[local])
    return Report(
        "shared",
        f"8. Many processes, one identity: {PROCESSES} processes streaming {PAGE_SIZE}-vendor "
        f"pages for {seconds:.0f} s under one shared budget of {budget:.0f} requests/s "
        f"(Redis), and the cost of coordination per request",
        [Row(f"{PROCESSES} processes together, after the first second (budget "
             f"{budget:.0f}/s)", "requests/s", steady),
         Row(f"{PROCESSES} processes together, whole run (the first second's burst "
             "included)", "requests/s", [r["rate"] for r in runs]),
         *(Row(name, "µs/request", values, higher=False) for name, values in samples.items())],
        goals=[
            Goal("steady aggregate rate reaches 90 % of the shared budget", achieved,
                 0.9 * budget),
            Goal("steady aggregate rate stays within the budget (+2 %)", achieved,
                 1.02 * budget, at_least=False),
        ],
        notes=[
            f"coordination overhead (budgeted minus single-process): {overhead:.0f} µs per "
            "request",
            "runs: " + "; ".join(f"{r['requests']:.0f} requests in {r['span']:.2f} s"
                                 for r in runs),
        ],
    )


if __name__ == "__main__":
    print(json.dumps(worker(json.loads(sys.argv[1]))))
