"""A FastAPI service over the SDK: vendors streamed as NDJSON, and vendor batches accepted.

    GET  /vendors?name=Acme&limit=100   every vendor (or those whose name begins with ``name``),
                                        one JSON object per line, streamed page by page
    POST /vendors/batch                 a JSON list of vendors (Concur wire names); answers
                                        each one's status, in order
    GET  /health                        where the service points and the client's counters

Run it (LocalConcur with 10,000 vendors unless CONCUR_* credentials are set, see _env.py)::

    python examples/fastapi_app.py --port 8000
    curl -N 'http://127.0.0.1:8000/vendors?limit=3'

or with uvicorn's own command line: ``uvicorn --app-dir examples fastapi_app:app``
(``LOCAL_VENDORS`` sets the LocalConcur size). Memory stays flat however many vendors stream:
the response is written from the paginator one page at a time, never collected.
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import msgspec
from _env import check_env, concur_target
from fastapi import Body, FastAPI, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from concur_async.fastapi import ConcurClientDep, concur_lifespan, install_error_handler
from concur_async.invoice.vendors import Vendor

log = logging.getLogger("fastapi_app")

MAX_BATCH = 1000  # Concur takes at most 1,000 vendors per create call
_encode = msgspec.json.Encoder().encode


def create_app(*, local_vendors: int = 10_000) -> FastAPI:
    """The service; ``local_vendors`` seeds the LocalConcur used when no credentials are set."""
    check_env()  # a missing CONCUR_* variable stops it here, in one line, not at startup

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with concur_target(vendors=local_vendors) as target:
            app.state.target = target.label
            app.state.local_concur = target.local  # None against SAP Concur
            log.info("serving vendors from %s", target.label)
            async with concur_lifespan(target.make_client)(app):
                yield

    app = FastAPI(title="concur-async vendors", lifespan=lifespan)
    install_error_handler(app)  # a ConcurError becomes JSON with Concur's status and code
    app.get("/vendors")(stream_vendors)
    app.post("/vendors/batch")(create_vendors)
    app.get("/health")(health)
    return app


async def stream_vendors(
    client: ConcurClientDep,
    name: Annotated[str | None, Query(description="vendor names beginning with this")] = None,
    limit: Annotated[int | None, Query(ge=1)] = None,
) -> StreamingResponse:
    paginator = client.invoice.vendors.list(
        vendor_name=name, search_type="begins" if name else None, page_size=1000
    )
    pages = paginator.pages()
    # The first page is awaited here, so a refusal (bad token, bad filter) is still an HTTP
    # error; later failures can only cut the stream short, which NDJSON readers notice.
    first = await anext(pages, None)

    async def lines() -> AsyncIterator[bytes]:
        remaining = limit
        try:
            page = first
            while page is not None:
                items = page.items if remaining is None else page.items[:remaining]
                yield b"".join(_encode(vendor) + b"\n" for vendor in items)
                if remaining is not None:
                    remaining -= len(items)
                    if remaining <= 0:
                        return
                page = await anext(pages, None)
        finally:
            await pages.aclose()  # stops the prefetch if the caller hung up

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def create_vendors(
    client: ConcurClientDep,
    vendors: Annotated[list[dict[str, Any]], Body(max_length=MAX_BATCH)],
) -> list[dict[str, Any]]:
    """Create the vendors; one status per vendor, in the order sent."""
    try:
        batch = msgspec.convert(vendors, list[Vendor], strict=False)
    except msgspec.ValidationError as exc:
        raise HTTPException(422, f"invalid vendor: {exc}") from None
    if not batch:
        return []
    answer = await client.invoice.vendors.create(batch)
    answered = answer.vendor or []
    results = []
    # Concur answers the batch in the order sent, each vendor with its own status list.
    for index, sent in enumerate(batch):
        got = answered[index] if index < len(answered) else None
        statuses = (got.status_list if got else None) or []
        errors = [s.message or "" for s in statuses if (s.type or "").lower() == "error"]
        results.append({
            "VendorCode": sent.vendor_code,
            "AddressCode": sent.address_code,
            "status": "unanswered" if got is None else "error" if errors else "created",
            "messages": errors or [s.message for s in statuses if s.message],
        })
    return results


async def health(request: Request, client: ConcurClientDep) -> dict[str, Any]:
    stats = client.stats
    return {"target": request.app.state.target, "requests": stats.requests,
            "retries": stats.retries, "rate_limited": stats.rate_limited}


app = create_app(local_vendors=int(os.environ.get("LOCAL_VENDORS", "10000")))


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--vendors", type=int, default=10_000,
                        help="vendors LocalConcur starts with (without CONCUR_* credentials)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    uvicorn.run(create_app(local_vendors=args.vendors), host="127.0.0.1", port=args.port)


if __name__ == "__main__":
    main()
