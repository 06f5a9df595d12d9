"""The sync engine's shared parts: its rounds are the client's RetryPolicy, and a failure
becomes a FailedRecord with a real status or none."""

from __future__ import annotations

import math

import anyio
import pytest

from concur_async import (
    BadRequestError,
    ConcurClient,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StaticToken,
    TransportError,
    ValidationError,
)
from concur_async.bulk._engine import Workers, failure_from_error, outcome_unknown, sync_policy


def _client(**retry: object) -> ConcurClient:
    return ConcurClient(auth=StaticToken("t0ken-123"), retry=RetryPolicy(**retry))  # type: ignore[arg-type]


def test_the_sync_rounds_are_the_clients_policy_with_more_patience() -> None:
    policy = sync_policy(_client(retry_statuses=frozenset({503})), 3, 0.5)
    assert policy.max_attempts == 4
    assert policy.backoff_base == 0.5
    assert policy.max_total_seconds == math.inf  # a long sync outlives one call's budget
    assert policy.retry_statuses == frozenset({503})  # the client's judgement, not a second
    five_hundred = ServerError("x", status=500, method="PUT", url="u")
    assert policy.decide(five_hundred, attempt=1, elapsed=0.0) is None
    lost = TransportError("reset", method="POST", url="u")
    # A write whose answer was lost is looked up before it is sent again: safe to repeat.
    wait = policy.decide(lost, attempt=1, elapsed=0.0)
    assert wait is not None
    assert 0 <= wait <= 0.5
    assert policy.decide(lost, attempt=4, elapsed=0.0) is None


def test_a_sync_waits_out_an_absurd_retry_after_to_the_cap_and_tries_again() -> None:
    policy = sync_policy(_client(max_retry_after=2.0), 3, 0.5)
    absurd = RateLimitError("slow", status=429, retry_after=999_999.0)
    assert policy.decide(absurd, attempt=1, elapsed=0.0) == 2.0
    # The client's own policy raises at once instead: one caller must not hang for days.
    assert _client(max_retry_after=2.0).retry.decide(absurd, attempt=1, elapsed=0.0) is None


@pytest.mark.parametrize(("rounds", "backoff"), [(-1, 1.0), (3, -0.5)])
def test_impossible_rounds_are_refused(rounds: int, backoff: float) -> None:
    with pytest.raises(ValidationError, match="retry_rounds"):
        sync_policy(_client(), rounds, backoff)


def test_a_failed_record_carries_the_real_status_never_http_0() -> None:
    refused = BadRequestError("bad date", status=400, method="POST", url="u")
    record = failure_from_error("K1", "create", refused, retried=False)
    assert (record.code, record.message) == ("HTTP 400", str(refused))
    local = ValidationError("VendorCode is required")
    record = failure_from_error("K2", "create", local, retried=False)
    assert record.code is None
    assert "HTTP 0" not in str(record)


def test_only_a_429_says_the_write_was_not_applied() -> None:
    assert not outcome_unknown(RateLimitError("slow", status=429))
    assert outcome_unknown(TransportError("cut", method="POST", url="u"))
    assert outcome_unknown(ServerError("x", status=502))
    assert not outcome_unknown(None)


async def test_workers_run_at_most_limit_jobs_and_let_a_producer_get_ahead() -> None:
    running = peak = done = 0
    release = anyio.Event()

    async def job() -> None:
        nonlocal running, peak, done
        running += 1
        peak = max(peak, running)
        await release.wait()
        running -= 1
        done += 1

    async with Workers(2, ahead=3) as workers:
        with anyio.fail_after(1):
            for _ in range(5):  # two running and three made ahead, none of them finished
                await workers.submit(job)
        with anyio.move_on_after(0.05) as scope:
            await workers.submit(job)  # a sixth waits for one to finish
        assert scope.cancelled_caught
        await anyio.sleep(0.01)
        assert (running, peak) == (2, 2)
        release.set()
    assert (running, peak, done) == (0, 2, 5)
