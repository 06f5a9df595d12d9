"""One exchange on the wire: redirects kept within their origin, failures named for what they
are (``ConnectError`` with the system's reason, ``TimeoutError`` with its limit and attempts),
and Concur's own ``http://`` hosts taken over HTTPS. Real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections import Counter

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    ConcurClient,
    ConnectError,
    RetryPolicy,
    StaticToken,
    TimeoutError,
    TransportError,
    UntrustedURLError,
)
from concur_async._transport import origin, over_https

FAST = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.002)
TOKEN = "at-transport-secret"
PATH = "/api/v3.0/expense/reports"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_to_another_origin_is_refused_before_anything_is_sent_there(
    status: int,
) -> None:
    landed: Counter[str] = Counter()

    async def elsewhere(request: web.Request) -> web.Response:
        landed[request.method] += 1
        return web.json_response({"stolen": await request.text()})

    async with loopback_server(elsewhere) as other:

        async def redirect(request: web.Request) -> web.Response:
            raise web.HTTPFound(f"{other}/landed") if status == 302 else _redirect(
                status, f"{other}/landed")

        async with loopback_server(redirect) as base, ConcurClient(
            auth=StaticToken(TOKEN), base_url=base, retry=FAST,
            event_hooks={"request": [_add_header]},
        ) as client:
            with pytest.raises(UntrustedURLError, match="another origin") as refused:
                await client.request("POST", PATH, json={"secret": "body"}, idempotent=True)
    assert landed == Counter()  # neither the body nor the hook's header went there
    assert refused.value.url == f"{other}/landed"
    assert client.stats.retries == 0  # a refusal, not a failure that may pass
    assert TOKEN not in str(refused.value)


def _redirect(status: int, location: str) -> web.HTTPException:
    kinds: dict[int, type[web.HTTPException]] = {
        301: web.HTTPMovedPermanently, 303: web.HTTPSeeOther,
        307: web.HTTPTemporaryRedirect, 308: web.HTTPPermanentRedirect,
    }
    return kinds[status](location)  # type: ignore[call-arg]


async def _add_header(event: object) -> None:
    event.headers["X-Trace"] = "hook-added"  # type: ignore[attr-defined]


async def test_a_redirect_within_the_origin_is_followed_with_the_token() -> None:
    seen: list[tuple[str, str | None]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.path, request.headers.get("Authorization")))
        if request.path == "/old":
            raise web.HTTPTemporaryRedirect("/new")
        return web.json_response({"ok": True})

    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken(TOKEN), base_url=base
    ) as client:
        assert await client.request("GET", "/old") == {"ok": True}
    assert seen == [("/old", f"Bearer {TOKEN}"), ("/new", f"Bearer {TOKEN}")]


async def test_a_refused_connection_says_so_in_words() -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    async with ConcurClient(auth=StaticToken(TOKEN), base_url=base, retry=FAST) as client:
        with pytest.raises(ConnectError) as info:
            await client.request("GET", PATH)
    text = str(info.value).lower()
    assert "connection refused" in text or "connect call failed" in text
    assert "after 2 attempts" in str(info.value)
    assert info.value.attempts == 2
    assert isinstance(info.value, TransportError)


async def test_a_timeout_names_its_limit_and_the_attempts_made() -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    async with loopback_server(hang) as base, ConcurClient(
        auth=StaticToken(TOKEN), base_url=base, retry=FAST, timeout=0.2
    ) as client:
        with pytest.raises(TimeoutError) as info:
            await client.request("GET", PATH)
    assert "0.2s" in str(info.value)
    assert "after 2 attempts" in str(info.value)
    assert isinstance(info.value, TransportError)


async def test_a_per_call_timeout_overrides_the_clients() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.json_response({"slow": True})

    async with loopback_server(slow) as base, ConcurClient(
        auth=StaticToken(TOKEN), base_url=base, retry=RetryPolicy(max_attempts=1), timeout=5
    ) as client:
        assert await client.request("GET", PATH) == {"slow": True}
        with pytest.raises(TimeoutError, match=r"0\.1s"):
            await client.request("GET", PATH, timeout=0.1)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.concursolutions.com/api/v3.0/x?offset=2",
         "https://www.concursolutions.com/api/v3.0/x?offset=2"),
        ("http://US.API.concursolutions.com/a", "https://us.api.concursolutions.com/a"),
        ("https://www.concursolutions.com/a", "https://www.concursolutions.com/a"),
        ("http://evil.example.com/a", "http://evil.example.com/a"),  # left for trust to refuse
        ("http://www.concursolutions.com:8080/a", "http://www.concursolutions.com:8080/a"),
        ("http://concursolutions.com.evil.example/a", "http://concursolutions.com.evil.example/a"),
    ],
)
def test_only_concurs_own_hosts_are_taken_over_https(url: str, expected: str) -> None:
    assert over_https(url) == expected


def test_origins_fill_in_the_default_port() -> None:
    assert origin("https://h.example.com/x") == origin("https://H.example.com:443/y")
    assert origin("http://h.example.com") != origin("https://h.example.com")
