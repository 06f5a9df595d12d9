"""Retries: which methods and failures are retried, how long they wait, and their bounds."""

from __future__ import annotations

import logging
import math
import time
import types
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import aiohttp
import anyio
import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    APIStatusError,
    AuthenticationError,
    ConcurClient,
    DecodeError,
    MalformedAnswerError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StaticToken,
    TransportError,
    _retry,
)

if TYPE_CHECKING:
    from conftest import MockConcur

PATH = "/api/v3.0/invoice/vendors"
IDEMPOTENT = ["GET", "PUT", "DELETE"]


@pytest.mark.parametrize("status", [502, 503, 504])
@pytest.mark.parametrize("method", IDEMPOTENT)
async def test_idempotent_methods_retried_on_gateway_errors(
    concur: MockConcur, method: str, status: int
) -> None:
    route = concur.route(method, PATH, concur.reply(status=status), concur.reply({"ok": 1}))
    async with concur.client() as client:
        assert await client.request(method, PATH) == {"ok": 1}
    assert len(route.hits) == 2


@pytest.mark.parametrize(
    "failure",
    [aiohttp.ClientConnectionError("reset"), aiohttp.ServerDisconnectedError(), TimeoutError()],
    ids=["connection", "disconnect", "timeout"],
)
@pytest.mark.parametrize("method", IDEMPOTENT)
async def test_idempotent_methods_retried_on_transport_errors(
    concur: MockConcur, method: str, failure: BaseException
) -> None:
    route = concur.route(method, PATH, failure, concur.reply({"ok": 1}))
    async with concur.client() as client:
        assert await client.request(method, PATH) == {"ok": 1}
    assert len(route.hits) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_post_not_retried_on_server_errors(concur: MockConcur, status: int) -> None:
    route = concur.route("POST", PATH, concur.reply(status=status), concur.reply({}))
    async with concur.client() as client:
        with pytest.raises(ServerError) as info:
            await client.request("POST", PATH, json={"a": 1})
    assert info.value.status == status
    assert len(route.hits) == 1


async def test_post_not_retried_on_connection_errors(concur: MockConcur) -> None:
    route = concur.route("POST", PATH, aiohttp.ClientConnectionError("reset"), concur.reply({}))
    async with concur.client() as client:
        with pytest.raises(TransportError):
            await client.request("POST", PATH, json={"a": 1})
    assert len(route.hits) == 1


@pytest.mark.parametrize(
    "first", ["503", "connection"],
)
async def test_post_retried_when_marked_idempotent(concur: MockConcur, first: str) -> None:
    failure = (
        concur.reply(status=503) if first == "503" else aiohttp.ClientConnectionError("reset")
    )
    route = concur.route("POST", PATH, failure, concur.reply({"ok": 1}))
    async with concur.client() as client:
        assert await client.request("POST", PATH, json={}, idempotent=True) == {"ok": 1}
    assert len(route.hits) == 2
    assert route.hits[0].data == route.hits[1].data


async def test_put_not_retried_when_marked_unsafe(concur: MockConcur) -> None:
    route = concur.route("PUT", PATH, concur.reply(status=503), concur.reply({}))
    async with concur.client() as client:
        with pytest.raises(ServerError):
            await client.request("PUT", PATH, json={}, idempotent=False)
    assert len(route.hits) == 1


async def test_a_form_body_is_never_resent(concur: MockConcur) -> None:
    route = concur.route(
        "PUT", PATH, concur.reply(status=429, headers={"Retry-After": "0"}), concur.reply({})
    )
    async with concur.client() as client:
        with pytest.raises(RateLimitError):
            await client.request("PUT", PATH, content=receipt_form())
    assert len(route.hits) == 1


async def test_a_form_body_is_not_resent_after_a_401(concur: MockConcur) -> None:
    route = concur.route("POST", PATH, concur.reply(status=401), concur.reply({}))
    async with concur.client() as client:
        with pytest.raises(AuthenticationError):
            await client.request("POST", PATH, content=receipt_form())
        assert len(route.hits) == 1
        # The refused token is dropped all the same: the next call fetches a new one.
        await client.request("POST", PATH, content=receipt_form())
    assert route.hits[1].authorization == f"Bearer {concur.access_token(2)}"


def receipt_form() -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("file", b"receipt", filename="receipt.png", content_type="image/png")
    return form


async def test_attempts_are_bounded(concur: MockConcur) -> None:
    route = concur.route("GET", PATH, concur.reply({"Error": {"Message": "down"}}, status=503))
    async with concur.client(retry=RetryPolicy(max_attempts=4, backoff_base=0.001)) as client:
        with pytest.raises(ServerError) as info:
            await client.request("GET", PATH)
    assert len(route.hits) == 4
    assert info.value.message == "down"
    assert client.stats.retries == 3


async def test_transport_error_after_retries_exhausted(concur: MockConcur) -> None:
    route = concur.route("GET", PATH, TimeoutError())
    async with concur.client() as client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", PATH, params={"offset": "x"})
    assert len(route.hits) == concur.fast_retry.max_attempts
    assert info.value.method == "GET"
    assert info.value.url == concur.base + PATH


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_429_retried_then_rate_limit_error(concur: MockConcur, method: str) -> None:
    route = concur.route(
        method, PATH,
        concur.reply({"Error": {"Message": "slow down"}}, status=429,
                     headers={"Retry-After": "0", "concur-correlationid": "c-429"}),
    )
    async with concur.client() as client:
        with pytest.raises(RateLimitError) as info:
            await client.request(method, PATH)
    # Concur refused before doing anything, so even a POST is tried again after the pause.
    assert len(route.hits) == concur.fast_retry.max_attempts
    assert info.value.status == 429
    assert info.value.correlation_id == "c-429"


async def test_retry_after_seconds_is_waited(concur: MockConcur) -> None:
    route = concur.route(
        "GET", PATH, concur.reply(status=429, headers={"Retry-After": "1"}), concur.reply({})
    )
    async with concur.client() as client:
        await client.request("GET", PATH)
    assert route.hits[1].at - route.hits[0].at >= 0.95


async def test_retry_after_zero_retries_at_once(concur: MockConcur) -> None:
    route = concur.route(
        "GET", PATH, concur.reply(status=429, headers={"Retry-After": "0"}), concur.reply({})
    )
    slow_default = RetryPolicy(default_retry_after=5.0)
    async with concur.client(retry=slow_default) as client:
        await client.request("GET", PATH)
    assert route.hits[1].at - route.hits[0].at < 0.5


async def test_retry_after_http_date_is_waited(
    concur: MockConcur, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    when = datetime(2030, 1, 1, tzinfo=UTC)
    # The wall clock reads 0.4 s before the date the server names.
    clock = types.SimpleNamespace(time=lambda: when.timestamp() - 0.4, monotonic=time.monotonic)
    monkeypatch.setattr(_retry, "time", clock)
    route = concur.route(
        "GET", PATH,
        concur.reply(status=429, headers={"Retry-After": "Tue, 01 Jan 2030 00:00:00 GMT"}),
        concur.reply({}),
    )
    caplog.set_level(logging.DEBUG, logger="concur_async")
    async with concur.client() as client:
        await client.request("GET", PATH)
    assert route.hits[1].at - route.hits[0].at >= 0.35
    assert any("waiting 0.40s" in r.getMessage() for r in caplog.records)


async def test_429_without_retry_after_waits_the_default(concur: MockConcur) -> None:
    route = concur.route("GET", PATH, concur.reply(status=429), concur.reply({}))
    async with concur.client(retry=RetryPolicy(default_retry_after=0.3)) as client:
        await client.request("GET", PATH)
    assert route.hits[1].at - route.hits[0].at >= 0.28


async def test_total_time_bounds_retries(concur: MockConcur) -> None:
    route = concur.route(
        "GET", PATH, concur.reply(status=429, headers={"Retry-After": "30"}), concur.reply({})
    )
    policy = RetryPolicy(max_attempts=5, max_total_seconds=2.0)
    async with concur.client(retry=policy) as client:
        started = time.monotonic()
        with pytest.raises(RateLimitError):
            await client.request("GET", PATH)
    # A wait that would overrun the budget is not started at all.
    assert time.monotonic() - started < 1.0
    assert len(route.hits) == 1


async def test_every_retry_logged_at_debug_with_attempt_and_delay(
    concur: MockConcur, caplog: pytest.LogCaptureFixture
) -> None:
    concur.route(
        "GET", PATH, concur.reply(status=502), aiohttp.ClientConnectionError("reset"),
        concur.reply({}),
    )
    caplog.set_level(logging.DEBUG, logger="concur_async")
    async with concur.client() as client:
        await client.request("GET", PATH)
    retries = [r for r in caplog.records if r.getMessage().startswith("retrying")]
    assert [r.levelno for r in retries] == [logging.DEBUG, logging.DEBUG]
    first, second = (r.getMessage() for r in retries)
    assert "attempt 2 of 3" in first
    assert "HTTP 502" in first
    assert "attempt 3 of 3" in second
    assert "waiting " in first
    assert "waiting " in second


def test_backoff_is_exponential_with_full_jitter() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 3.0), (9, 3.0)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.7  # spread over the whole range,
        assert min(delays) < ceiling * 0.3  # not a fixed step
    assert not policy.may_retry(policy.max_attempts, 0, 0)
    assert policy.may_retry(1, 0, 0)
    assert not policy.may_retry(1, policy.max_total_seconds - 1, 2)


def test_at_least_one_attempt() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)



# -- RetryPolicy.decide: the one decision, for the client, the token manager and bulk ----------


def _answered(kind: type[APIStatusError], status: int, **extra: Any) -> APIStatusError:
    return kind("x", status=status, method="GET", url="u", **extra)


def test_decide_waits_for_what_may_pass_and_raises_the_rest() -> None:
    policy = RetryPolicy(max_attempts=3, backoff_base=1.0, backoff_max=1.0)
    lost = TransportError("reset", method="GET", url="u")
    assert 0 <= (policy.decide(lost, attempt=1, elapsed=0.0) or 0) <= 1.0
    assert policy.decide(lost, attempt=1, elapsed=0.0, idempotent=False) is None
    assert policy.decide(lost, attempt=1, elapsed=0.0, replayable=False) is None
    assert policy.decide(lost, attempt=3, elapsed=0.0) is None  # the attempts are spent
    assert policy.decide(lost, attempt=1, elapsed=policy.max_total_seconds) is None
    cut = MalformedAnswerError("cut")
    assert policy.decide(cut, attempt=1, elapsed=0.0) is not None
    assert policy.decide(DecodeError("does not fit"), attempt=1, elapsed=0.0) is None
    assert policy.decide(_answered(ServerError, 503), attempt=1, elapsed=0.0) is not None
    assert policy.decide(_answered(ServerError, 501), attempt=1, elapsed=0.0) is None
    assert policy.decide(_answered(NotFoundError, 404), attempt=1, elapsed=0.0) is None
    limited = _answered(RateLimitError, 429, retry_after=2.5)
    assert policy.decide(limited, attempt=1, elapsed=0.0, idempotent=False) == 2.5


@pytest.mark.parametrize("retry_after", [120.0, math.inf])
def test_decide_raises_at_once_for_a_retry_after_beyond_the_cap(retry_after: float) -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    limited = _answered(RateLimitError, 429, retry_after=retry_after)
    assert policy.decide(limited, attempt=1, elapsed=0.0) is None
    assert policy.rate_limit_wait(retry_after) == 60.0
    assert RetryPolicy(max_total_seconds=5.0).rate_limit_wait(retry_after) == 5.0


ABSURD = ["999999", "inf", "Infinity", "1e300"]


@pytest.mark.parametrize("retry_after", [*ABSURD, "ten days"], ids=[*ABSURD, "http-date"])
async def test_an_absurd_retry_after_raises_at_once_and_pauses_others_only_up_to_the_cap(
    retry_after: str,
) -> None:
    if retry_after == "ten days":
        retry_after = format_datetime(datetime.now(UTC) + timedelta(days=10), usegmt=True)
    served: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        served.append(request.path)
        if request.path == "/throttled":
            return web.json_response({"Error": {"Message": "slow down"}}, status=429,
                                     headers={"Retry-After": retry_after})
        return web.json_response({"ok": True})

    policy = RetryPolicy(max_retry_after=0.5)
    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-123"), base_url=base, retry=policy
    ) as client:
        with anyio.fail_after(5):  # the old client slept for days here
            started = time.monotonic()
            with pytest.raises(RateLimitError) as info:
                await client.request("GET", "/throttled")
            assert time.monotonic() - started < 0.4  # raised at once, no wait begun
            assert info.value.retry_after is not None
            assert info.value.retry_after > 86_400
            # The other calls wait the capped pause, not Concur's absurd one.
            assert await client.request("GET", "/other") == {"ok": True}
            assert time.monotonic() - started < 1.5
    assert served == ["/throttled", "/other"]
