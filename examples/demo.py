"""The README's demo: the SDK against a local Concur test double, no credentials needed.

It starts ``LocalConcur`` (a test double of Concur's API on 127.0.0.1, not Concur itself) with
10,000 vendors, streams them all through the SDK, creates a batch of new vendors and updates
them, then prints what it took. Point the same code at real Concur by building the
``ConcurClient`` with your own credentials instead of ``concur.client()``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from concur_async import ConcurClient
from concur_async.invoice.vendors import Vendor, VendorCollection
from concur_async.testing import LocalConcur


async def stream_all(client: ConcurClient, total: int, progress: Progress) -> tuple[int, int]:
    task = progress.add_task("streaming vendors", total=total)
    items = pages = 0
    async for page in client.invoice.vendors.list(page_size=1000).pages():
        items += len(page.items)
        pages += 1
        progress.update(task, advance=len(page.items))
    return items, pages


def new_vendors(count: int) -> list[Vendor]:
    return [
        Vendor(
            vendor_code=f"DEMO{i:04d}",
            address_code="MAIN",
            vendor_name=f"Demo Supplier {i}",
            country_code="US",
            currency_code="USD",
            city="Minneapolis",
        )
        for i in range(count)
    ]


async def main(vendor_count: int, batch: int) -> int:
    console = Console(stderr=True)
    started = time.perf_counter()
    async with LocalConcur(vendors=vendor_count) as concur, concur.client() as client:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            items, pages = await stream_all(client, vendor_count, progress)
            created = await client.invoice.vendors.create(new_vendors(batch))
            updated = await client.invoice.vendors.update(
                [_with_city(v, "St. Paul") for v in new_vendors(batch)]
            )
        refused = {name: _refused(answer) for name, answer in (("create", created),
                                                               ("update", updated))}
        failed = [item for items_ in refused.values() for item in items_]
        seconds = time.perf_counter() - started
        table = Table(title="concur-async demo")
        table.add_column("what")
        table.add_column("value", justify="right")
        for label, value in (
            ("vendors streamed", f"{items:,}"),
            ("pages", f"{pages:,}"),
            ("vendors created", f"{len(created.vendor or []) - len(refused['create']):,}"),
            ("vendors updated", f"{len(updated.vendor or []) - len(refused['update']):,}"),
            ("failed items", f"{len(failed):,}"),
            ("HTTP requests", f"{client.stats.requests:,}"),
            ("retries", f"{client.stats.retries:,}"),
            ("token refreshes", f"{client.stats.token_refreshes:,}"),
            ("seconds", f"{seconds:.2f}"),
        ):
            table.add_row(label, value)
        out = Console()
        out.print("Ran against LocalConcur, a local test double of Concur's API (not SAP Concur).")
        out.print(table)
        for line in failed:  # a 200 answer can still refuse vendors one by one
            console.print(f"[red]refused[/red] {line}")
    return 1 if failed or items != vendor_count else 0


def _refused(answer: VendorCollection) -> list[str]:
    """Each vendor the batch refused, with Concur's code and message."""
    return [
        f"{vendor.vendor_code}|{vendor.address_code}: [{status.code}] {status.message}"
        for vendor in answer.vendor or []
        for status in vendor.status_list or []
        if (status.type or "").lower() == "error"
    ]


def _with_city(vendor: Vendor, city: str) -> Vendor:
    vendor.city = city
    return vendor


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.vendors, args.batch)))
