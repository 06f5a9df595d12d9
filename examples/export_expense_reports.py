"""Export the expense reports modified since a date to JSON Lines: a nightly worker's job.

    python examples/export_expense_reports.py --since 2024-06-01 --out reports.jsonl

One report per line, in Concur's own field names. Pages are written as they arrive (the next
ones are already being fetched), so memory stays flat for any number of reports; the file is
written aside and renamed at the end, so a failed run never leaves half an export behind.
Without CONCUR_* credentials (see _env.py) it runs against LocalConcur seeded with
``--local-reports`` reports, modified on dates across 2024.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec
from _env import concur_target

from concur_async import ConcurClient
from concur_async.testing import LocalConcur

_CURRENCIES = ("USD", "EUR", "GBP", "CAD")


def local_reports(count: int) -> Iterator[dict[str, Any]]:
    """The reports LocalConcur starts with: last modified on days spread over 2024."""
    start = dt.datetime(2024, 1, 1, 9, 0)
    for i in range(count):
        created = start + dt.timedelta(days=(i * 7) % 366)
        modified = created + dt.timedelta(days=i % 5, hours=i % 8)
        yield {
            "ID": f"RPT{i:08d}",
            "Name": f"Trip report {i:05d}",
            "Total": f"{50 + i % 2000}.00",
            "CurrencyCode": _CURRENCIES[i % len(_CURRENCIES)],
            "ApprovalStatusCode": "A_APPR" if i % 2 else "A_NOTF",
            "PaymentStatusCode": "P_NOTP",
            "OwnerLoginID": f"user{i % 50}@example.com",
            "CreateDate": created.isoformat(),
            "LastModifiedDate": modified.isoformat(),
        }


async def export(
    client: ConcurClient, since: dt.datetime, out: IO[bytes], *, all_users: bool
) -> tuple[int, int]:
    """Write every report modified after ``since`` to ``out``; (reports, pages)."""
    encode = msgspec.json.Encoder().encode
    reports = pages = 0
    listing = client.expense.reports.list(
        modified_date_after=since, user="ALL" if all_users else None, page_size=100
    )
    async for page in listing.pages():
        out.write(b"".join(encode(report) + b"\n" for report in page.items))
        reports += len(page.items)
        pages += 1
    return reports, pages


async def main(since: dt.datetime, out_path: Path | None, *, all_users: bool,
               local_reports_count: int) -> int:
    started = time.perf_counter()

    def seed(concur: LocalConcur) -> None:
        concur.state.seed("expense/reports", local_reports(local_reports_count))

    async with concur_target(prepare=seed) as target, target.make_client() as client:
        print(f"exporting from {target.label}", file=sys.stderr)
        if out_path is None:
            reports, pages = await export(client, since, sys.stdout.buffer, all_users=all_users)
            sys.stdout.flush()
        else:
            partial = out_path.with_name(out_path.name + ".partial")
            try:
                with partial.open("wb") as out:
                    reports, pages = await export(client, since, out, all_users=all_users)
                    out.flush()
                    os.fsync(out.fileno())
                partial.replace(out_path)
            finally:
                partial.unlink(missing_ok=True)
        seconds = time.perf_counter() - started
        print(
            f"exported {reports} reports modified since {since.isoformat()} "
            f"to {out_path or 'stdout'} ({pages} pages, {client.stats.requests} requests, "
            f"{seconds:.2f}s)",
            file=sys.stderr,
        )
    return 0


def parse_since(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--since", type=parse_since, required=True,
                        help="reports modified after this date or time (YYYY-MM-DD[THH:MM])")
    parser.add_argument("--out", type=Path, help="the JSONL file to write (stdout if left out)")
    parser.add_argument("--all-users", action="store_true",
                        help="every user's reports (user=ALL; needs an admin's token)")
    parser.add_argument("--local-reports", type=int, default=500,
                        help="reports LocalConcur starts with (without CONCUR_* credentials)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.since, args.out, all_users=args.all_users,
                              local_reports_count=args.local_reports)))
