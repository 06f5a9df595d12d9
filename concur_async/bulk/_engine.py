"""What every sync shares: bounded workers, retry rounds, failure records, and the tally.

A write that fails in a way that may pass (connection lost, 429 or 5xx that outlasted the
client's own retries, an unreadable answer) is tried again by the sync in up to
``retry_rounds`` more rounds, with a growing pause; a refusal (400, validation codes) is not.
An authentication or configuration error stops the whole sync: no record could succeed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import msgspec
from anyio.abc import TaskGroup

from .._errors import (
    APIError,
    AuthenticationError,
    ConcurError,
    ConfigurationError,
    DecodeError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from ._checkpoint import Checkpoint
from ._report import Action, FailedRecord, Phase, SyncProgress, SyncReport

if TYPE_CHECKING:
    from .._client import ConcurClient
    from .._resource import Operation

T = TypeVar("T")

__all__ = [
    "FATAL",
    "TRANSIENT",
    "ProgressCallback",
    "Retry",
    "Tally",
    "Workers",
    "failure_from_error",
    "outcome_unknown",
    "write_once",
]

#: Failures worth another round: the outcome is unknown or the cause may pass.
TRANSIENT: tuple[type[ConcurError], ...] = (
    TransportError, RateLimitError, ServerError, DecodeError,
)
#: Failures no record can get past: they end the sync.
FATAL: tuple[type[ConcurError], ...] = (AuthenticationError, ConfigurationError)


ProgressCallback = Callable[[SyncProgress], None]

_TRANSIENT_MEANING = {
    TransportError: "The request did not complete (connection lost or timed out).",
    RateLimitError: "Concur's rate limit still refused the request after every retry.",
    ServerError: "Concur answered with a server error after every retry.",
    DecodeError: "Concur's answer could not be read; the write may or may not have happened.",
}


@dataclass(frozen=True, slots=True)
class Retry:
    """How often and how patiently the sync itself retries transient failures."""

    rounds: int = 3
    backoff: float = 1.0

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.backoff < 0:
            raise ValidationError("retry_rounds and retry_backoff must not be negative")

    async def pause(self, round_number: int) -> None:
        """Wait before round ``round_number`` (1 for the first retry), with jitter."""
        ceiling = self.backoff * 2 ** (round_number - 1)
        await anyio.sleep(random.uniform(ceiling / 2, ceiling))


def outcome_unknown(error: Exception | None) -> bool:
    """Whether a failed write may still have been applied (everything but a 429, which
    Concur answers before doing anything)."""
    return error is not None and not isinstance(error, RateLimitError)


async def write_once(
    client: ConcurClient,
    op: Operation,
    response_type: type[T],
    body: msgspec.Struct,
    *,
    root: str | None = None,
) -> T:
    """Send one write that the client must not replay by itself: when its answer is lost the
    sync looks before writing again. (The body was checked when the record was read.)"""
    return await client.request(op.method, op.url(), response_type=response_type, body=body,
                                root=root, idempotent=False, family=op.family)


def failure_from_error(
    key: str,
    action: Action,
    exc: Exception,
    *,
    retried: bool,
    describe: Callable[[str | None], str | None] | None = None,
) -> FailedRecord:
    """A ``FailedRecord`` for a record whose request raised ``exc``."""
    generic = next((t for k, t in _TRANSIENT_MEANING.items() if isinstance(exc, k)), None)
    if isinstance(exc, APIError):
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
        self.phase: Phase = "reading"
        self.done = 0
        self.total: int | None = None
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
        """Move the progress on by ``advance`` records, then tell ``on_progress``."""
        if phase != self.phase:
            self.phase, self.done = phase, 0
        if total is not None:
            self.total = total
        self.done += advance
        if self.phase == "writing":
            self.checkpoint.save()
        if self.on_progress is not None:
            self.on_progress(SyncProgress(self.phase, self.done, self.total, self.report.failed))

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
    so a fast producer never queues more than ``limit`` jobs' worth of records."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValidationError("concurrency must be at least 1")
        self._slots = anyio.Semaphore(limit)
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

    async def submit(self, job: Callable[..., Awaitable[Any]], *args: Any) -> None:
        assert self._group is not None
        await self._slots.acquire()

        async def run() -> None:
            try:
                await job(*args)
            finally:
                self._slots.release()

        self._group.start_soon(run)


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found
