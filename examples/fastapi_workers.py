"""A FastAPI service on ``uvicorn --workers 4`` whose workers share one Concur identity.

Each worker is a process with its own ``ConcurClient``; through Redis they share one token and
its rotations (Concur rotates the refresh token on every refresh: workers refreshing on their
own would lock each other out), one rate budget and every 429 pause. The client comes from
the environment (``ConcurClient.from_env``), Redis included::

    redis-server --port 6379 &
    python -m concur_async.testing serve --port 8111 --vendors 1000 &   # LocalConcur, a test double
    export CONCUR_BASE_URL=http://127.0.0.1:8111 CONCUR_CLIENT_ID=app CONCUR_CLIENT_SECRET=s \\
           CONCUR_REFRESH_TOKEN=r0 CONCUR_REDIS_URL=redis://127.0.0.1:6379/0 \\
           CONCUR_REDIS_NAMESPACE=acme CONCUR_REQUESTS_PER_SECOND=20
    uvicorn --workers 4 --app-dir examples fastapi_workers:app --port 8000
    curl 'http://127.0.0.1:8000/vendors?name=Vendor%20000001'

    GET /vendors?name=...   the first page of vendors whose name begins with ``name``
    GET /worker             which worker answered, and how many token refreshes it made

``CONCUR_REQUESTS_PER_SECOND`` (this example's own variable) is the budget of all the workers
together. Against SAP Concur, set the CONCUR_* credentials of your company instead.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import FastAPI, Query

from concur_async import ConcurClient
from concur_async.fastapi import ConcurClientDep, concur_lifespan


def make_client() -> ConcurClient:
    """The worker's client: CONCUR_* variables, CONCUR_REDIS_URL and the shared budget."""
    budget = os.environ.get("CONCUR_REQUESTS_PER_SECOND")
    return ConcurClient.from_env(requests_per_second=float(budget) if budget else None)


app = FastAPI(title="concur-async on many workers", lifespan=concur_lifespan(make_client))


@app.get("/vendors")
async def vendors(
    client: ConcurClientDep,
    name: Annotated[str, Query(min_length=1, description="vendor names beginning with this")],
) -> list[dict[str, Any]]:
    page = await client.invoice.vendors.list(
        vendor_name=name, search_type="begins", page_size=25).first_page()
    return [{"VendorCode": v.vendor_code, "VendorName": v.vendor_name} for v in page.items]


@app.get("/worker")
async def worker(client: ConcurClientDep) -> dict[str, Any]:
    return {"pid": os.getpid(), "token_refreshes": client.stats.token_refreshes,
            "requests": client.stats.requests}
