"""Hostile answers over real sockets: XML bombs, external entities, oversized bodies.

- XML bombs and external entities (``file://``, ``http://`` to 127.0.0.1, DTDs, parameter
  entities, also in UTF-16), in answers and in error bodies: refused without expansion, and
  the host the entities name is never contacted.
- An answer larger than ``max_response_bytes`` (announced, streamed without end, or a gzip
  bomb small on the wire) raises ``ResponseTooLargeError`` without being read whole, is not
  retried, and leaves the client usable.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import BadRequestError, ConcurClient, DecodeError, StaticToken
from concur_async._errors import ResponseTooLargeError
from concur_async.invoice.vendor_models import VendorCollection

# -- XML bombs and external entities over a real socket ------------------------------------------

LAUGHS = "".join(
    f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
)


def bombs(spy: str) -> dict[str, bytes]:
    return {
        "billion-laughs": (f'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY l0 "lol">{LAUGHS}]>'
                           "<VendorCollection><Vendor><VendorName>&l9;</VendorName></Vendor>"
                           "</VendorCollection>").encode(),
        "file-entity": (b'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY s SYSTEM '
                        b'"file:///etc/passwd">]><VendorCollection><Vendor><VendorName>&s;'
                        b"</VendorName></Vendor></VendorCollection>"),
        "http-entity": (f'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY s SYSTEM "{spy}/entity">]>'
                        "<VendorCollection><Vendor><VendorName>&s;</VendorName></Vendor>"
                        "</VendorCollection>").encode(),
        "http-dtd": (f'<?xml version="1.0"?><!DOCTYPE VendorCollection SYSTEM "{spy}/dtd">'
                     "<VendorCollection/>").encode(),
        "parameter-entity": (f'<?xml version="1.0"?><!DOCTYPE v [<!ENTITY % p SYSTEM '
                             f'"{spy}/param"> %p;]><VendorCollection/>').encode(),
        "utf16-laughs": (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE v [<!ENTITY l0 '
                         f'"lol">{LAUGHS}]><VendorCollection><Vendor><VendorName>&l9;'
                         "</VendorName></Vendor></VendorCollection>").encode("utf-16"),
        "utf16-http-entity": (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE v [<!ENTITY s '
                              f'SYSTEM "{spy}/utf16">]><VendorCollection><Vendor><VendorName>'
                              "&s;</VendorName></Vendor></VendorCollection>").encode("utf-16"),
    }


@pytest.fixture
async def spy() -> AsyncIterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1 that records every request: an entity must never reach it."""
    hits: list[str] = []

    async def record(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.Response(text='<!ENTITY x "pwned">', content_type="application/xml")

    async with loopback_server(record) as base:
        yield base, hits


@dataclass
class Answering:
    """A server on 127.0.0.1 answering each path as a test sets it: a canned ``answers[path]``
    or a ``handlers[path]``; handlers count what they send in ``sent``."""

    base: str = ""
    answers: dict[str, web.Response] = field(default_factory=dict)
    handlers: dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]] = field(
        default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)


@pytest.fixture
async def answering() -> AsyncIterator[Answering]:
    server = Answering()

    async def answer(request: web.Request) -> web.StreamResponse:
        handler = server.handlers.get(request.path)
        if handler is not None:
            return await handler(request)
        return server.answers[request.path]

    async with loopback_server(answer) as server.base:
        yield server


XML = "application/xml"


async def test_xml_bombs_in_answers_and_error_bodies_are_refused_unexpanded(
    spy: tuple[str, list[str]], answering: Answering,
) -> None:
    spy_url, hits = spy
    base, answers = answering.base, answering.answers

    tracemalloc.start()
    try:
        async with ConcurClient(auth=StaticToken("t0ken"), base_url=base,
                                wire_format="xml") as client:
            for name, body in bombs(spy_url).items():
                answers[f"/ok/{name}"] = web.Response(body=body, content_type=XML)
                answers[f"/err/{name}"] = web.Response(body=body, status=400, content_type=XML)
                with pytest.raises(DecodeError) as refused:
                    await client.request("GET", f"/ok/{name}", response_type=VendorCollection)
                assert "lollol" not in str(refused.value)
                assert "root:" not in str(refused.value)
                with pytest.raises(BadRequestError) as failed:  # 400, its body not understood
                    await client.request("GET", f"/err/{name}", response_type=VendorCollection)
                assert "lollol" not in str(failed.value)
                assert "root:" not in str(failed.value)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert hits == []  # no entity, DTD or parameter entity was fetched
    assert peak < 20 * 2**20  # an expanded billion laughs would need gigabytes


# -- over-cap answers --------------------------------------------------------------------------

CAP = 256 * 1024


def _endless(sent: Counter[str]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """An answer that never ends (640 MB, were it all read); counts what it sent."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        chunk = b"[" + b"1," * 32_767 + b"1]"
        try:
            for _ in range(10_000):
                await response.write(chunk)
                sent[request.path] += len(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    return handler


def _announced(sent: Counter[str]) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Content-Length says 1 GB; the body then trickles in."""

    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.content_length = 2**30
        await response.prepare(request)
        try:
            for _ in range(100):
                await response.write(b" " * 4096)
                sent[request.path] += 4096
                await asyncio.sleep(0.01)
        except (ConnectionError, RuntimeError):
            pass
        return response

    return handler


GZIP_BOMB = gzip.compress(b"[" + b"0," * (24 * 2**20) + b"0]", compresslevel=9)


async def test_answers_over_the_cap_are_refused_without_being_read_whole(
    answering: Answering,
) -> None:
    assert len(GZIP_BOMB) < CAP  # small on the wire, 48 MB once inflated
    gzipped = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    answering.answers["/bomb"] = web.Response(body=GZIP_BOMB, headers=gzipped)
    answering.answers["/error-bomb"] = web.Response(body=GZIP_BOMB, status=500, headers=gzipped)
    answering.answers["/fits"] = web.json_response([1] * 1000)
    answering.handlers["/endless"] = _endless(answering.sent)
    answering.handlers["/announced"] = _announced(answering.sent)
    loop = asyncio.get_running_loop()
    async with ConcurClient(auth=StaticToken("t0ken"), base_url=answering.base,
                            max_response_bytes=CAP, timeout=10) as client:
        tracemalloc.start()
        try:
            for path in ("/endless", "/announced", "/bomb", "/error-bomb"):
                started = loop.time()
                with pytest.raises(ResponseTooLargeError) as refused:
                    await client.request("GET", path)
                assert "max_response_bytes" in str(refused.value)
                assert refused.value.url == answering.base + path
                assert loop.time() - started < 2.0, path
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert await client.request("GET", "/fits") == [1] * 1000  # the client is still fine
        assert client.stats.retries == 0  # final: the same call would bring the same answer
    await asyncio.sleep(0.05)
    assert answering.sent["/endless"] < 32 * 2**20  # cut off long before its 640 MB
    assert answering.sent["/announced"] < 100 * 4096  # refused on its Content-Length
    assert peak < 16 * CAP  # never more than the cap and a few chunks in memory
