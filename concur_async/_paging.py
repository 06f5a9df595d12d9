"""Streaming Concur collections: the paging styles and ``AsyncPaginator``.

Concur pages collections in four ways, and each style says how to ask for the first page,
where the items sit, and how to reach the next page:

- ``V3Paging``: ``limit`` + opaque ``offset``; the answer names the next page as a full URL
  (``NextPage``), so pages can only be fetched one after another.
- ``OffsetPaging`` (Budget v4): integer ``offset``; the server picks the page size (at most 50)
  and reports ``totalRows``, so once the first page is in, later pages can be fetched at once.
- ``StartLimitPaging`` (Travel Request v4): ``start`` + ``limit``; index-addressed as well.
- ``UntilEmptyPaging`` (Invoice Pay v4): the same call answers the next batch until it is empty.

Prefetch tasks are plain asyncio tasks rather than an anyio task group: they must outlive a
``yield`` to the consumer, which a cancel scope cannot span. The generator's ``finally``
cancels and awaits them, so breaking out of the loop or cancelling the consumer leaves nothing.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import msgspec

from ._concurrency import drain, ordered_map
from ._errors import PagingLoopError, ValidationError
from ._requester import Peek
from ._transport import over_https

__all__ = [
    "AsyncPaginator",
    "OffsetPaging",
    "Page",
    "PageRequest",
    "PagingStyle",
    "StartLimitPaging",
    "UntilEmptyPaging",
    "V3Paging",
]

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Where to ask for a page: a path or full URL, and its query parameters."""

    url: str
    params: Mapping[str, Any] | None


@dataclass(slots=True)
class Page(Generic[T]):
    """One page: its items in server order and the decoded answer they came in."""

    items: list[T]
    data: Any
    number: int


def _items_of(page: Any, attr: str, fallback: str | None) -> list[Any]:
    items = getattr(page, attr, None)
    if items is None and fallback:
        items = getattr(page, fallback, None)
    return list(items) if items else []


# After the key: the JSON string value, escapes and all. Inside a JSON string a bare '"' cannot
# occur, so '"NextPage"' followed by ':' is a key, never part of a value.
_STRING_VALUE = re.compile(rb'\s*:\s*("(?:[^"\\]|\\.)*")')


@dataclass(frozen=True, slots=True)
class V3Paging:
    """``limit``/``offset`` with a ``NextPage`` URL; ``items`` names the field holding them."""

    items: str = "items"
    fallback: str | None = "items"
    next_field: str = "next_page"
    limit_param: str = "limit"
    index_addressed = False

    def first(self, url: str, params: dict[str, Any], page_size: int | None) -> PageRequest:
        if page_size is not None:
            params = {**params, self.limit_param: page_size}
        return PageRequest(url, params)

    def items_of(self, page: Any) -> list[Any]:
        return _items_of(page, self.items, self.fallback)

    def read_ahead(self, body: bytes) -> PageRequest | None:
        """The next page, guessed from the raw body before it is decoded, so its request is
        on the wire while this page decodes; the decoded page has the last word (``after``)."""
        url = self.next_url_in(body)
        return None if url is None else PageRequest(over_https(url), None)

    def next_url_in(self, body: bytes) -> str | None:
        """``NextPage`` read straight from a JSON answer, or None: a hint checked after decoding."""
        at = body.rfind(b'"NextPage"')
        if at < 0:
            return None
        found = _STRING_VALUE.match(body, at + len(b'"NextPage"'))
        if found is None:
            return None
        try:
            url = msgspec.json.decode(found.group(1))
        except msgspec.DecodeError:
            return None
        return url if isinstance(url, str) and url else None

    def after(self, page: Any, request: PageRequest, count: int) -> PageRequest | None:
        next_url = getattr(page, self.next_field, None)
        # The NextPage URL carries every parameter, including the opaque offset token. An
        # empty page that still names one is followed: Concur filters after paging. A
        # NextPage on Concur's own host over http:// is taken over HTTPS.
        return PageRequest(over_https(next_url), None) if next_url else None

    @staticmethod
    def position(request: PageRequest) -> str:
        """What makes a page request this page: its ``offset``, else its whole URL."""
        try:
            offsets = parse_qs(urlsplit(request.url).query).get("offset")
        except ValueError:
            offsets = None
        return f"offset={offsets[0]}" if offsets else request.url


@dataclass(frozen=True, slots=True)
class OffsetPaging:
    """Integer ``offset`` of the first item; the server sets the page size."""

    items: str
    fallback: str | None = None
    offset_param: str = "offset"
    limit_param: str | None = None
    total_field: str | None = "total_rows"
    index_addressed = True

    def first(self, url: str, params: dict[str, Any], page_size: int | None) -> PageRequest:
        if page_size is not None and self.limit_param:
            params = {**params, self.limit_param: page_size}
        return PageRequest(url, {**params, self.offset_param: 0})

    def items_of(self, page: Any) -> list[Any]:
        return _items_of(page, self.items, self.fallback)

    def at(self, first: PageRequest, index: int) -> PageRequest:
        return PageRequest(first.url, {**(first.params or {}), self.offset_param: index})

    def total(self, page: Any) -> int | None:
        total = getattr(page, self.total_field, None) if self.total_field else None
        return total if isinstance(total, int) else None


@dataclass(frozen=True, slots=True)
class StartLimitPaging(OffsetPaging):
    """``start`` index + ``limit``, with the items under ``data``: offset paging by other
    names."""

    items: str = "data"
    offset_param: str = "start"
    limit_param: str | None = "limit"
    total_field: str | None = None


@dataclass(frozen=True, slots=True)
class UntilEmptyPaging:
    """The same call, repeated, answers the next batch until it answers none."""

    items: str
    fallback: str | None = None
    index_addressed = False

    def first(self, url: str, params: dict[str, Any], page_size: int | None) -> PageRequest:
        return PageRequest(url, params)

    def items_of(self, page: Any) -> list[Any]:
        return _items_of(page, self.items, self.fallback)

    def after(self, page: Any, request: PageRequest, count: int) -> PageRequest | None:
        return request if count else None


PagingStyle = V3Paging | OffsetPaging | UntilEmptyPaging
#: Fetch one page, decoded; the raw body is first shown to the peek, when given.
Fetch = Callable[[PageRequest, Peek | None], Awaitable[Any]]


@dataclass
class AsyncPaginator(Generic[T]):
    """A lazily fetched Concur collection.

    ``async for item in paginator`` streams items in server order; ``pages()`` streams whole
    pages; ``first_page()`` and ``collect()`` are the awaitable shortcuts; ``map(fn,
    concurrency=n)`` runs ``fn`` over the items, ``n`` at a time, keeping their order. Up to
    ``prefetch`` pages are requested ahead of the consumer, so memory stays within
    ``(prefetch + 1) x page_size`` items whatever the collection's size.
    """

    fetch: Fetch
    style: PagingStyle
    url: str
    params: dict[str, Any] = field(default_factory=dict)
    page_size: int | None = None
    max_items: int | None = None
    prefetch: int = 2
    #: Streams opened inside ``async with``; held strongly so that a ``break`` cannot hand
    #: them to the garbage collector before the block's end closes them.
    _streams: set[AsyncGenerator[Any, None]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if self.prefetch < 0:
            raise ValidationError("prefetch must be 0 or more")
        if self.max_items is not None and self.max_items < 0:
            raise ValidationError("max_items must be 0 or more")
        if (
            self.max_items is not None
            and self.page_size is not None
            and 0 < self.max_items < self.page_size
            and not self.style.index_addressed
        ):
            # No point fetching a full page for a handful of items.
            self.page_size = self.max_items

    def __aiter__(self) -> AsyncGenerator[T, None]:
        return self._track(self._items())

    async def __aenter__(self) -> AsyncPaginator[T]:
        if self._streams is None:
            self._streams = set()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every stream opened inside ``async with paginator:``, cancelling prefetches.

        A consumer that stops early (``break``, an error, a cancelled task) outside such a
        block leaves its stream to the event loop, which closes it a turn later; inside it the
        block's end closes it at once, connections released before the next line runs.
        """
        streams, self._streams = self._streams, None
        for stream in streams or ():
            await stream.aclose()

    def _track(self, stream: AsyncGenerator[R, None]) -> AsyncGenerator[R, None]:
        if self._streams is not None:
            self._streams.add(stream)
        return stream

    async def _items(self) -> AsyncGenerator[T, None]:
        remaining = self.max_items
        if remaining == 0:
            return
        pages = self._pages()
        try:
            async for page in pages:
                for item in page.items:
                    yield item
                    if remaining is not None:
                        remaining -= 1
                        if remaining == 0:
                            return
                # Let the page go before the next one decodes (see _linked_pages).
                del page
        finally:
            await pages.aclose()

    async def first_page(self) -> Page[T]:
        pages = self._pages()
        try:
            async for page in pages:
                return page
        finally:
            await pages.aclose()
        return Page([], None, 0)

    async def collect(self, *, max_items: int | None = None) -> list[T]:
        """Every item (up to ``max_items``) in a list: for collections known to be small."""
        out: list[T] = []
        async for item in self:
            out.append(item)
            if max_items is not None and len(out) >= max_items:
                break
        return out

    def map(
        self, fn: Callable[[T], Awaitable[R]], *, concurrency: int = 8
    ) -> AsyncIterator[R]:
        """``fn(item)`` for each item, ``concurrency`` at a time, results in item order."""
        return ordered_map(self, fn, concurrency=concurrency)

    def _capped(self, items: list[Any], seen: int) -> list[Any]:
        """The page's items that ``max_items`` still lets through."""
        if self.max_items is None:
            return items
        return items[: max(self.max_items - seen, 0)]

    def _wants(self, offset: int) -> bool:
        """Whether items from ``offset`` on may be read: prefetch stops at ``max_items``."""
        return self.max_items is None or offset < self.max_items

    def pages(self) -> AsyncGenerator[Page[T], None]:
        """Stream whole pages: their typed items and the decoded answer they came in."""
        return self._track(self._pages())

    def _pages(self) -> AsyncGenerator[Page[T], None]:
        first = self.style.first(self.url, self.params, self.page_size)
        if isinstance(self.style, OffsetPaging):
            return self._indexed_pages(self.style, first)
        return self._linked_pages(self.style, first)

    async def _linked_pages(
        self, style: V3Paging | UntilEmptyPaging, request: PageRequest
    ) -> AsyncGenerator[Page[T], None]:
        reads_ahead = (isinstance(style, V3Paging) and self.prefetch > 0
                       and self.max_items is None)
        ahead: list[tuple[PageRequest, _Fetch]] = []

        def start(request: PageRequest) -> _Fetch:
            fetching = _Fetch()

            async def peek(body: bytes) -> None:
                # Inside the fetch, before its decode: when the consumer is already waiting
                # for this page, the style's guess at the next one goes on the wire while this
                # one decodes. A page fetched ahead of the consumer reads nothing further ahead
                # (that would pass ``prefetch``); the loop asks for its successor in turn.
                if not fetching.wanted:
                    return
                assert isinstance(style, V3Paging)
                guess = style.read_ahead(body)
                if guess is not None and not ahead:
                    following = start(guess)
                    ahead.append((guess, following))
                    await _let_start(following.task)

            fetching.task = asyncio.ensure_future(
                self.fetch(request, peek if reads_ahead else None)
            )
            return fetching

        visited: set[str] = set()
        current: _Fetch | None = start(request)
        number = seen = 0
        try:
            while current is not None:
                current.wanted = True
                data = await current.task
                guessed, current = ahead.pop() if ahead else (None, None)
                items = self._capped(style.items_of(data), seen)
                seen += len(items)
                following = style.after(data, request, len(items))
                looped = False
                if isinstance(style, V3Paging):
                    visited.add(style.position(request))
                    # Followed, a page already read would repeat its items forever.
                    looped = following is not None and style.position(following) in visited
                if looped or not self._wants(seen):
                    following = None
                if current is not None and following != guessed:
                    await drain([current.task])  # the read-ahead guessed wrong: the decode decides
                    current = None
                if (current is None and following is not None and self.prefetch > 0
                        and self._wants(seen)):
                    current = start(following)
                    await _let_start(current.task)
                if items:
                    yield Page(items, data, number)
                # The page handed over is let go before the next one decodes: its structs
                # are freed into memory the next decode reuses, hot in cache, rather than
                # two pages living at once.
                del items, data
                number += 1
                if looped:
                    raise PagingLoopError(
                        "Concur named a page already read as the next one (a NextPage loop) "
                        f"after {seen} items; stopped rather than repeat them"
                    )
                if following is None:
                    return
                if current is None:
                    current = start(following)
                request = following
        finally:
            await drain([f.task for f in (current, *(f for _, f in ahead)) if f is not None])

    async def _indexed_pages(
        self, style: OffsetPaging, first: PageRequest
    ) -> AsyncGenerator[Page[T], None]:
        window: deque[asyncio.Task[Any]] = deque()
        index = 0

        def request_up_to(pages: int, *, ahead: bool = False) -> None:
            nonlocal index
            while (len(window) < pages and (total is None or index < total)
                   and (not ahead or self._wants(index))):
                window.append(asyncio.ensure_future(self.fetch(style.at(first, index), None)))
                index += size

        try:
            data = await self.fetch(first, None)
            items = style.items_of(data)
            size = self.page_size or len(items)
            total = style.total(data)
            index, number, seen = size, 0, 0
            while True:
                more = bool(items) and len(items) >= size
                items = self._capped(items, seen)
                seen += len(items)
                more = more and self._wants(seen)
                if more:
                    # The next pages are requested before this one is handed over, so they
                    # arrive while the caller is still busy with it.
                    request_up_to(self.prefetch, ahead=True)
                    if window:
                        await _let_start(window[-1])
                if items:
                    yield Page(items, data, number)
                del items, data  # as in _linked_pages: not alive while the next decodes
                number += 1
                if not more:
                    return
                request_up_to(1)  # without prefetch, the next page only now
                if not window:
                    return
                data = await window.popleft()
                items = style.items_of(data)
        finally:
            await drain(window)


class _Fetch:
    """A page request on its way, and whether the consumer has asked for its page yet."""

    __slots__ = ("task", "wanted")

    def __init__(self) -> None:
        self.task: asyncio.Task[Any]
        self.wanted = False


#: Loop turns a prefetch gets before its page's items are handed over: enough for the limiter
#: slot and the request write, measured against aiohttp (two turns; one more for hooks).
_START_TURNS = 3


async def _let_start(task: asyncio.Task[Any]) -> None:
    """Let a prefetch put its request on the wire before the consumer gets the page.

    A scheduled task only runs when the event loop does; a consumer that works through a
    page without awaiting would otherwise send the next request only when it asks for the
    next page, and prefetch would overlap nothing.
    """
    for _ in range(_START_TURNS):
        if task.done():
            return
        await asyncio.sleep(0)
