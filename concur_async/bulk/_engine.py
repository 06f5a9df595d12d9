"""What every sync shares: bounded workers, retry rounds, failure records, and the tally.

A write that fails in a way that may pass (connection lost, 429 or 5xx that outlasted the
client's own retries, an unreadable answer) is tried again by the sync in up to
``retry_rounds`` more rounds; a refusal (400, validation codes) is not. Which failures may
pass, and how long to wait before the next round, is the client's own ``RetryPolicy``
deciding, with its one backoff. An authentication or configuration error stops the whole
sync: no record could succeed.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Awaitable, Callable, Coroutine
from types import TracebackType
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import TaskGroup

from .._errors import (
    APIStatusError,
    AuthenticationError,
    ClientClosedError,
    ConcurError,
    ConfigurationError,
    DecodeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    UntrustedURLError,
    ValidationError,
)
from .._retry import RetryPolicy
from ._checkpoint import Checkpoint
from ._report import Action, FailedRecord, Phase, SyncProgress, SyncReport

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = [
    "FATAL",
    "ProgressCallback",
    "Tally",
    "Workers",
    "another_round",
    "failure_from_error",
    "outcome_unknown",
    "sync_policy",
]

#: Failures no record can get past: they end the sync.
FATAL: tuple[type[ConcurError], ...] = (
    AuthenticationError, PermissionDeniedError, ConfigurationError, ClientClosedError,
    UntrustedURLError,
)


ProgressCallback = Callable[[SyncProgress], None]

#: What a failure that outlasted every round means, for the report (most specific first).
_MEANING: tuple[tuple[type[ConcurError], str], ...] = (
    (TransportError, "The request did not complete (connection lost or timed out)."),
    (RateLimitError, "Concur's rate limit still refused the request after every retry."),
    (ServerError, "Concur answered with a server error after every retry."),
    (DecodeError, "Concur's answer could not be read; the write may or may not have happened."),
)


def sync_policy(client: ConcurClient, rounds: int, backoff: float) -> RetryPolicy:
    """The sync's own rounds as the client's ``RetryPolicy`` (the same failures retried, the
    same backoff): ``rounds`` more tries after the first, the first pause up to ``backoff``
    seconds and doubling, no overall time limit (a long sync outlives any one call's budget).
    A 429 whose Retry-After is beyond the client's cap is waited out to the cap and tried
    again, rather than failing the record. Every round looks before it writes again, so each
    is as safe to repeat as a GET."""
    if rounds < 0 or backoff < 0:
        raise ValidationError("retry_rounds and retry_backoff must not be negative")
    return dataclasses.replace(
        client.retry, max_attempts=rounds + 1, backoff_base=backoff,
        backoff_max=backoff * 2 ** max(rounds - 1, 0), max_total_seconds=math.inf,
        retry_past_cap=True,
    )


async def another_round(policy: RetryPolicy, error: ConcurError, round_number: int) -> bool:
    """After ``error`` in round ``round_number`` (from 0): True once the pause before the next
    round is over; False when there is none (the rounds are spent, or the error is final:
    ``policy.retryable`` tells which)."""
    wait = policy.decide(error, attempt=round_number + 1, elapsed=0.0)
    if wait is None:
        return False
    await anyio.sleep(wait)
    return True


def outcome_unknown(error: Exception | None) -> bool:
    """Whether a failed write may still have been applied (everything but a 429, which
    Concur answers before doing anything)."""
    return error is not None and not isinstance(error, RateLimitError)


def failure_from_error(
    key: str,
    action: Action,
    exc: Exception,
    *,
    retried: bool,
    describe: Callable[[str | None], str | None] | None = None,
) -> FailedRecord:
    """A ``FailedRecord`` for a record whose request raised ``exc``."""
    generic = next((text for kind, text in _MEANING if isinstance(exc, kind)), None)
    if isinstance(exc, APIStatusError):
        # A v3 error body names no code (only the occurrence's Id): the status says what failed.
        code = exc.code if exc.code is not None else f"HTTP {exc.status}"
        meaning = (describe(exc.code) if describe else None) or generic or exc.message
        return FailedRecord(key, action, code=code, meaning=meaning, message=str(exc),
                            retried=retried)
    return FailedRecord(key, action, meaning=generic, message=str(exc), retried=retried)


class Tally:
    """Counts outcomes into a ``SyncReport``, confirms them in the checkpoint, reports progress."""

    def __init__(
        self,
        client: ConcurClient,
        *,
        dry_run: bool,
        checkpoint: Checkpoint,
        on_progress: ProgressCallback | None,
    ) -> None:
        self.report = SyncReport(dry_run=dry_run)
        self.checkpoint = checkpoint
        self.on_progress = on_progress
        # Per phase: a vendor sync goes on reading while its first writes are out.
        self.done: dict[Phase, int] = {"reading": 0, "writing": 0}
        self.totals: dict[Phase, int | None] = {"reading": None, "writing": None}
        self._client = client
        self._requests_before = client.stats.requests
        self._started = time.perf_counter()

    def count(self, outcome: Action | None, key: str, digest: str | None) -> None:
        """A record is settled: ``outcome`` done (None: it was already right) and confirmed."""
        report = self.report
        if outcome is None:
            report.unchanged += 1
        elif report.dry_run:
            report.plan.append((outcome, key))
        if outcome == "create":
            report.created += 1
        elif outcome == "update":
            report.updated += 1
        elif outcome == "delete":
            report.deleted += 1
        if digest is not None and not report.dry_run:
            self.checkpoint.confirm(key, digest)

    def fail(self, record: FailedRecord) -> None:
        self.report.fail(record)

    def progress(self, phase: Phase, *, advance: int = 0, total: int | None = None) -> None:
        """Move ``phase`` on by ``advance`` records, then tell ``on_progress``."""
        if total is not None:
            self.totals[phase] = total
        self.done[phase] += advance
        if phase == "writing":
            self.checkpoint.save()
        if self.on_progress is not None:
            self.on_progress(SyncProgress(phase, self.done[phase], self.totals[phase],
                                          self.report.failed))

    def close(self, *, finished: bool) -> SyncReport:
        """Stamp time and requests on the report and leave the checkpoint on disk."""
        if finished and not self.report.dry_run:
            self.checkpoint.finish()
        elif not self.report.dry_run:
            self.checkpoint.save(force=True)
        self.report.seconds = time.perf_counter() - self._started
        self.report.requests = self._client.stats.requests - self._requests_before
        return self.report


class Workers:
    """A task group that runs at most ``limit`` jobs at once; ``submit`` waits for a free slot,
    so a fast producer never queues more than ``limit`` jobs' worth of records.

    With ``ahead``, that many more jobs may be submitted, each waiting for a slot: a producer
    that must work to make each job (read, check, batch) does it while the running jobs wait
    on the network, and a slot that frees is taken at once instead of after that work."""

    def __init__(self, limit: int, *, ahead: int = 0) -> None:
        if limit < 1:
            raise ValidationError("concurrency must be at least 1")
        self._slots = anyio.Semaphore(limit)
        self._queued = anyio.Semaphore(limit + ahead) if ahead > 0 else None
        self._group: TaskGroup | None = None

    async def __aenter__(self) -> Workers:
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._group is not None
        try:
            return await self._group.__aexit__(exc_type, exc, tb)
        except BaseExceptionGroup as group:
            # Jobs stopped by the same fatal error (e.g. authentication) read better as it.
            leaves = _leaves(group)
            if len({type(leaf) for leaf in leaves}) == 1:
                raise leaves[0] from None
            raise

    def start(self, job: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
        """Run ``job`` in the group without taking a slot (e.g. a read that feeds the jobs):
        its failure stops the jobs, and theirs stops it."""
        assert self._group is not None
        self._group.start_soon(job, *args)

    async def submit(self, job: Callable[..., Awaitable[Any]], *args: Any) -> None:
        assert self._group is not None
        slots, queued = self._slots, self._queued
        if queued is None:
            await slots.acquire()

            async def run() -> None:
                try:
                    await job(*args)
                finally:
                    slots.release()
        else:
            await queued.acquire()

            async def run() -> None:
                try:
                    async with slots:
                        await job(*args)
                finally:
                    queued.release()

        self._group.start_soon(run)


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found
