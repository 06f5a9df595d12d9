"""The request seam against servers written here: an absurd Retry-After, cross-origin
redirects, corrupt 200s, empty pages that still name a next one, NextPage loops (issue 12
items 1, 5, 8, 9)."""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    ConcurClient,
    ConcurError,
    PagingLoopError,
    RateLimitError,
    RetryPolicy,
    StaticToken,
    UntrustedURLError,
)

FAST = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002,
                   max_total_seconds=5.0)


def api(base: str) -> ConcurClient:
    return ConcurClient(auth=StaticToken("at-SECRET"), base_url=base, retry=FAST)


def _ten_days() -> str:
    return email.utils.formatdate(time.time() + 10 * 86400, usegmt=True)


@pytest.mark.parametrize("retry_after", ["999999", "inf", "1e308", _ten_days()])
async def test_an_absurd_retry_after_fails_at_once_and_pauses_no_one(retry_after: str) -> None:
    """One 429 asking for days: that call raises RateLimitError now, and a call made right
    after it is not held back for days."""
    limited = True

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/api/limited" and limited:
            return web.Response(status=429, headers={"Retry-After": retry_after})
        return web.json_response({"path": request.path})

    capped = RetryPolicy(max_attempts=3, backoff_base=0.001, max_retry_after=0.2)
    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("at"), base_url=base, retry=capped
    ) as client:
        async with asyncio.timeout(10):  # a hang, not a slow pass, fails here
            with pytest.raises(RateLimitError) as caught:
                await client.request("GET", "/api/limited")
            limited = False
            # Paused for the cap (0.2 s) at most, not for the days asked.
            assert await client.request("GET", "/api/other") == {"path": "/api/other"}
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 0.2


async def test_a_cross_origin_redirect_of_a_post_sends_nothing_there() -> None:
    foreign_requests: list[tuple[str, str, str | None]] = []

    async def foreign(request: web.Request) -> web.StreamResponse:
        foreign_requests.append((request.method, await request.text(),
                                 request.headers.get("Authorization")))
        return web.json_response({"foreign": True})

    async with loopback_server(foreign) as elsewhere:
        port = elsewhere.rsplit(":", 1)[1]

        async def handler(request: web.Request) -> web.StreamResponse:
            # The same machine under another name and port: another origin.
            raise web.HTTPTemporaryRedirect(f"http://localhost:{port}/steal")

        async with loopback_server(handler) as base, api(base) as client:
            with pytest.raises(UntrustedURLError):
                await client.request("POST", "/api/a", json={"card": "4111"})
    assert foreign_requests == []


async def test_a_same_origin_redirect_is_followed_and_a_loop_of_them_is_not() -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        if request.path == "/api/old":
            raise web.HTTPTemporaryRedirect("/api/new")
        if request.path == "/api/loop":
            raise web.HTTPFound("/api/loop")
        return web.json_response({"path": request.path})

    async with loopback_server(handler) as base, api(base) as client:
        assert await client.request("GET", "/api/old") == {"path": "/api/new"}
        with pytest.raises(ConcurError):
            await client.request("GET", "/api/loop")


async def test_a_truncated_200_is_asked_again() -> None:
    """A GET answered 200 with half a document (a proxy cut it) is a transport fault: asked
    again, and the whole answer is what the caller gets."""
    asks = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks
        asks += 1
        if asks == 1:
            return web.Response(body=b'{"path": "/api/a", "Ite', content_type="application/json")
        return web.json_response({"path": request.path})

    async with loopback_server(handler) as base, api(base) as client:
        assert await client.request("GET", "/api/a") == {"path": "/api/a"}
    assert asks == 2


async def _list_ids(base: str) -> list[str]:
    async with api(base) as client:
        return [r.id async for r in client.expense.reports.list(page_size=3) if r.id]


def _paged(
    pages: dict[str, tuple[list[str], str | None]],
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A report list whose page at each offset holds the given IDs and names the next one."""

    async def handler(request: web.Request) -> web.StreamResponse:
        offset = request.query.get("offset", "0")
        ids, following = pages[offset]
        next_page = None if following is None else str(
            request.url.update_query(offset=following))
        return web.json_response({"Items": [{"ID": i} for i in ids], "NextPage": next_page})

    return handler


async def test_an_empty_page_naming_a_next_one_does_not_end_the_list() -> None:
    handler = _paged({"0": (["a", "b", "c"], "3"), "3": ([], "6"), "6": (["d"], None)})
    async with loopback_server(handler) as base:
        assert await _list_ids(base) == ["a", "b", "c", "d"]


async def test_a_nextpage_loop_is_an_error_not_an_endless_list() -> None:
    handler = _paged({"0": (["a", "b", "c"], "3"), "3": (["d", "e", "f"], "0")})
    async with loopback_server(handler) as base:
        with pytest.raises(PagingLoopError):
            async with asyncio.timeout(10):
                await _list_ids(base)


async def test_a_whole_answer_of_the_wrong_shape_is_not_asked_again() -> None:
    """A 200 that parses but cannot be the documented list is the server's answer, not a
    transport fault: one request, and an error (never an empty list taken as the answer)."""
    asks = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal asks
        asks += 1
        return web.json_response({"Items": "not a list", "NextPage": None})

    async with loopback_server(handler) as base:
        with pytest.raises(ConcurError):
            await _list_ids(base)
    assert asks == 1


async def test_a_nextpage_on_another_origin_is_refused_before_anything_is_sent() -> None:
    foreign_requests: list[str | None] = []

    async def foreign(request: web.Request) -> web.StreamResponse:
        foreign_requests.append(request.headers.get("Authorization"))
        return web.json_response({"Items": [{"ID": "x"}], "NextPage": None})

    async with loopback_server(foreign) as elsewhere:
        port = elsewhere.rsplit(":", 1)[1]

        async def handler(request: web.Request) -> web.StreamResponse:
            return web.json_response({
                "Items": [{"ID": "a"}],
                "NextPage": f"http://localhost:{port}/api/v3.0/expense/reports?offset=1",
            })

        async with loopback_server(handler) as base:
            with pytest.raises(UntrustedURLError):
                await _list_ids(base)
    assert foreign_requests == []
