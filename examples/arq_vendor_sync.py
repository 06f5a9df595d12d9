"""Per-company vendor syncs spread over several worker processes by arq, a job queue on Redis.

The same Redis holds arq's queue and, per company, the Concur identity every worker shares
(``concur_async.redis``): one token and its rotations, one rate budget, one 429 pause. A
company's sync is cut into chunks; the chunks run as separate jobs on whichever workers are
free, in parallel, and still spend that company's single token and budget.

    redis-server --port 6379 &
    python -m concur_async.testing serve --port 8111 &        # LocalConcur: a test double
    export CONCUR_BASE_URL=http://127.0.0.1:8111 REDIS_URL=redis://127.0.0.1:6379/0
    cd examples
    arq arq_vendor_sync.WorkerSettings &                      # as many workers as you like,
    arq arq_vendor_sync.WorkerSettings &                      # on any machines that reach
    arq arq_vendor_sync.WorkerSettings &                      # Redis and Concur
    python arq_vendor_sync.py --companies acme,globex,initech --chunks 3 --vendors 300

The last command queues the jobs, waits for them and prints one line per chunk (which worker
ran it, what it wrote) and exits 1 if any vendor failed. ``--requests-per-second`` is each
company's budget across all the workers. Against SAP Concur, ``grant_for`` is where each
company's credentials come from: replace it with a read from your secret store.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

from arq import create_pool
from arq.connections import RedisSettings

from concur_async import ConcurClient, PasswordGrant, RefreshTokenGrant
from concur_async.bulk import sync_vendors
from concur_async.redis import RedisCoordination

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
BASE_URL = os.environ.get("CONCUR_BASE_URL", "http://127.0.0.1:8111")
RATE = float(os.environ.get("COMPANY_REQUESTS_PER_SECOND", "50"))


def grant_for(company: str) -> PasswordGrant | RefreshTokenGrant:
    """The company's Concur credentials. LocalConcur takes any user: one per company here."""
    return PasswordGrant(client_id="vendor-sync", client_secret="made-up",  # noqa: S106
                         username=f"sync@{company}.example", password="made-up")  # noqa: S106


def company_vendors(company: str, chunk: int, chunks: int, count: int) -> Iterator[dict[str, Any]]:
    """Chunk ``chunk`` of ``chunks`` of the company's ``count`` made-up vendors."""
    prefix = company[:4].upper()
    for i in range(chunk, count, chunks):
        yield {"VendorCode": f"{prefix}{i:05d}", "AddressCode": "MAIN",
               "VendorName": f"{company.title()} supplier {i}", "Address1": "1 Main Street",
               "City": "Minneapolis", "PostalCode": "55401", "State": "MN",
               "CountryCode": "US", "CurrencyCode": "USD"}


async def _client(ctx: dict[str, Any], company: str) -> ConcurClient:
    """This worker's open client for ``company``, made on its first job, shared by the next."""
    async with ctx["lock"]:
        client: ConcurClient | None = ctx["clients"].get(company)
        if client is None:
            client = ConcurClient(
                auth=grant_for(company), base_url=BASE_URL, requests_per_second=RATE,
                coordination=RedisCoordination.from_url(REDIS_URL, namespace=company),
            )
            await client.open()
            ctx["clients"][company] = client
        return client


async def sync_company_chunk(
    ctx: dict[str, Any], company: str, chunk: int, chunks: int, vendors: int
) -> dict[str, Any]:
    """One arq job: one chunk of one company's vendors."""
    client = await _client(ctx, company)
    report = await sync_vendors(client, company_vendors(company, chunk, chunks, vendors),
                                concurrency=4, batch_size=50)
    return {"company": company, "chunk": chunk, "worker": os.getpid(),
            "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "failed": report.failed}


async def startup(ctx: dict[str, Any]) -> None:
    ctx["clients"] = {}
    ctx["lock"] = asyncio.Lock()


async def shutdown(ctx: dict[str, Any]) -> None:
    for client in ctx["clients"].values():
        await client.aclose()


class WorkerSettings:
    """``arq arq_vendor_sync.WorkerSettings`` runs a worker."""

    functions = (sync_company_chunk,)
    on_startup = startup
    on_shutdown = shutdown
    redis_settings = RedisSettings.from_dsn(REDIS_URL)
    max_jobs = 2  # leave jobs for the other workers


async def main(args: argparse.Namespace) -> int:
    pool = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    try:
        jobs = [
            await pool.enqueue_job("sync_company_chunk", company, chunk, args.chunks,
                                   args.vendors)
            for company in args.companies.split(",")
            for chunk in range(args.chunks)
        ]
        print(f"queued {len(jobs)} jobs on {REDIS_URL}", file=sys.stderr)
        results = [await job.result(timeout=args.timeout) for job in jobs if job is not None]
    finally:
        await pool.aclose()
    for result in results:
        print(json.dumps(result))
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--companies", default="acme,globex,initech",
                        help="comma-separated company names (one Concur identity each)")
    parser.add_argument("--chunks", type=int, default=3, help="jobs per company")
    parser.add_argument("--vendors", type=int, default=300, help="vendors per company")
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for all")
    sys.exit(asyncio.run(main(parser.parse_args())))
