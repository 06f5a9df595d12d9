"""Scenario ``memory``: peak memory while streaming 100,000 and 1,000,000 vendors.

Each stream runs in a fresh child process (``python -m benchmarks.scenarios.memory URL N``)
pinned like the harness, so its peak resident set is its own: the interpreter, the SDK, and
whatever the stream holds. The consumer counts the vendors and keeps none, so the stream
itself must stay within (prefetch + 1) pages whatever the collection's size.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

from .._measure import Goal, Report, Row, alternate
from .._server import pin_to
from ._common import Context, sdk_client

__all__ = ["run"]

PAGE_SIZE = 1000


def _child(base_url: str, count: int) -> dict[str, float]:
    async def stream() -> int:
        async with sdk_client(base_url) as client:
            seen = 0
            async for _vendor in client.invoice.vendors.list(page_size=PAGE_SIZE,
                                                              max_items=count):
                seen += 1
            return seen

    started = time.perf_counter()
    seen = asyncio.run(stream())
    elapsed = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"items": seen, "seconds": elapsed, "peak_rss_mb": peak_kib / 1024}


def _spawn(base_url: str, count: int, results: dict[str, list[dict[str, float]]],
           name: str) -> Callable[[], float]:
    def measure() -> float:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.scenarios.memory", base_url, str(count)],
            check=True, capture_output=True, text=True,
        )
        answer: dict[str, float] = json.loads(out.stdout)
        assert answer["items"] == count, answer
        results[name].append(answer)
        return answer["peak_rss_mb"]

    return measure


def run(ctx: Context) -> Report:
    small, large = ctx.scale(100_000, 10_000), ctx.scale(1_000_000, 100_000)
    ctx.server.set(latency_ms=0, vendors=large)
    url = ctx.server.base_url
    names = {small: f"SDK stream of {small:,} vendors", large: f"SDK stream of {large:,} vendors"}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names.values()}
    contenders = {name: _spawn(url, count, results, name) for count, name in names.items()}
    samples = alternate(contenders, ctx.slow_repeats)
    report = Report(
        "memory", f"5. Peak RSS while streaming {small:,} and {large:,} vendors "
                  "(fresh process each, page size 1,000, prefetch 2)",
        [Row(name, "MB peak RSS", values, higher=False) for name, values in samples.items()],
        reference=names[small], ratio_label=f"{small:,} / this",
    )
    growth = report.row(names[large]).median / report.row(names[small]).median - 1
    report.goals.append(Goal(f"peak RSS growth from {small:,} to {large:,} vendors (%)",
                             growth * 100, 20.0, at_least=False))
    for name, runs in results.items():
        rate = sorted(r["items"] / r["seconds"] for r in runs)[len(runs) // 2]
        report.notes.append(f"{name}: {rate:,.0f} items/s on the way")
    report.notes.append(f"{ctx.slow_repeats} rounds: the 1,000,000-vendor child runs for "
                        "several seconds each and peak RSS barely varies")
    return report


if __name__ == "__main__":
    pin_to(0)
    print(json.dumps(_child(sys.argv[1], int(sys.argv[2]))))
