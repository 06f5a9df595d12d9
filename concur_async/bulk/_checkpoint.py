"""The checkpoint file of a restartable sync: which records it has written, and in what state.

A checkpoint maps each record key Concur confirmed to the digest of the desired record that
was written (``"deleted"`` for a delete). A rerun with the same file skips the records whose
desired digest still matches: Concur already holds them. It never needs the file to be
complete: a record written but not yet in the file is found unchanged when the rerun compares
against Concur, so it is not sent again either. That is why saves may be spaced out in time.

The file is JSON, replaced atomically (a temporary file, then ``os.replace``), so a sync
killed mid-save leaves the previous version intact. Once a run gets through every record the
file is marked complete, and the next run with it starts a new job.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import msgspec

from .._errors import ConfigurationError
from .._files import write_atomically

__all__ = ["DELETED", "Checkpoint"]

log = logging.getLogger("concur_async.bulk")

DELETED = "deleted"
_VERSION = 1


class _File(msgspec.Struct, kw_only=True):
    version: int = _VERSION
    kind: str
    complete: bool = False
    confirmed: dict[str, str] = msgspec.field(default_factory=dict)


class Checkpoint:
    """Confirmed keys and digests of one sync job, kept in ``path`` (nothing kept without one)."""

    def __init__(
        self, path: str | os.PathLike[str] | None, *, kind: str, min_interval: float = 0.5
    ) -> None:
        self.path = None if path is None else Path(path)
        self.kind = kind
        self.min_interval = min_interval
        self.confirmed: dict[str, str] = {}
        self._dirty = False
        self._saved_at = 0.0
        if self.path is not None:
            self._load(self.path)

    def __repr__(self) -> str:
        return f"Checkpoint({str(self.path)!r}, {len(self.confirmed)} confirmed)"

    def _load(self, path: Path) -> None:
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return
        try:
            data = msgspec.json.decode(raw, type=_File)
        except msgspec.DecodeError:
            # Comparing against Concur keeps a fresh start correct; it only costs time.
            log.warning("checkpoint %s is unreadable; starting the job over", path)
            return
        if data.kind != self.kind:
            raise ConfigurationError(
                f"checkpoint {path} belongs to a {data.kind} sync, not a {self.kind} sync"
            )
        if not data.complete:
            self.confirmed = data.confirmed

    def digest_of(self, key: str) -> str | None:
        """The digest confirmed for ``key`` by this job, or None."""
        return self.confirmed.get(key) if self.confirmed else None

    def confirm(self, key: str, digest: str) -> None:
        """Record that Concur confirmed ``key`` in the state ``digest`` describes."""
        if self.path is not None:
            self.confirmed[key] = digest
            self._dirty = True

    def save(self, *, force: bool = False) -> None:
        """Write the file if anything changed, at most every ``min_interval`` seconds."""
        if self.path is None or not (self._dirty or force):
            return
        now = time.monotonic()
        if not force and now - self._saved_at < self.min_interval:
            return
        self._write(_File(kind=self.kind, confirmed=self.confirmed))
        self._saved_at = now
        self._dirty = False

    def finish(self) -> None:
        """Mark the job complete: every record was attempted."""
        if self.path is not None:
            self._write(_File(kind=self.kind, complete=True))
            self.confirmed = {}
            self._dirty = False

    def _write(self, data: _File) -> None:
        assert self.path is not None
        write_atomically(self.path, msgspec.json.encode(data))
