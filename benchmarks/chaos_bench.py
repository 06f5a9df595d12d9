"""Chaos at full size: 50,000 vendors streamed and 20,000 synced through a hostile LocalConcur.

    python -m benchmarks.chaos_bench [--scale 1.0] [--seed 7]

The faults are those of the chaos tests (``tests/chaos/harness.py``, shared so the benchmark
and the tests measure the same thing): on every API route, 3% of requests answered 429 with
``Retry-After: 0.05``, 5% answered 500/502/503, 3% cut off mid-body, 3% delayed by 80 ms; every
access token lives 1.5 s and all of them are expired again every 2.5 s. The token endpoint
answers 500/502/503 to 20% of token requests and cuts off 10% after serving them (the refresh
token rotated, the answer lost), each answer 20 ms late; the client signs in with a password
grant, and after every other forced expiry three callers are cancelled while the refresh runs. The
run prints what was streamed and synced, the faults injected by kind, the retries, and the
records lost or duplicated, which must be zero (the exit status is 1 otherwise).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _harness() -> Any:
    # The scenarios live with the chaos tests; the benchmark runs them at full size.
    sys.path.insert(0, str(ROOT / "tests"))
    return importlib.import_module("chaos.harness")


async def run(scale: float, seed: int) -> int:
    harness = _harness()
    streamed = max(1_000, round(harness.FULL_STREAM * scale))
    synced = max(400, round(harness.FULL_SYNC * scale))
    runs = [
        await harness.stream_vendors(streamed, page_size=100, seed=seed),
        await harness.stream_vendors(streamed // 5, page_size=100, wire_format="xml",
                                     seed=seed + 1),
    ]
    figures, report, difference, _ = await harness.sync_vendors_under_faults(
        synced, seed=seed + 2, batch_size=100, concurrency=8)
    runs.append(figures)
    for figures in runs:
        print(figures.summary(), end="\n\n")

    faults: Counter[str] = Counter()
    token_faults: Counter[str] = Counter()
    for figures in runs:
        faults.update(figures.faults)
        token_faults.update(figures.token_faults)
    lost = sum(f.lost for f in runs)
    duplicated = sum(f.duplicated for f in runs)
    out_of_order = sum(1 for f in runs if f.in_order is False)
    absurd = sum(v for f in runs for k, v in f.extra.items() if k.startswith("absurd"))
    print("| figure | value |")
    print("|---|---:|")
    rows = [
        ("vendors streamed under faults (JSON + XML)", f"{runs[0].records + runs[1].records:,}"),
        ("vendors synced under faults", f"{runs[2].records:,}"),
        ("sync: created / updated / deleted / unchanged",
         f"{report.created:,} / {report.updated:,} / {report.deleted:,} / "
         f"{report.unchanged:,}"),
        *((f"faults injected: {kind}", f"{count:,}") for kind, count in sorted(faults.items())),
        ("faults injected: total", f"{sum(faults.values()):,}"),
        ("absurd Retry-After answered (sync writes)", f"{absurd:,}"),
        ("401s from forced token expiry", f"{sum(f.unauthorized for f in runs):,}"),
        *((f"token endpoint faults: {kind}", f"{count:,}")
          for kind, count in sorted(token_faults.items())),
        ("callers cancelled while a refresh ran",
         f"{sum(f.cancelled_in_refresh for f in runs):,}"),
        ("token requests", f"{sum(f.token_requests for f in runs):,}"),
        ("retries", f"{sum(f.retries for f in runs):,}"),
        ("records lost", f"{lost:,}"),
        ("records duplicated (stream items; writes confirmed twice)", f"{duplicated:,}"),
        ("streams out of order", f"{out_of_order}"),
        ("wall time", f"{sum(f.seconds for f in runs):.1f} s"),
    ]
    for name, value in rows:
        print(f"| {name} | {value} |")
    failed = lost or duplicated or out_of_order or difference or report.failed
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos_bench",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="share of the full sizes (default 1.0: 50,000 and 20,000)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the fault decisions")
    args = parser.parse_args(argv)
    return asyncio.run(run(args.scale, args.seed))


if __name__ == "__main__":
    sys.exit(main())
