"""Cold one-pass: a fresh process streams 100,000 vendors once, the SDK against baseline (a).

Each sample is a new interpreter (``python -m benchmarks.scenarios.cold URL sdk|hand``), pinned
like the harness, so nothing is warm: not the heap, not the decoders, not the connection.
Imports come before the clock (scenario ``import`` measures them); the clock covers opening
the client (token and connection), the whole stream, and closing. The SDK and the hand loop
take turns, a fresh process each time. The same two run again with glibc's allocator told to
keep freed memory (``docs/benchmarks.md``, "Allocator settings"), since a cold heap is where
returning memory to the system and faulting it back in costs most.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from .._measure import Goal, Report, Row, alternate, paired
from .._server import pin_to
from ._common import Context, baseline, sdk_client

__all__ = ["MALLOC_ENV", "run"]

PAGE_SIZE = 1000
#: Keep up to 64 MiB of freed memory instead of returning it (trim), and serve large blocks
#: (a 1 MB page body) from the heap rather than from fresh mappings (mmap).
MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": str(64 << 20), "MALLOC_MMAP_THRESHOLD_": str(64 << 20)}

SDK = "SDK: vendors.list() -> Vendor structs"
A = "(a) aiohttp + msgspec, by hand"
TUNED = ", glibc keeping freed memory"
CPU = ", client CPU"


async def _sdk_pass(base_url: str) -> int:
    seen = 0
    async with sdk_client(base_url) as client:
        async for _vendor in client.invoice.vendors.list(page_size=PAGE_SIZE):
            seen += 1
    return seen


async def _hand_pass(base_url: str) -> int:
    from ..baselines import aiohttp_msgspec

    seen = 0
    async with aiohttp_msgspec.Session(base_url) as session:
        async for _vendor in session.vendors(PAGE_SIZE):
            seen += 1
    return seen


def _child(base_url: str, who: str) -> dict[str, float]:
    one_pass = _sdk_pass if who == "sdk" else _hand_pass
    if who != "sdk":
        from ..baselines import aiohttp_msgspec  # noqa: F401  imported before the clock
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    started, cpu = time.perf_counter(), time.process_time()
    seen = asyncio.run(one_pass(base_url))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"items": seen, "seconds": time.perf_counter() - started,
            "cpu": time.process_time() - cpu, "faults": usage.ru_minflt - faults}


def _spawn(base_url: str, count: int, who: str, env: dict[str, str],
           runs: list[dict[str, float]]) -> Callable[[], float]:
    def measure() -> float:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.scenarios.cold", base_url, who],
            check=True, capture_output=True, text=True, env={**os.environ, **env},
        )
        answer: dict[str, float] = json.loads(out.stdout)
        assert answer["items"] == count, answer
        runs.append(answer)
        return count / answer["seconds"]

    return measure


def run(ctx: Context) -> Report:
    count = ctx.scale(100_000, 10_000)
    ctx.server.set(latency_ms=0, vendors=count)
    url = ctx.server.base_url
    plain: dict[str, dict[str, str]] = {name: {} for name in (SDK, A)}
    tuned = {name + TUNED: MALLOC_ENV for name in (SDK, A)}
    runs: dict[str, list[dict[str, float]]] = {}
    contenders: dict[str, Callable[[], float]] = {}
    for name, env in {**plain, **tuned}.items():
        if name.startswith(A) and baseline(ctx, "aiohttp_msgspec") is None:
            continue
        runs[name] = []
        who = "sdk" if name.startswith(SDK) else "hand"
        contenders[name] = _spawn(url, count, who, env, runs[name])
    samples = alternate(contenders, ctx.repeats)
    rows = [Row(name, "items/s", values) for name, values in samples.items()]
    rows += [Row(name + CPU, "items/CPU-s", [count / r["cpu"] for r in done],
                 versus=SDK + CPU) for name, done in runs.items()]
    report = Report(
        "cold", f"Cold one-pass: a fresh process streams {count:,} vendors once "
                f"(page size {PAGE_SIZE:,}), the SDK and the hand loop taking turns",
        rows, reference=SDK, ratio_label="SDK / this",
    )
    if A in samples:
        sdk, hand, sdk_cpu, hand_cpu = (report.row(name) for name in (SDK, A, SDK + CPU, A + CPU))
        report.goals.append(Goal("SDK items/s / baseline (a), cold", sdk.better_by(hand), 1.0))
        report.goals.append(Goal("SDK items per client CPU-second / baseline (a), cold",
                                 sdk_cpu.better_by(hand_cpu), 1.0))
        report.notes.append(f"SDK / (a), fresh processes side by side: {paired(sdk, hand)}; "
                            f"client CPU {paired(sdk_cpu, hand_cpu)}")
    for name, done in runs.items():
        faults = statistics.median(r["faults"] for r in done)
        report.notes.append(f"{name}: {faults:,.0f} page faults (median)")
    report.notes.append("the clock starts after the imports: it covers the token, the first "
                        "connection, the stream and closing; tuned runs set "
                        + ", ".join(f"`{k}={v}`" for k, v in MALLOC_ENV.items()))
    return report


if __name__ == "__main__":
    pin_to(0)
    print(json.dumps(_child(sys.argv[1], sys.argv[2])))
