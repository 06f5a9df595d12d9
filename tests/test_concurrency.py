"""ordered_map: bounded concurrency, results in source order, nothing left running."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from concur_async._concurrency import ordered_map


class Probe:
    """Counts calls running at once; call ``n`` takes longer the smaller ``n`` is."""

    def __init__(self, slowest: int = 8) -> None:
        self.running = 0
        self.peak = 0
        self.started: list[int] = []
        self.slowest = slowest

    async def __call__(self, n: int) -> int:
        self.started.append(n)
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.sleep(0.001 * (self.slowest - n % self.slowest))
        finally:
            self.running -= 1
        return n * n


async def numbers(count: int, closed: list[bool] | None = None) -> AsyncIterator[int]:
    try:
        for n in range(count):
            await asyncio.sleep(0)
            yield n
    finally:
        if closed is not None:
            closed.append(True)


def pending(baseline: set[asyncio.Task[Any]]) -> set[asyncio.Task[Any]]:
    return {t for t in asyncio.all_tasks() if t not in baseline and not t.done()}


@pytest.mark.parametrize("concurrency", [1, 4, 16])
async def test_results_in_source_order_within_the_bound(concurrency: int) -> None:
    probe = Probe()
    results = [r async for r in ordered_map(numbers(50), probe, concurrency=concurrency)]
    assert results == [n * n for n in range(50)]
    assert probe.peak == concurrency


async def test_plain_iterables_are_sources_too() -> None:
    probe = Probe()
    results = [r async for r in ordered_map(range(20), probe, concurrency=5)]
    assert results == [n * n for n in range(20)]
    assert probe.peak == 5


async def test_calls_start_before_earlier_ones_finish() -> None:
    gate = asyncio.Event()
    started: list[int] = []

    async def call(n: int) -> int:
        started.append(n)
        if n == 0:
            await gate.wait()
        return n

    mapped = ordered_map(range(20), call, concurrency=4, buffer=6)
    first = asyncio.ensure_future(anext(mapped))
    for _ in range(10):
        await asyncio.sleep(0)
    # Item 0 is stuck; the calls behind it went on until six results were held for it.
    assert started == [0, 1, 2, 3, 4, 5]
    assert not first.done()
    gate.set()
    assert await first == 0
    assert [r async for r in mapped] == list(range(1, 20))


async def test_a_slow_call_holds_back_only_its_own_slot() -> None:
    gate = asyncio.Event()
    running = 0
    peak = 0

    async def call(n: int) -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            if n == 0:
                await gate.wait()
            else:
                await asyncio.sleep(0)
        finally:
            running -= 1
        return n

    mapped = ordered_map(range(100), call, concurrency=4)
    first = asyncio.ensure_future(anext(mapped))
    for _ in range(50):
        await asyncio.sleep(0)
    assert peak <= 4
    assert not first.done()
    gate.set()
    assert [await first, *[r async for r in mapped]] == list(range(100))


def test_buffer_smaller_than_concurrency_is_refused() -> None:
    with pytest.raises(ValueError, match="buffer"):
        ordered_map(range(3), asyncio.sleep, concurrency=4, buffer=2)


async def test_a_failure_is_raised_in_order_and_the_rest_cancelled() -> None:
    baseline = set(asyncio.all_tasks())
    finished: list[int] = []

    async def call(n: int) -> int:
        if n == 3:
            raise LookupError("no such report")
        await asyncio.sleep(0.001 if n < 3 else 0.05)
        finished.append(n)
        return n

    got: list[int] = []

    async def consume() -> None:
        async for r in ordered_map(range(100), call, concurrency=6):
            got.append(r)

    with pytest.raises(LookupError):
        await consume()
    assert got == [0, 1, 2]
    assert pending(baseline) == set()
    await asyncio.sleep(0.1)
    assert sorted(finished) == [0, 1, 2]  # the calls behind the failure never completed


async def test_break_cancels_running_calls_and_closes_the_source() -> None:
    baseline = set(asyncio.all_tasks())
    closed: list[bool] = []

    async def slow(n: int) -> int:
        await asyncio.sleep(0 if n < 2 else 10)
        return n

    mapped = ordered_map(numbers(100, closed), slow, concurrency=8)
    async for r in mapped:
        if r == 1:
            break
    await mapped.aclose()  # type: ignore[attr-defined]
    assert closed == [True]
    assert pending(baseline) == set()


async def test_cancelling_the_consumer_leaves_nothing_running() -> None:
    baseline = set(asyncio.all_tasks())
    started = asyncio.Event()

    async def hang(n: int) -> int:
        started.set()
        await asyncio.sleep(10)
        return n

    async def consume() -> list[int]:
        return [r async for r in ordered_map(numbers(50), hang, concurrency=5)]

    consumer = asyncio.ensure_future(consume())
    await started.wait()
    consumer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await consumer
    assert pending(baseline) == set()


async def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        async for _ in ordered_map(range(3), Probe(), concurrency=0):
            pass
