"""The client's limits: in-flight cap, requests per second, per-family budgets, 429 pauses."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest
from aioresponses import CallbackResult

from concur_async import RateLimit
from concur_async._retry import parse_retry_after

if TYPE_CHECKING:
    from conftest import MockConcur
    from yarl import URL


async def test_concurrency_cap_is_never_exceeded(concur: MockConcur) -> None:
    in_flight = 0
    peak = 0

    async def slow(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.005)
        in_flight -= 1
        return concur.reply({})

    concur.route("GET", "/slow", handler=slow)
    async with concur.client(max_concurrency=5) as client:
        await asyncio.gather(*(client.request("GET", "/slow") for _ in range(60)))
        assert client.limiter.in_flight == 0
    assert peak == 5  # reached, never passed


async def test_requests_per_second_budget_holds_over_a_window(concur: MockConcur) -> None:
    rate, count = 40, 70
    hits = concur.route("GET", "/paced").hits
    async with concur.client(requests_per_second=rate, max_concurrency=64) as client:
        await asyncio.gather(*(client.request("GET", "/paced") for _ in range(count)))
    assert len(hits) == count
    start = hits[0].at
    # A bucket of one second's worth may go at once; every request after it waits its turn.
    for i, hit in enumerate(hits[rate:], start=rate):
        assert hit.at - start >= (i - rate) / rate - 0.02, i
    assert hits[-1].at - start >= (count - rate - 1) / rate - 0.02


async def test_family_budget_applies_to_its_family_only(concur: MockConcur) -> None:
    limited = concur.route("GET", "/qe").hits
    free = concur.route("GET", "/other").hits
    limits = {"quick_expense": RateLimit(4, 0.2)}  # 20 per second, bursts of 4
    async with concur.client(family_limits=limits, max_concurrency=64) as client:
        started = time.monotonic()
        await asyncio.gather(*(client.request("GET", "/other") for _ in range(30)))
        unlimited = time.monotonic() - started
        await asyncio.gather(
            *(client.request("GET", "/qe", family="quick_expense") for _ in range(14))
        )
    assert len(free) == 30
    assert unlimited < 0.3
    assert limited[-1].at - limited[0].at >= (14 - 4 - 1) / 20 - 0.02


async def test_a_429_pauses_the_whole_client(concur: MockConcur) -> None:
    throttled = asyncio.Event()
    refused_at = 0.0

    def first_refused(url: URL, **kwargs: Any) -> CallbackResult:
        nonlocal refused_at
        if not throttled.is_set():
            refused_at = time.monotonic()
            throttled.set()
            return concur.reply({}, status=429, headers={"Retry-After": "1"})
        return concur.reply({"a": 1})

    a = concur.route("GET", "/a", handler=first_refused)
    b = concur.route("GET", "/b", concur.reply({"b": 1}))

    async with concur.client() as client:

        async def other_task() -> Any:
            await throttled.wait()
            return await client.request("GET", "/b")

        results = await asyncio.gather(client.request("GET", "/a"), other_task())
        assert client.stats.rate_limited == 1
        assert client.limiter.pauses == 1
    assert results == [{"a": 1}, {"b": 1}]
    # The other task never drew the 429, yet it waited out the pause too.
    assert b.hits[0].at - refused_at >= 0.95
    assert a.hits[1].at - refused_at >= 0.95


@pytest.mark.parametrize(
    ("header", "expected"),
    [("0", 0.0), ("120", 120.0), (" 7 ", 7.0), ("-3", 0.0), (None, None), ("soon", None)],
)
def test_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_retry_after_http_date() -> None:
    future = format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    past = format_datetime(datetime.now(UTC) - timedelta(seconds=120), usegmt=True)
    wait = parse_retry_after(future)
    assert wait is not None
    assert 118 <= wait <= 120
    assert parse_retry_after(past) == 0.0


@pytest.mark.parametrize(("max_rate", "period"), [(0, 1), (1, 0), (-1, 1)])
def test_rate_limit_must_be_positive(max_rate: float, period: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        RateLimit(max_rate, period)
