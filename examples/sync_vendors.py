"""Make Concur's vendor list match a CSV file: create what is new, update what changed.

    python examples/sync_vendors.py --csv vendors.csv --dry-run            # see the plan
    python examples/sync_vendors.py --csv vendors.csv --checkpoint sync.ckpt --failures bad.jsonl

The CSV has a header row of Concur field names (``VendorCode``, ``AddressCode``,
``VendorName``, ``Address1``, ``City``, ``PostalCode``, ``CountryCode``, ``CurrencyCode``...);
a vendor is keyed by ``VendorCode`` + ``AddressCode``. The file is read as the sync goes, so it
may be large. ``--delete-missing`` also deletes vendors Concur has and the file does not;
``--checkpoint`` lets a run that was stopped carry on where it was; ``--failures`` writes each
refused vendor with Concur's reason as JSON Lines. The exit status is 1 if any vendor failed.

Without CONCUR_* credentials (see _env.py) it runs against LocalConcur holding
``--local-vendors`` vendors and, without ``--csv``, syncs a made-up file to it: one vendor in
ten renamed, the last twentieth left out, and a twentieth more that are new.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from _env import concur_target

from concur_async.bulk import SyncProgress, SyncReport, sync_vendors
from concur_async.testing import seeded_vendor


def local_desired(count: int) -> Iterator[dict[str, Any]]:
    """The made-up file for a LocalConcur of ``count`` vendors (see the module docstring)."""
    kept = count - count // 20
    for i in range(kept):
        vendor = {k: v for k, v in seeded_vendor(i).items() if k != "ID"}
        if i % 10 == 0:
            vendor["VendorName"] = f"{vendor['VendorName']} (renamed)"
        yield vendor
    for i in range(count // 20):
        yield {"VendorCode": f"NEW{i:05d}", "AddressCode": "MAIN",
               "VendorName": f"New Supplier {i}", "Address1": "1 Main Street",
               "City": "Minneapolis", "PostalCode": "55401", "State": "MN",
               "CountryCode": "US", "CurrencyCode": "USD"}


def read_csv(path: Path) -> Iterator[dict[str, Any]]:
    """The file's vendors one by one; empty cells are left out rather than blanked in Concur."""
    with path.open(newline="", encoding="utf-8-sig") as source:
        for row in csv.DictReader(source):
            yield {k: v for k, v in row.items() if k and v not in (None, "")}


def show(report: SyncReport) -> None:
    title = "plan (dry run, nothing sent)" if report.dry_run else "done"
    print(f"vendor sync {title}:")
    for label, value in (("created", report.created), ("updated", report.updated),
                         ("deleted", report.deleted), ("unchanged", report.unchanged),
                         ("failed", report.failed)):
        print(f"  {label:<10}{value:>9,}")
    print(f"  {report.requests:,} requests in {report.seconds:.2f}s")
    for failure in report.failures[:10]:
        reason = failure.meaning or failure.message or failure.code
        print(f"  failed to {failure.action} {failure.key}: {reason}")
    if len(report.failures) > 10:
        print(f"  ... and {len(report.failures) - 10} more")


async def main(args: argparse.Namespace) -> int:
    shown = 0

    def progress(state: SyncProgress) -> None:
        nonlocal shown
        step = max((state.total or 1000) // 10, 1)  # about ten lines per run
        if state.phase == "writing" and (state.done - shown >= step or state.done == state.total):
            shown = state.done
            of = f" of {state.total:,}" if state.total is not None else ""
            print(f"  {state.done:,}{of} written, {state.failed:,} failed", file=sys.stderr)

    async with concur_target(vendors=args.local_vendors) as target, \
            target.make_client() as client:
        print(f"syncing vendors with {target.label}", file=sys.stderr)
        if args.csv is not None:
            desired: Iterator[dict[str, Any]] = read_csv(args.csv)
        elif target.samples:
            desired = local_desired(args.local_vendors)
        else:
            sys.exit("give --csv: the made-up vendor file only fits LocalConcur")
        report = await sync_vendors(
            client, desired, delete_missing=args.delete_missing, dry_run=args.dry_run,
            concurrency=args.concurrency, batch_size=args.batch_size,
            checkpoint=args.checkpoint, on_progress=progress,
        )
    show(report)
    if args.failures is not None:
        report.write_failures(args.failures)
    return 0 if report.ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, help="the vendors Concur should have")
    parser.add_argument("--delete-missing", action="store_true",
                        help="delete vendors that are not in the file")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument("--concurrency", type=int, default=8, help="batches in flight")
    parser.add_argument("--batch-size", type=int, default=100, help="vendors per call")
    parser.add_argument("--checkpoint", type=Path, help="resume file for long runs")
    parser.add_argument("--failures", type=Path, help="write refused vendors here (JSONL)")
    parser.add_argument("--local-vendors", type=int, default=2000,
                        help="vendors LocalConcur starts with (without CONCUR_* credentials)")
    sys.exit(asyncio.run(main(parser.parse_args())))
