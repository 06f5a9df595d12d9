"""Paging: the four Concur styles, prefetch, order, bounds, origin checks and clean cancellation.

The endpoints are declared here as a small test-local ``Resource``, the way a resource module
declares them, and served by the mocked Concur (aioresponses); the cancellation tests use a
real aiohttp server on 127.0.0.1 in its own thread, so that real connections are acquired and
the test's event loop holds only the client's tasks.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Iterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
import msgspec
import pytest
from aiohttp import web
from aioresponses import CallbackResult
from servers import loopback_server

from concur_async import (
    APIError,
    AsyncPaginator,
    ConcurClient,
    Page,
    PagingLoopError,
    StaticToken,
    UntrustedURLError,
    ValidationError,
)
from concur_async._model import V3Struct, V4Struct
from concur_async._paging import (
    OffsetPaging,
    PageRequest,
    StartLimitPaging,
    UntilEmptyPaging,
    V3Paging,
)
from concur_async._requester import Peek
from concur_async._resource import Operation, Resource

if TYPE_CHECKING:
    from conftest import MockConcur
    from yarl import URL

# -- the test-local resource ---------------------------------------------------------------


class Thing(V3Struct):
    id: int = msgspec.field(name="ID")


class ThingPage(V3Struct):
    items: list[Thing] | None = None
    next_page: str | None = None


class NewThing(V3Struct):
    name: Annotated[str, msgspec.Meta(max_length=10)]


class Header(V4Struct):
    id: int


class HeaderPage(V4Struct):
    budget_item_headers: list[Header] = msgspec.field(default_factory=list)
    total_rows: int | None = None


class Request(V4Struct):
    id: int


class RequestPage(V4Struct):
    data: list[Request] = msgspec.field(default_factory=list)


class Payment(V4Struct):
    id: int


class PaymentBatch(V4Struct):
    payments: list[Payment] = msgspec.field(default_factory=list)


Kind = Literal["open", "closed"]

THINGS_PATH = "/api/v3.0/test/things"
HEADERS_PATH = "/budget/v4/budgetItemHeader"
REQUESTS_PATH = "/travelrequest/v4/requests"
PAYMENTS_PATH = "/invoicepay/v4/payments"

THINGS = Operation("Things", "v3.0", "GET", THINGS_PATH, max_page_size=100)
THING = Operation("Things", "v3.0", "GET", THINGS_PATH + "/{id}")
CREATE = Operation("Things", "v3.0", "POST", THINGS_PATH)
HEADERS = Operation("Budget", "v4.0", "GET", HEADERS_PATH)
REQUESTS = Operation("Travel Request", "v4", "GET", REQUESTS_PATH, max_page_size=100)
PAYMENTS = Operation("Invoice Pay", "v4", "GET", PAYMENTS_PATH)


class Things(Resource):
    @THINGS.serves
    def list(
        self,
        *,
        kind: Kind | None = None,
        page_size: int | None = None,
        max_items: int | None = None,
        prefetch: int = 2,
    ) -> AsyncPaginator[Thing]:
        return self._paginate(
            THINGS, ThingPage, V3Paging(items="items"), params={"kind": kind},
            page_size=page_size, max_items=max_items, prefetch=prefetch,
        )

    @THING.serves
    async def get(self, *, id: int) -> Thing:
        return await self._call(THING, Thing, path_params={"id": id})

    @CREATE.serves
    async def create(self, body: NewThing) -> Thing:
        return await self._call(CREATE, Thing, body=body)

    @HEADERS.serves
    def headers(self, *, max_items: int | None = None, prefetch: int = 2) -> AsyncPaginator[Header]:
        return self._paginate(
            HEADERS, HeaderPage, OffsetPaging(items="budget_item_headers"),
            max_items=max_items, prefetch=prefetch,
        )

    @REQUESTS.serves
    def requests(
        self, *, page_size: int | None = None, max_items: int | None = None, prefetch: int = 2
    ) -> AsyncPaginator[Request]:
        return self._paginate(
            REQUESTS, RequestPage, StartLimitPaging(), page_size=page_size,
            max_items=max_items, prefetch=prefetch,
        )

    @PAYMENTS.serves
    def payments(
        self, *, max_items: int | None = None, prefetch: int = 2
    ) -> AsyncPaginator[Payment]:
        return self._paginate(
            PAYMENTS, PaymentBatch, UntilEmptyPaging(items="payments"), max_items=max_items,
            prefetch=prefetch,
        )


# -- mocked servers for each style ---------------------------------------------------------

Gate = dict[int, asyncio.Event]


class Served:
    """What a paged endpoint was asked for: the index of each page request, in order."""

    def __init__(self) -> None:
        self.indexes: list[int] = []
        self.urls: list[str] = []
        self.arrived: dict[int, asyncio.Event] = {}
        self.in_flight = 0
        self.peak = 0

    def seen(self, index: int) -> asyncio.Event:
        return self.arrived.setdefault(index, asyncio.Event())

    async def enter(self, index: int, url: URL, gates: Gate) -> None:
        self.indexes.append(index)
        self.urls.append(str(url))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        self.seen(index).set()
        try:
            if index in gates:
                await gates[index].wait()
            else:
                await asyncio.sleep(0.002)
        finally:
            self.in_flight -= 1


def serve_v3(
    concur: MockConcur, total: int, *, default_limit: int = 25, next_base: str | None = None,
    gates: Gate | None = None,
) -> Served:
    """v3: ``limit`` + opaque ``offset``; ``NextPage`` is a full URL carrying both."""
    served = Served()
    gates = gates or {}

    async def page(url: URL, **kwargs: Any) -> CallbackResult:
        limit = int(url.query.get("limit", default_limit))
        start = int(url.query.get("offset", "o0")[1:])
        await served.enter(start, url, gates)
        end = min(start + limit, total)
        body: dict[str, Any] = {"Items": [{"ID": i} for i in range(start, end)]}
        if end < total:
            origin = next_base or concur.base
            body["NextPage"] = f"{origin}{THINGS_PATH}?limit={limit}&offset=o{end}"
        return concur.reply(body)

    concur.route("GET", THINGS_PATH, handler=page)
    return served


def serve_offset(
    concur: MockConcur, total: int, *, server_page: int = 50, gates: Gate | None = None
) -> Served:
    """Budget: integer ``offset``, the server's own page size, and ``totalRows``."""
    served = Served()
    gates = gates or {}

    async def page(url: URL, **kwargs: Any) -> CallbackResult:
        start = int(url.query["offset"])
        await served.enter(start, url, gates)
        rows = [{"id": i} for i in range(start, min(start + server_page, total))]
        return concur.reply(
            {"budgetItemHeaders": rows, "totalRows": total, "offset": start, "limit": server_page}
        )

    concur.route("GET", HEADERS_PATH, handler=page)
    return served


def serve_start_limit(concur: MockConcur, total: int, *, gates: Gate | None = None) -> Served:
    """Travel Request: ``start`` + ``limit`` (default 10), items under ``data``, no total."""
    served = Served()
    gates = gates or {}

    async def page(url: URL, **kwargs: Any) -> CallbackResult:
        start, limit = int(url.query["start"]), int(url.query.get("limit", 10))
        await served.enter(start, url, gates)
        rows = [{"id": i} for i in range(start, min(start + limit, total))]
        return concur.reply({"data": rows, "links": []})

    concur.route("GET", REQUESTS_PATH, handler=page)
    return served


def serve_until_empty(
    concur: MockConcur, batches: list[int], *, gates: Gate | None = None
) -> Served:
    """Invoice Pay: the same call answers the next batch, until it answers none."""
    served = Served()
    gates = gates or {}
    given = 0

    async def batch(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal given
        call = len(served.indexes)
        await served.enter(call, url, gates)
        size = batches[call] if call < len(batches) else 0
        rows = [{"id": i} for i in range(given, given + size)]
        given += size
        return concur.reply({"payments": rows})

    concur.route("GET", PAYMENTS_PATH, handler=batch)
    return served


async def ids(paginator: AsyncPaginator[Any]) -> list[int]:
    return [item.id async for item in paginator]


# -- each style over several pages ---------------------------------------------------------


async def test_v3_paging_follows_next_page_urls(concur: MockConcur) -> None:
    served = serve_v3(concur, 95)
    async with concur.client() as client:
        got = await ids(Things(client).list(kind="open", page_size=20))
    assert got == list(range(95))
    assert served.indexes == [0, 20, 40, 60, 80]
    assert "kind=open" in served.urls[0]
    assert "limit=20" in served.urls[0]
    # Later pages are exactly the NextPage URLs the server handed out.
    assert served.urls[1:] == [
        f"{concur.base}{THINGS_PATH}?limit=20&offset=o{n}" for n in (20, 40, 60, 80)
    ]


async def test_v3_next_page_on_another_concur_host_is_followed_with_the_token(
    concur: MockConcur,
) -> None:
    other = "https://us2.api.concursolutions.com"
    served = serve_v3(concur, 30, default_limit=10, next_base=other)
    moved = concur.route(
        "GET", THINGS_PATH, concur.reply({"Items": [{"ID": 10}], "NextPage": None}), base=other
    )
    async with concur.client() as client:
        assert await ids(Things(client).list(page_size=10)) == list(range(11))
    assert served.indexes == [0]
    assert moved.hits[0].authorization == f"Bearer {concur.access_token(1)}"


async def test_without_page_size_the_documented_maximum_is_asked_for(
    concur: MockConcur,
) -> None:
    served = serve_v3(concur, 250, default_limit=25)
    async with concur.client() as client:
        assert await ids(Things(client).list()) == list(range(250))
        # max_items below the maximum asks for no more than it needs.
        assert await ids(Things(client).list(max_items=7)) == list(range(7))
    assert "limit=100" in served.urls[0]
    assert served.indexes[:3] == [0, 100, 200]  # 3 requests where Concur's 25 takes 10
    assert "limit=7" in served.urls[3]


async def test_offset_paging_fetches_remaining_pages_concurrently(concur: MockConcur) -> None:
    served = serve_offset(concur, 180)
    async with concur.client() as client:
        got = await ids(Things(client).headers())
    assert got == list(range(180))
    # The first page names the page size (50) and totalRows: exactly the pages needed.
    assert sorted(served.indexes) == [0, 50, 100, 150]
    assert served.peak == 2  # prefetch=2 pages in flight at once


async def test_start_limit_paging(concur: MockConcur) -> None:
    served = serve_start_limit(concur, 60)
    async with concur.client() as client:
        got = await ids(Things(client).requests(page_size=25))
    assert got == list(range(60))
    assert served.indexes[:3] == [0, 25, 50]
    assert all("limit=25" in url for url in served.urls)


async def test_start_limit_paging_uses_the_server_default_page(concur: MockConcur) -> None:
    serve_start_limit(concur, 23)
    async with concur.client() as client:
        assert await ids(Things(client).requests()) == list(range(23))


async def test_until_empty_paging(concur: MockConcur) -> None:
    served = serve_until_empty(concur, [3, 3, 2])
    async with concur.client() as client:
        got = await ids(Things(client).payments())
    assert got == list(range(8))
    assert len(served.indexes) == 4  # the fourth answer was empty: done


@pytest.mark.parametrize("style", ["v3", "offset", "start_limit", "until_empty"])
async def test_empty_collection(concur: MockConcur, style: str) -> None:
    served = _serve(concur, style, 0)
    async with concur.client() as client:
        assert await ids(_list(Things(client), style)) == []
    assert len(served.indexes) == 1


def _serve(concur: MockConcur, style: str, total: int, gates: Gate | None = None) -> Served:
    if style == "v3":
        return serve_v3(concur, total, default_limit=10, gates=gates)
    if style == "offset":
        return serve_offset(concur, total, server_page=10, gates=gates)
    if style == "start_limit":
        return serve_start_limit(concur, total, gates=gates)
    return serve_until_empty(concur, [10] * (total // 10), gates=gates)


def _list(things: Things, style: str, **kwargs: Any) -> AsyncPaginator[Any]:
    method = {"v3": things.list, "offset": things.headers, "start_limit": things.requests,
              "until_empty": things.payments}[style]
    if style in ("v3", "start_limit"):
        # Pages of the mock's 10, not the documented maximum the SDK asks for by default.
        kwargs.setdefault("page_size", 10)
    return method(**kwargs)  # type: ignore[no-any-return]


# -- prefetch, order and bounds ------------------------------------------------------------

STYLES = ["v3", "offset", "start_limit", "until_empty"]


@pytest.mark.parametrize("style", STYLES)
async def test_next_page_requested_while_the_consumer_holds_the_current_one(
    concur: MockConcur, style: str
) -> None:
    served = _serve(concur, style, 50)
    async with concur.client() as client:
        items = aiter(_list(Things(client), style))
        first = await anext(items)
        # The consumer has asked for nothing more, yet the second page is on its way.
        await asyncio.wait_for(served.seen(10 if style != "until_empty" else 1).wait(), 2)
        await items.aclose()  # type: ignore[attr-defined]
    assert first.id == 0


@pytest.mark.parametrize("style", STYLES)
async def test_prefetch_zero_waits_for_the_consumer(concur: MockConcur, style: str) -> None:
    served = _serve(concur, style, 50)
    async with concur.client() as client:
        items = aiter(_list(Things(client), style, prefetch=0))
        await anext(items)
        for _ in range(20):
            await asyncio.sleep(0.002)
        assert len(served.indexes) == 1
        assert [await anext(items) for _ in range(10)][-1].id == 10
        assert len(served.indexes) == 2
        await items.aclose()  # type: ignore[attr-defined]


@pytest.mark.parametrize("style", ["offset", "start_limit"])
async def test_a_slow_page_does_not_hold_back_the_next_request(
    concur: MockConcur, style: str
) -> None:
    slow = asyncio.Event()
    served = _serve(concur, style, 60, gates={10: slow})
    async with concur.client() as client:
        consumer = asyncio.ensure_future(ids(_list(Things(client), style)))
        # Page 2 is requested while page 1 is still held up by the server.
        await asyncio.wait_for(served.seen(20).wait(), 2)
        assert not consumer.done()
        slow.set()
        got = await consumer
    # Page 2 answered first, yet items come out in server order.
    assert got == list(range(60))


@pytest.mark.parametrize("style", STYLES)
async def test_pages_fetched_ahead_stay_within_prefetch(concur: MockConcur, style: str) -> None:
    served = _serve(concur, style, 200)
    prefetch = 2 if style in ("offset", "start_limit") else 1
    async with concur.client() as client:
        pages = 0
        async for _page in _list(Things(client), style).pages():
            pages += 1
            for _ in range(10):  # a slow consumer: the fetches could run far ahead
                await asyncio.sleep(0.001)
            assert len(served.indexes) <= pages + prefetch
    assert pages == 20


async def test_order_preserved_when_pages_answer_out_of_order(concur: MockConcur) -> None:
    gates = {n: asyncio.Event() for n in (10, 20, 30)}
    served = serve_offset(concur, 40, server_page=10, gates=gates)
    async with concur.client() as client:
        consumer = asyncio.ensure_future(ids(Things(client).headers(prefetch=3)))
        for n in (30, 20, 10):  # answer the last page first
            await asyncio.wait_for(served.seen(n).wait(), 2)
            gates[n].set()
            await asyncio.sleep(0.01)
        assert await consumer == list(range(40))


@pytest.mark.parametrize("style", STYLES)
async def test_max_items(concur: MockConcur, style: str) -> None:
    _serve(concur, style, 100)
    async with concur.client() as client:
        got = await ids(_list(Things(client), style, max_items=15))
    assert got == list(range(15))


@pytest.mark.parametrize("style", STYLES)
async def test_max_items_caps_pages_too(concur: MockConcur, style: str) -> None:
    served = _serve(concur, style, 100)
    async with concur.client() as client:
        pages = [p async for p in _list(Things(client), style, max_items=15).pages()]
    assert [len(p.items) for p in pages] == [10, 5]
    assert len(served.indexes) <= 2 + (1 if style in ("offset", "start_limit") else 0)


@pytest.mark.parametrize("style", STYLES)
async def test_closing_the_paginator_stops_its_streams_at_once(
    concur: MockConcur, style: str
) -> None:
    _serve(concur, style, 100)
    baseline = set(asyncio.all_tasks())
    async with concur.client() as client:
        async with _list(Things(client), style, prefetch=3) as things:
            async for _thing in things:
                break  # the stream is left suspended: only the paginator can close it now
        # No turn of the loop has passed: the prefetches are already gone.
        assert not {t for t in asyncio.all_tasks() if t not in baseline and not t.done()}
        assert client.session.connector is not None
        assert not client.session.connector._acquired  # type: ignore[attr-defined]


async def test_max_items_smaller_than_a_page_asks_for_no_more(concur: MockConcur) -> None:
    served = serve_v3(concur, 100)
    async with concur.client() as client:
        assert await ids(Things(client).list(page_size=50, max_items=5)) == list(range(5))
    assert served.indexes == [0]
    assert "limit=5" in served.urls[0]


async def test_max_items_zero_sends_nothing(concur: MockConcur) -> None:
    served = serve_v3(concur, 100)
    async with concur.client() as client:
        assert await ids(Things(client).list(max_items=0)) == []
    assert served.indexes == []


@pytest.mark.parametrize("size", [101, 1000, 0, -1])
async def test_page_size_outside_the_documented_range_refused_before_sending(
    concur: MockConcur, size: int
) -> None:
    async with concur.client() as client:
        with pytest.raises(ValidationError) as info:
            Things(client).list(page_size=size)
        with pytest.raises(ValidationError):
            Things(client).requests(page_size=size)
    assert concur.requests_sent == 0
    assert not isinstance(info.value, APIError)  # refused here: no status, not even 0


async def test_cross_origin_next_page_refused_without_sending_the_token(
    concur: MockConcur,
) -> None:
    evil = "https://evil.example.com"
    serve_v3(concur, 50, default_limit=10, next_base=evil)
    stolen = concur.route("GET", THINGS_PATH, concur.reply({"Items": []}), base=evil)
    got: list[int] = []

    async def consume(paginator: AsyncPaginator[Thing]) -> None:
        async for thing in paginator:
            got.append(thing.id)

    async with concur.client() as client:
        with pytest.raises(UntrustedURLError, match="foreign host"):
            await consume(Things(client).list(page_size=10))
    assert got == list(range(10))
    assert stolen.hits == []
    assert not any(url.host == "evil.example.com" for _, url in concur.mocked.requests)


# -- pages(), first_page(), collect(), map() -----------------------------------------------


async def test_pages_first_page_and_collect(concur: MockConcur) -> None:
    serve_v3(concur, 45, default_limit=20)
    async with concur.client() as client:
        things = Things(client)
        pages = [page async for page in things.list(page_size=20).pages()]
        assert [p.number for p in pages] == [0, 1, 2]
        assert [[t.id for t in p.items] for p in pages] == [
            list(range(20)), list(range(20, 40)), list(range(40, 45)),
        ]
        assert all(isinstance(p.data, ThingPage) for p in pages)
        first = await things.list(page_size=20).first_page()
        assert isinstance(first, Page)
        assert [t.id for t in first.items] == list(range(20))
        assert [t.id for t in await things.list().collect()] == list(range(45))
        assert [t.id for t in await things.list().collect(max_items=7)] == list(range(7))


async def test_map_keeps_order_and_bound(concur: MockConcur) -> None:
    serve_v3(concur, 60, default_limit=20)
    running = peak = 0

    async def detail(thing: Thing) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.001 * (7 - thing.id % 7))  # later items finish first
        running -= 1
        return thing.id * 10

    async with concur.client() as client:
        results = [r async for r in Things(client).list().map(detail, concurrency=6)]
    assert results == [i * 10 for i in range(60)]
    assert peak == 6


# -- argument validation through @OPERATION.serves -----------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [{"kind": "archived"}, {"kind": 3}, {"page_size": "ten"}, {"max_items": 2.5},
     {"unknown": 1}],
)
async def test_bad_arguments_refused_before_any_request(
    concur: MockConcur, kwargs: dict[str, Any]
) -> None:
    async with concur.client() as client:
        with pytest.raises(ValidationError) as info:
            Things(client).list(**kwargs)
    assert concur.requests_sent == 0
    assert "Things.list" in str(info.value)


async def test_wrong_path_parameter_type_refused(concur: MockConcur) -> None:
    async with concur.client() as client:
        with pytest.raises(ValidationError):
            await Things(client).get(id="not-a-number")  # type: ignore[arg-type]
    assert concur.requests_sent == 0


async def test_path_parameters_substituted_and_quoted(concur: MockConcur) -> None:
    one = concur.route("GET", THINGS_PATH + "/7", concur.reply({"ID": 7}))
    async with concur.client() as client:
        assert await Things(client).get(id=7) == Thing(id=7)
    assert len(one.hits) == 1
    assert THING.url({"id": "a/b c"}) == THINGS_PATH + "/a%2Fb%20c"
    with pytest.raises(ValidationError):
        THING.url({"id": ""})


async def test_body_over_its_max_length_refused_before_sending(concur: MockConcur) -> None:
    created = concur.route("POST", THINGS_PATH, concur.reply({"ID": 1}))
    async with concur.client() as client:
        things = Things(client)
        with pytest.raises(ValidationError, match="NewThing") as info:
            await things.create(NewThing(name="x" * 11))
        assert not isinstance(info.value, APIError)
        assert created.hits == []
        assert await things.create(NewThing(name="x" * 10)) == Thing(id=1)
    assert len(created.hits) == 1


# -- cancellation and break over real connections ------------------------------------------


class LocalPages:
    """A v3 and a Budget endpoint on 127.0.0.1, in their own thread; later pages hang."""

    def __init__(self) -> None:
        self.requested: dict[str, threading.Event] = {}
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0

    def flag(self, key: str) -> threading.Event:
        return self.requested.setdefault(key, threading.Event())

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _page(self, request: web.Request) -> web.Response:
        offset = request.query.get("offset", "o0").lstrip("o")
        self.flag(f"{request.path}:{offset}").set()
        if offset != "0":
            assert self._release is not None
            await self._release.wait()  # hangs until the server stops
        start = int(offset)
        if request.path == THINGS_PATH:
            return web.json_response({
                "Items": [{"ID": i} for i in range(start, start + 10)],
                "NextPage": f"{self.base}{THINGS_PATH}?limit=10&offset=o{start + 10}",
            })
        return web.json_response({
            "budgetItemHeaders": [{"id": i} for i in range(start, start + 10)],
            "totalRows": 1000,
        })

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_get(THINGS_PATH, self._page)
        app.router.add_get(HEADERS_PATH, self._page)
        runner = web.AppRunner(app, handler_cancellation=True)

        async def start() -> None:
            self._release = asyncio.Event()
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self.port = runner.addresses[0][1]

        loop.run_until_complete(start())
        self._ready.set()
        loop.run_forever()
        assert self._release is not None
        self._release.set()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    def __enter__(self) -> LocalPages:
        self._thread.start()
        assert self._ready.wait(5)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def local_pages() -> Iterator[LocalPages]:
    with LocalPages() as server:
        yield server


async def wait_for_flag(flag: threading.Event) -> None:
    for _ in range(500):
        if flag.is_set():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the server never saw the request")


async def leftover_tasks(baseline: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    """Tasks beyond ``baseline`` still pending once the loop has had a moment to settle.

    A ``break`` hands the abandoned generator to asyncio's finaliser, which closes it in a
    task of its own on the next loop turns; so this waits (briefly) for that to finish.
    """
    extra: set[asyncio.Task[Any]] = set()
    for _ in range(100):
        extra = {t for t in asyncio.all_tasks() if t not in baseline and not t.done()}
        if not extra:
            break
        await asyncio.sleep(0.01)
    return extra


def acquired(client: ConcurClient) -> int:
    connector = client.session.connector
    assert connector is not None
    return len(connector._acquired)  # type: ignore[attr-defined]


@pytest.mark.parametrize("style", ["v3", "offset"])
async def test_break_cancels_prefetches_and_releases_connections(
    local_pages: LocalPages, style: str
) -> None:
    baseline = set(asyncio.all_tasks())
    client = ConcurClient(base_url=local_pages.base, auth=StaticToken("st-token"))
    path = THINGS_PATH if style == "v3" else HEADERS_PATH
    async with client:
        things = Things(client)
        paginator = things.list(page_size=10) if style == "v3" else things.headers()
        async for item in paginator:
            if item.id == 3:
                await wait_for_flag(local_pages.flag(f"{path}:10"))
                assert acquired(client) >= 1  # the prefetch holds a connection, hanging
                break
        assert await leftover_tasks(baseline) == set()
        assert acquired(client) == 0
        session = client.session
    assert session.closed
    assert await leftover_tasks(baseline) == set()


@pytest.mark.parametrize("style", ["v3", "offset"])
async def test_cancelling_the_consumer_cancels_page_requests(
    local_pages: LocalPages, style: str
) -> None:
    baseline = set(asyncio.all_tasks())
    client = ConcurClient(base_url=local_pages.base, auth=StaticToken("st-token"))
    path = THINGS_PATH if style == "v3" else HEADERS_PATH
    async with client:
        things = Things(client)
        paginator = things.list(page_size=10) if style == "v3" else things.headers()
        consumer = asyncio.ensure_future(ids(paginator))
        await wait_for_flag(local_pages.flag(f"{path}:10"))
        assert acquired(client) >= 1
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
        assert await leftover_tasks(baseline) == set()
        assert acquired(client) == 0
    assert await leftover_tasks(baseline) == set()


async def test_full_stream_over_real_sockets_leaves_nothing_behind(
    local_pages: LocalPages,
) -> None:
    baseline = set(asyncio.all_tasks())
    client = ConcurClient(base_url=local_pages.base, auth=StaticToken("st-token"))
    async with client:
        first = await Things(client).list(page_size=10).first_page()
        assert [t.id for t in first.items] == list(range(10))
        assert await leftover_tasks(baseline) == set()
        assert acquired(client) == 0
        session = client.session
    assert session.closed
    assert await leftover_tasks(baseline) == set()


# -- reading NextPage ahead of the decode ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "found"),
    [
        (b'{"Items": [], "NextPage": "https://h/p?offset=a%22b"}', "https://h/p?offset=a%22b"),
        (b'{"NextPage" :  "https://h/\\"q\\\\", "Items": []}', 'https://h/"q\\'),
        (b'{"Items": [{"Name": "NextPage"}], "NextPage": null}', None),
        (b'{"Items": [], "NextPage": ""}', None),
        (b'{"Items": []}', None),
        (b'{"Items": [], "NextPage": "unterminated', None),
    ],
)
def test_next_page_is_read_from_the_raw_answer(body: bytes, found: str | None) -> None:
    assert V3Paging().next_url_in(body) == found


async def test_the_next_request_leaves_before_this_page_is_decoded() -> None:
    events: list[str] = []

    async def fetch(request: PageRequest, peek: Peek | None) -> Any:
        events.append(f"fetch {request.url}")
        n = int(request.url.rsplit("/", 1)[1])
        # The answer takes a while, as over a network: the consumer is waiting on each page
        # by the time it arrives. (A page that arrives before anyone asks is decoded at once
        # and reads nothing further ahead, so that prefetch stays bounded.)
        await asyncio.sleep(0.01)
        nxt = f"/p/{n + 1}" if n < 2 else None
        if peek is not None:  # the raw body, seen before the decode
            await peek(msgspec.json.encode({"Items": [], "NextPage": nxt}))
        events.append(f"decode {n}")
        return ThingPage(items=[Thing(id=n)], next_page=nxt)

    paginator: AsyncPaginator[Thing] = AsyncPaginator(fetch, V3Paging(), "/p/0")
    assert [t.id async for t in paginator] == [0, 1, 2]
    assert events.index("fetch /p/1") < events.index("decode 0")
    assert events.index("fetch /p/2") < events.index("decode 1")


class _Held:
    """An item a weak reference can watch."""

    def __init__(self, page: int) -> None:
        self.page = page


@pytest.mark.parametrize("read_ahead", [True, False], ids=["read ahead", "after the decode"])
async def test_a_page_is_let_go_before_the_next_one_decodes(read_ahead: bool) -> None:
    # Two pages alive at once make the next decode allocate fresh memory instead of reusing
    # the structs just freed (issue 16): once the consumer is done with a page and asks for
    # more, the paginator holds none of it while the next page decodes. The item just handed
    # over stays with the loop that handed it (the last of each page is not watched).
    size, pages = 10, 4
    watched: dict[int, list[weakref.ref[_Held]]] = {}
    alive_at_decode: list[int] = []
    consumer_done = [asyncio.Event() for _ in range(pages)]

    async def fetch(request: PageRequest, peek: Peek | None) -> Any:
        n = int(request.url.rsplit("/", 1)[1])
        if n:
            await consumer_done[n - 1].wait()  # the body arrives once the consumer asks
        nxt = f"/p/{n + 1}" if n + 1 < pages else None
        if peek is not None and read_ahead:
            await peek(msgspec.json.encode({"Items": [], "NextPage": nxt}))
        if n:
            alive_at_decode.append(sum(ref() is not None for ref in watched[n - 1]))
        items = [_Held(n) for _ in range(size)]
        watched[n] = [weakref.ref(item) for item in items[:-1]]
        return SimpleNamespace(items=items, next_page=nxt)

    paginator: AsyncPaginator[_Held] = AsyncPaginator(fetch, V3Paging(), "/p/0")
    seen: list[int] = []
    async for item in paginator:
        seen.append(item.page)
        if len(seen) % size == 0:
            consumer_done[item.page].set()
        del item
    assert seen == [n for n in range(pages) for _ in range(size)]
    assert alive_at_decode == [0] * (pages - 1)


async def test_a_wrong_read_ahead_is_dropped_and_the_decoded_next_page_followed() -> None:
    fetched: list[str] = []

    async def fetch(request: PageRequest, peek: Peek | None) -> Any:
        fetched.append(request.url)
        if request.url == "/wrong":
            await asyncio.sleep(10)  # cancelled, never read
        n = int(request.url.rsplit("/", 1)[1])
        if peek is not None and n == 0:  # the raw body names a page the decode does not
            await peek(b'{"NextPage": "/wrong"}')
        return ThingPage(items=[Thing(id=n)], next_page="/p/1" if n == 0 else None)

    baseline = set(asyncio.all_tasks())
    paginator: AsyncPaginator[Thing] = AsyncPaginator(fetch, V3Paging(), "/p/0")
    assert [t.id async for t in paginator] == [0, 1]
    assert fetched == ["/p/0", "/wrong", "/p/1"]
    assert not {t for t in asyncio.all_tasks() if t not in baseline and not t.done()}


# -- NextPage as a real server may misuse it --------------------------------------------------


def _v3_pages_server(pages: dict[str, dict[str, Any]]) -> Any:
    """A v3 collection on 127.0.0.1 answering ``pages[offset]`` (its NextPage a path with
    ``offset``); ``{base}`` in a NextPage becomes the server's own URL."""

    async def handler(request: web.Request) -> web.Response:
        page = pages[request.query.get("offset", "0")]
        base = f"http://{request.host}"
        body = {**page, "NextPage": page["NextPage"].format(base=base)
                if page.get("NextPage") else None}
        return web.json_response(body)

    return loopback_server(handler)


async def test_an_empty_page_that_names_a_next_page_is_followed() -> None:
    pages = {
        "0": {"Items": [{"ID": 1}, {"ID": 2}], "NextPage": "{base}/things?offset=2"},
        "2": {"Items": [], "NextPage": "{base}/things?offset=4"},  # filtered out, not the end
        "4": {"Items": [{"ID": 5}], "NextPage": None},
    }
    async with _v3_pages_server(pages) as base, ConcurClient(
        auth=StaticToken("t0ken-123"), base_url=base
    ) as client:
        with anyio.fail_after(5):
            got = [t.id async for t in Things(client).list()]
    assert got == [1, 2, 5]


@pytest.mark.parametrize(
    "loop_to", ["{base}/things?offset=4", "{base}/things?offset=2&limit=9"],
    ids=["same URL", "same offset"],
)
async def test_a_next_page_loop_raises_instead_of_repeating_forever(loop_to: str) -> None:
    pages = {
        "0": {"Items": [{"ID": 1}], "NextPage": "{base}/things?offset=2"},
        "2": {"Items": [{"ID": 2}], "NextPage": "{base}/things?offset=4"},
        "4": {"Items": [{"ID": 3}], "NextPage": loop_to},
    }
    got: list[int] = []
    async with _v3_pages_server(pages) as base, ConcurClient(
        auth=StaticToken("t0ken-123"), base_url=base
    ) as client:
        async def read_all() -> None:
            async for thing in Things(client).list():
                got.append(thing.id)

        with anyio.fail_after(5), pytest.raises(PagingLoopError, match="NextPage loop"):
            await read_all()
    assert got == [1, 2, 3]  # every item once, then the error


async def test_an_http_next_page_on_concurs_host_is_fetched_over_https() -> None:
    asked: list[str] = []

    async def fetch(request: PageRequest, peek: Peek | None) -> Any:
        asked.append(request.url)
        if len(asked) == 1:
            return ThingPage(items=[Thing(id=1)],
                             next_page="http://us.api.concursolutions.com/api/things?offset=1")
        return ThingPage(items=[Thing(id=2)], next_page=None)

    paginator: AsyncPaginator[Thing] = AsyncPaginator(fetch, V3Paging(), "/api/things")
    assert [t.id async for t in paginator] == [1, 2]
    assert asked[1] == "https://us.api.concursolutions.com/api/things?offset=1"
    client = ConcurClient(auth=StaticToken("t0ken-123"))
    assert client.trusts(asked[1])  # the token may go there, now that it is HTTPS
