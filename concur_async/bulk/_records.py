"""The one-record-per-call sync engine, for APIs with neither a list nor a batch endpoint.

For each desired record: fetch Concur's copy by key; none means create, one that differs
means update, one that holds every desired value means unchanged. ``concurrency`` records are
in flight at once. A transient failure repeats the whole step, fetch included, so a write
that Concur applied before its answer was lost is found done rather than sent again.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec

from .._errors import ConcurError, ValidationError
from .._retry import RetryPolicy
from ._checkpoint import Checkpoint
from ._engine import (
    FATAL,
    ProgressCallback,
    Tally,
    Workers,
    another_round,
    failure_from_error,
    outcome_unknown,
)
from ._report import Action, FailedRecord, SyncReport
from ._source import as_struct, canonical, contains, digest, records

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Outcome", "RecordKind", "sync_records"]

S = TypeVar("S", bound=msgspec.Struct)


@dataclass(frozen=True, slots=True)
class Outcome:
    """Concur's answer to one write: accepted, or refused with a code, field and message."""

    ok: bool
    code: str | None = None
    field_code: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class RecordKind(Generic[S]):
    """How to key, fetch, create and update one kind of record."""

    name: str
    struct: type[S]
    key: Callable[[S], str | None]
    raw_key: Callable[[Any], str]
    fetch: Callable[[ConcurClient, S], Awaitable[S | None]]
    create: Callable[[ConcurClient, S], Awaitable[Outcome]]
    update: Callable[[ConcurClient, S], Awaitable[Outcome]]
    describe: Callable[[str | None], str | None]


async def sync_records(
    client: ConcurClient,
    desired: Iterable[Any] | AsyncIterable[Any],
    kind: RecordKind[S],
    *,
    dry_run: bool,
    concurrency: int,
    checkpoint: str | os.PathLike[str] | None,
    on_progress: ProgressCallback | None,
    retry: RetryPolicy,
) -> SyncReport:
    """Sync ``desired`` records of ``kind`` one call per record; see the module docstring."""
    if concurrency < 1:
        raise ValidationError("concurrency must be at least 1")
    tally = Tally(client, dry_run=dry_run, on_progress=on_progress,
                  checkpoint=Checkpoint(checkpoint, kind=kind.name))
    step = _Step(client, kind, tally, retry)
    seen: set[str] = set()
    finished = False
    try:
        tally.progress("writing")
        async with Workers(concurrency) as workers:
            async for item in records(desired):
                try:
                    record = as_struct(item, kind.struct)
                    key = kind.key(record)
                    if not key:
                        raise ValidationError(f"{kind.struct.__name__}: the key is missing")
                except ValidationError as exc:
                    tally.fail(FailedRecord(kind.raw_key(item), "create", message=exc.message))
                    tally.progress("writing", advance=1)
                    continue
                if key in seen:
                    tally.fail(FailedRecord(key, "create", message=(
                        "The key appears more than once in the desired records; only its "
                        "first record was synced.")))
                    tally.progress("writing", advance=1)
                    continue
                seen.add(key)
                value = digest(canonical(record))
                if tally.checkpoint.digest_of(key) == value:
                    tally.report.resumed += 1
                    tally.progress("writing", advance=1)
                    continue
                await workers.submit(step.run, key, value, record)
        finished = True
    finally:
        report = tally.close(finished=finished)
    return report


class _Step(Generic[S]):
    def __init__(self, client: ConcurClient, kind: RecordKind[S], tally: Tally,
                 retry: RetryPolicy) -> None:
        self.client, self.kind, self.tally, self.retry = client, kind, tally, retry

    async def run(self, key: str, value: str, record: S) -> None:
        """Settle one record: fetch, compare, write; retried whole while failures pass.

        A fetch whose answer is unknown fails the round (never read as "not there"), so the
        next round looks again before anything is written."""
        kind, tally = self.kind, self.tally
        attempted: Action | None = None  # a write whose answer was lost
        action: Action = "create"
        error: ConcurError | None = None
        for round_number in range(self.retry.max_attempts):
            error = None
            try:
                current = await kind.fetch(self.client, record)
                if current is not None and contains(canonical(current), canonical(record)):
                    tally.count(attempted, key, value)
                    break
                action = "create" if current is None else "update"
                if tally.report.dry_run:
                    tally.count(action, key, None)
                    break
                attempted = action
                write = kind.create if action == "create" else kind.update
                outcome = await write(self.client, record)
            except FATAL:
                raise
            except ConcurError as exc:
                if await another_round(self.retry, exc, round_number):
                    error = exc
                    continue
                if self.retry.retryable(exc):
                    error = exc  # it may pass, but the rounds are spent
                    break
                tally.fail(failure_from_error(key, action, exc, retried=round_number > 0,
                                              describe=kind.describe))
                break
            if outcome.ok:
                tally.count(action, key, value)
            else:
                tally.fail(FailedRecord(
                    key, action, code=outcome.code, meaning=kind.describe(outcome.code),
                    field_code=outcome.field_code, message=outcome.message,
                    retried=round_number > 0,
                ))
            break
        if error is not None and attempted is not None and outcome_unknown(error):
            # The rounds are spent, but the last write may have landed with its answer lost:
            # one more look settles it, so a record written is never reported failed.
            with contextlib.suppress(ConcurError):
                current = await kind.fetch(self.client, record)
                if current is not None and contains(canonical(current), canonical(record)):
                    tally.count(attempted, key, value)
                    error = None
        if error is not None:
            tally.fail(failure_from_error(key, action, error,
                                          retried=self.retry.max_attempts > 1,
                                          describe=kind.describe))
        tally.progress("writing", advance=1)
