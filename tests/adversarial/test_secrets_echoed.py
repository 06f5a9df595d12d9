"""An API that echoes the credentials it received, everywhere it can, and one that refuses
every token it is given: nothing secret reaches an error, a log line or a traceback's locals,
and refusals do not turn into a refresh storm."""

from __future__ import annotations

import logging
import traceback

import pytest
from aiohttp import web
from issued import issued
from servers import loopback_server

from concur_async import APIError, AuthenticationError, ConcurClient, RefreshTokenGrant, RetryPolicy

FAST = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002)
SECRETS = ("cs-SECRET", "rt-SECRET", "at-SECRET")


def grant() -> RefreshTokenGrant:
    return RefreshTokenGrant("cid", "cs-SECRET-9", "rt-SECRET-0")


class Echo:
    def __init__(self) -> None:
        self.token_requests = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/token"):
            self.token_requests += 1
            return issued(self.token_requests, prefix="SECRET-")
        seen = request.headers.get("Authorization", "")
        return web.json_response(
            {"Message": f"you sent {seen}", "Error": {"Message": seen}},
            status=400,
            headers={"concur-correlationid": seen, "X-Echo": seen},
        )


def _text(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), str(vars(error))])


def _locals(error: BaseException) -> str:
    return "".join(traceback.TracebackException.from_exception(
        error, capture_locals=True).format())


def _leaks(shown: str) -> list[str]:
    return [line for line in shown.splitlines() if any(s in line for s in SECRETS)]


async def _echoed_error(caplog: pytest.LogCaptureFixture) -> APIError:
    echo = Echo()
    caplog.set_level(logging.DEBUG)
    async with loopback_server(echo.handle) as base, ConcurClient(
        auth=grant(), base_url=base, retry=FAST
    ) as client:
        with pytest.raises(APIError) as caught:
            await client.request("GET", "/api/a")
    return caught.value


async def test_an_api_echoing_the_token_leaks_it_into_no_error_text_or_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = await _echoed_error(caplog)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert _leaks(_text(error) + "\n" + logged) == []


async def test_an_api_echoing_the_token_leaks_it_into_no_traceback_locals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    error = await _echoed_error(caplog)
    assert _leaks(_locals(error)) == []


async def test_an_api_refusing_every_token_does_not_refresh_forever() -> None:
    """Every call answers 401, even with a brand-new token: a few refreshes, then an
    AuthenticationError, not a loop between the API and the token endpoint."""
    token_requests = 0
    api_requests = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal token_requests, api_requests
        if request.path.endswith("/token"):
            token_requests += 1
            return issued(token_requests, prefix="SECRET-")
        api_requests += 1
        return web.json_response({"Message": "Invalid token"}, status=401)

    async with loopback_server(handler) as base, ConcurClient(
        auth=grant(), base_url=base, retry=FAST
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.request("GET", "/api/a")
    assert api_requests <= 3
    assert token_requests <= 3
    assert _leaks(_text(caught.value) + _locals(caught.value)) == []
