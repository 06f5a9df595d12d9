"""A hostile or broken token endpoint, played by servers written here (not LocalConcur)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    AuthenticationError,
    ConcurClient,
    ConcurError,
    RefreshTokenGrant,
    RetryPolicy,
)

FAST = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.02,
                   default_retry_after=0.01, max_total_seconds=5.0)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def grant() -> RefreshTokenGrant:
    return RefreshTokenGrant("cid", "cs-SECRET-7f3a", "rt-SECRET-0")


def token_answer(access: str = "at-SECRET-1", **extra: Any) -> web.Response:
    body = {"access_token": access, "refresh_token": "rt-SECRET-next", "expires_in": 3600,
            "token_type": "Bearer", **extra}
    return web.json_response(body)


def ok_api(request: web.Request) -> web.Response:
    return web.json_response({"path": request.path})


async def test_an_absurd_retry_after_on_the_token_endpoint_fails_at_once() -> None:
    """A 429 asking for a 11-day pause is beyond any retry budget: an error now, not a hang."""
    asks = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks
        if request.path.endswith("/token"):
            asks += 1
            return web.Response(status=429, headers={"Retry-After": "999999"})
        return ok_api(request)

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        with pytest.raises(ConcurError):
            async with asyncio.timeout(5):  # a hang, not a slow pass, fails here
                await client.request("GET", "/api/a")
    assert asks == 1


async def test_an_endless_token_answer_is_cut_and_not_asked_again() -> None:
    """A token endpoint streaming forever is not a token endpoint: refused once, bounded."""
    asks = 0
    sent = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks, sent
        if not request.path.endswith("/token"):
            return ok_api(request)
        asks += 1
        resp = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        await resp.prepare(request)
        try:
            await resp.write(b'{"access_token": "')
            while sent < 256 * 1024 * 1024:  # the client must hang up long before this
                await resp.write(b"A" * 65536)
                sent += 65536
        except (ConnectionResetError, ConnectionError):
            pass
        return resp

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        with pytest.raises(ConcurError):
            await client.request("GET", "/api/a")
    assert asks == 1
    assert sent < 64 * 1024 * 1024


async def test_code_16_naming_itself_again_and_again_is_followed_once() -> None:
    """'The user lives elsewhere', answered by the place it names: no redirect loop."""
    asks = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks
        if not request.path.endswith("/token"):
            return ok_api(request)
        asks += 1
        here = f"http://{request.host}"
        return web.json_response({"error": "invalid_grant", "code": 16, "geolocation": here},
                                 status=400)

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        with pytest.raises(AuthenticationError):
            await client.request("GET", "/api/a")
    assert asks == 2


async def test_code_16_to_loopback_is_refused_for_a_client_of_concur() -> None:
    """A client of https://…concursolutions.com never sends its secret over plain HTTP to a
    local port a code-16 answer names, even though its token URL is on this machine."""
    seen: list[str] = []

    async def elsewhere(request: web.Request) -> web.StreamResponse:
        seen.append(await request.text())
        return token_answer()

    async with loopback_server(elsewhere) as trap:
        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response({"error": "invalid_grant", "code": 16, "geolocation": trap},
                                     status=400)

        async with (
            loopback_server(handler) as base,
            ConcurClient(auth=grant(), base_url="https://us.api.concursolutions.com",
                         token_url=f"{base}/oauth2/v0/token", retry=FAST) as client,
        ):
            with pytest.raises(AuthenticationError) as caught:
                await client.token_manager.get(client.session)
    assert seen == []
    assert "cs-SECRET" not in str(caught.value)


@pytest.mark.parametrize("geolocation", [
    "https://evil.example",                   # not Concur
    "http://us.api.concursolutions.com",      # Concur's name over plain HTTP
    "https://concursolutions.com.evil.example",
    "https://us.api.concursolutions.com@evil.example",
    "https://evil.example#.concursolutions.com",
])
async def test_a_token_answer_naming_an_untrusted_geolocation_is_refused(geolocation: str) -> None:
    """The geolocation of a token answer receives every later call and refresh: only Concur's
    domain over HTTPS (or the client's own origin) is taken."""
    seen: list[str] = []

    async def trap_handler(request: web.Request) -> web.StreamResponse:
        seen.append(request.path)
        return ok_api(request)

    async with loopback_server(trap_handler):
        async def handler(request: web.Request) -> web.StreamResponse:
            if request.path.endswith("/token"):
                return token_answer(geolocation=geolocation)
            return ok_api(request)

        async with (
            loopback_server(handler) as base,
            ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
        ):
            with pytest.raises(AuthenticationError):
                await client.request("GET", "/api/a")
    assert seen == []


@pytest.mark.parametrize("expires_in", ["0", -5, "NaN", "-inf", "banana", None, 1e300])
async def test_odd_lifetimes_keep_refreshes_single_flight(expires_in: Any) -> None:
    """Forty concurrent calls with a token whose lifetime is zero, negative, NaN or nonsense:
    one token request for all of them, not one each."""
    asks = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks
        if request.path.endswith("/token"):
            asks += 1
            return token_answer(access=f"at-SECRET-{asks}", expires_in=expires_in)
        return ok_api(request)

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        answers = await asyncio.gather(
            *(client.request("GET", f"/api/{i}") for i in range(40)))
    assert answers == [{"path": f"/api/{i}"} for i in range(40)]
    assert asks == 1


@pytest.mark.parametrize("access", [
    "at-SECRET-x\r\nX-Injected: yes", "at-SECRET-x\nX-Injected: yes", "", "at SECRET",
    "at-SECRET-\u00e9",
])
async def test_a_token_that_cannot_be_a_header_is_refused_as_a_concur_error(access: str) -> None:
    """An access token with CR/LF in it would split the Authorization header (an empty or
    spaced one would be sent as nonsense): it fails as a ConcurError, never reaches the wire,
    never shows up in the error."""
    api_calls = 0
    injected: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/token"):
            return token_answer(access=access)
        nonlocal api_calls
        api_calls += 1
        if "X-Injected" in request.headers:
            injected.append(request.path)
        return ok_api(request)

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        with pytest.raises(ConcurError) as caught:
            await client.request("GET", "/api/a")
    assert injected == []
    assert api_calls == 0
    assert "SECRET" not in str(caught.value)
    assert "SECRET" not in repr(caught.value)


async def test_secrets_echoed_by_the_token_endpoint_stay_out_of_the_error() -> None:
    """A token endpoint that echoes the form it got (secret and refresh token) in its error
    body and its correlation id: the error shows neither."""

    async def handler(request: web.Request) -> web.StreamResponse:
        form = await request.post()
        echo = f"{form.get('client_secret')}/{form.get('refresh_token')}"
        return web.json_response(
            {"error": "invalid_client", "error_description": f"bad client {echo}",
             "form": dict(form)},
            status=401, headers={"concur-correlationid": echo},
        )

    async with (
        loopback_server(handler) as base,
        ConcurClient(auth=grant(), base_url=base, retry=FAST) as client,
    ):
        with pytest.raises(AuthenticationError) as caught:
            await client.request("GET", "/api/a")
    error = caught.value
    shown = " ".join([str(error), repr(error), json.dumps(vars(error), default=str)])
    assert "SECRET" not in shown
