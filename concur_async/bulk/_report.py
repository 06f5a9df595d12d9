"""What a sync did: ``SyncReport``, each ``FailedRecord``, and the ``SyncProgress`` it reports."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Literal

import msgspec

__all__ = ["Action", "FailedRecord", "Phase", "SyncProgress", "SyncReport"]

Action = Literal["create", "update", "delete"]
Phase = Literal["reading", "writing"]


@dataclass(frozen=True, slots=True)
class FailedRecord:
    """One record Concur (or the sync itself) refused: its key, the action, and why.

    ``code`` is Concur's error code when it gave one (``None`` for a record refused before
    sending); ``meaning`` is that code's documented meaning; ``retried`` says whether the sync
    tried it again after a transient failure.
    """

    key: str
    action: Action
    code: str | None = None
    meaning: str | None = None
    field_code: str | None = None
    message: str | None = None
    retried: bool = False


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A progress tick: the phase, records done so far, the total when known, failures so far."""

    phase: Phase
    done: int
    total: int | None
    failed: int


@dataclass(slots=True)
class SyncReport:
    """The outcome of one sync: counts by outcome, every failure, time and requests taken.

    ``resumed`` counts records a checkpoint showed as already written by an earlier,
    interrupted run of the same job; they were not looked at again. A dry run counts what it
    would do and lists it in ``plan`` as ``(action, key)`` pairs.
    """

    unchanged: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0
    failures: list[FailedRecord] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    requests: int = 0
    resumed: int = 0
    plan: list[tuple[Action, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no record failed."""
        return self.failed == 0

    @property
    def total(self) -> int:
        """Records accounted for: unchanged, created, updated, deleted, failed and resumed."""
        return (self.unchanged + self.created + self.updated + self.deleted + self.failed
                + self.resumed)

    def fail(self, record: FailedRecord) -> None:
        """Count a failure and keep it."""
        self.failed += 1
        self.failures.append(record)

    def to_dict(self) -> dict[str, object]:
        """The report as plain values (failures as dicts), ready for JSON."""
        data = asdict(self)
        data["ok"] = self.ok
        data["total"] = self.total
        return data

    def write_failures(self, path: str | os.PathLike[str]) -> int:
        """Write the failures to ``path`` as JSON Lines, one record a line; returns how many."""
        encoder = msgspec.json.Encoder()
        with open(path, "wb") as out:
            for record in self.failures:
                out.write(encoder.encode(asdict(record)))
                out.write(b"\n")
        return len(self.failures)

    def __str__(self) -> str:
        mode = " (dry run)" if self.dry_run else ""
        return (f"{self.created} created, {self.updated} updated, {self.deleted} deleted, "
                f"{self.unchanged} unchanged, {self.failed} failed{mode} "
                f"in {self.seconds:.2f}s, {self.requests} requests")
