"""Bounded, ordered concurrency over async streams."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeVar

__all__ = ["ordered_map"]

T = TypeVar("T")
R = TypeVar("R")


async def ordered_map(
    source: AsyncIterable[T] | Iterable[T],
    fn: Callable[[T], Awaitable[R]],
    *,
    concurrency: int,
) -> AsyncIterator[R]:
    """Yield ``fn(item)`` for every item, at most ``concurrency`` running, in source order.

    The window slides: a slow call holds back only the results behind it, not the calls.
    If a call fails, the ones still running are cancelled and the error is raised.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    window: deque[asyncio.Task[R]] = deque()
    iterator: AsyncIterator[T] | None = None
    try:
        if isinstance(source, AsyncIterable):
            iterator = aiter(source)
            async for item in iterator:
                window.append(asyncio.ensure_future(fn(item)))
                if len(window) >= concurrency:
                    yield await window.popleft()
        else:
            for item in source:
                window.append(asyncio.ensure_future(fn(item)))
                if len(window) >= concurrency:
                    yield await window.popleft()
        while window:
            yield await window.popleft()
    finally:
        await _drain(window)
        close = getattr(iterator, "aclose", None)
        if close is not None:
            await close()


async def _drain(tasks: Iterable[asyncio.Task[Any]]) -> None:
    live = list(tasks)
    if not live:
        return
    for task in live:
        task.cancel()
    await asyncio.wait(live)
    for task in live:
        if not task.cancelled():
            task.exception()
