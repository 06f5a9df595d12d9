"""install_error_handler: a ConcurError escaping a route is JSON with Concur's story, not a 500.

Each upstream here is a purpose-built server on 127.0.0.1 (not LocalConcur), answering as
Concur would fail: 404, 403, 500, a refused connection, an answer too slow.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest
from aiohttp import web
from fastapi import FastAPI
from servers import loopback_server

from concur_async import ConcurClient, RetryPolicy, StaticToken
from concur_async.fastapi import concur_lifespan, install_error_handler

CORRELATION = "5f0c2a8e-1d2b-4c3d-9e8f-0a1b2c3d4e5f"


def app_for(base_url: str, **options: Any) -> FastAPI:
    def make() -> ConcurClient:
        return ConcurClient(auth=StaticToken("static-token-8c1f"), base_url=base_url,
                            retry=RetryPolicy(max_attempts=1), **options)

    app = FastAPI(lifespan=concur_lifespan(make))
    install_error_handler(app)

    @app.get("/report/{id}")
    async def report(id: str, request: Any = None) -> dict[str, Any]:
        client: ConcurClient = app.state.concur_client
        found = await client.expense.reports.get(id=id)
        return {"name": found.name}

    return app


async def ask(app: FastAPI, path: str) -> httpx.Response:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
            return await http.get(path)


def concur_answer(status: int, body: dict[str, Any]) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=status,
                                 headers={"concur-correlationid": CORRELATION})
    return handler


@pytest.mark.parametrize(("status", "expected"), [(404, 404), (400, 400), (403, 502),
                                                  (401, 502), (500, 502), (429, 503)])
async def test_concur_refusals_become_json_with_their_code(status: int, expected: int) -> None:
    upstream = concur_answer(status, {"Message": "Report not here", "ErrorCode": "X42"})
    async with loopback_server(upstream) as base:
        answer = await ask(app_for(base), "/report/R1")
    assert answer.status_code == expected
    body = answer.json()
    assert body["concur_status"] == status
    assert body["correlation_id"] == CORRELATION
    assert body["detail"]
    assert body["error"].endswith("Error")
    assert "static-token-8c1f" not in answer.text


async def test_a_404_keeps_concurs_message_and_code() -> None:
    upstream = concur_answer(404, {"Message": "Report not here", "ErrorCode": "X42"})
    async with loopback_server(upstream) as base:
        answer = await ask(app_for(base), "/report/R1")
    assert answer.json() == {"detail": "Report not here", "error": "NotFoundError",
                             "concur_status": 404, "code": "X42",
                             "correlation_id": CORRELATION}


async def test_a_refused_connection_is_502_and_a_timeout_504() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    refused = await ask(app_for(dead), "/report/R1")
    assert refused.status_code == 502
    assert refused.json()["concur_status"] is None

    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(5)
        return web.json_response({})

    async with loopback_server(slow) as base:
        timed_out = await ask(app_for(base, timeout=0.3), "/report/R1")
    assert timed_out.status_code == 504
    assert timed_out.json()["error"].endswith("Error")


def test_errors_raised_before_anything_is_sent_map_by_their_meaning() -> None:
    from concur_async import ConfigurationError, DecodeError, ValidationError
    from concur_async.fastapi import concur_error_status

    assert concur_error_status(ValidationError("page_size must be at least 1")) == 400
    assert concur_error_status(ConfigurationError("base_url must use https")) == 500
    assert concur_error_status(DecodeError("Vendor: expected str")) == 502
