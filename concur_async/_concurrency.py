"""Bounded, ordered concurrency over async streams."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

from ._errors import ValidationError

__all__ = ["drain", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")


def ordered_map(
    source: AsyncIterable[T] | Iterable[T],
    fn: Callable[[T], Awaitable[R]],
    *,
    concurrency: int,
    buffer: int | None = None,
) -> AsyncIterator[R]:
    """Yield ``fn(item)`` for every item, at most ``concurrency`` running, in source order.

    A slow call holds back the results behind it but not the calls: they keep starting until
    ``buffer`` results (default ``2 * concurrency``) wait on it, which bounds memory.
    If a call fails, the ones still running are cancelled and the error is raised.
    """
    if concurrency < 1:
        raise ValidationError("concurrency must be at least 1")
    depth = 2 * concurrency if buffer is None else buffer
    if depth < concurrency:
        raise ValidationError("buffer must be at least concurrency")
    # Checked here, not on the first ``anext``: a bad argument fails where it is written.
    return _ordered(source, fn, concurrency, depth)


async def _ordered(
    source: AsyncIterable[T] | Iterable[T],
    fn: Callable[[T], Awaitable[R]],
    concurrency: int,
    depth: int,
) -> AsyncIterator[R]:
    running = asyncio.Semaphore(concurrency)

    async def call(item: T) -> R:
        async with running:
            return await fn(item)

    window: deque[asyncio.Task[R]] = deque()
    iterator: AsyncIterator[T] | None = None
    try:
        if isinstance(source, AsyncIterable):
            iterator = aiter(source)
            async for item in iterator:
                window.append(asyncio.ensure_future(call(item)))
                while window and (len(window) >= depth or window[0].done()):
                    yield await window.popleft()
        else:
            for item in source:
                window.append(asyncio.ensure_future(call(item)))
                while window and (len(window) >= depth or window[0].done()):
                    yield await window.popleft()
        while window:
            yield await window.popleft()
    finally:
        await drain(window)
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


async def drain(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel tasks nobody will read and wait until they are done (their connections
    released); a failure of theirs is retrieved, since nobody else will look at it."""
    live = list(tasks)
    if not live:
        return
    for task in live:
        task.cancel()
    await asyncio.wait(live)
    for task in live:
        if not task.cancelled():
            task.exception()
