"""In-memory records: ordered, addressable by key and position, and a log of every write.

A ``Store`` keeps its records in a stable order. Positions ``0 .. seeded-1`` belong to records
generated on demand from their position (``generate(i)``), so a million seeded vendors cost
nothing until one is written; records created later follow in creation order. Page tokens
carry a position, so an unfiltered page costs its own length and never a rescan; a filtered
listing computes its matching positions once per store version and pages through them.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

__all__ = ["Collection", "Page", "Record", "Store", "Write", "WriteLog"]

K = TypeVar("K", bound=Hashable)
Record = dict[str, Any]
Match = Callable[[Record], bool]
WriteOp = Literal["create", "update", "delete"]

_CACHED_FILTERS = 16


@dataclass(slots=True)
class Page:
    items: list[Record]
    next: int | None  # position of the first record of the next page
    total: int


class Store(Generic[K]):
    """Records in a stable order, by key and by position.

    ``get`` returns the stored record itself, or for an unwritten seeded position a freshly
    generated one: change a record by ``put``-ting a changed copy, never in place.
    """

    def __init__(
        self,
        key: Callable[[Record], K],
        *,
        generate: Callable[[int], Record] | None = None,
        seeded: int = 0,
        seeded_position: Callable[[K], int | None] | None = None,
    ) -> None:
        if seeded and generate is None:
            raise ValueError("a seeded store needs a generator")
        self._key = key
        self._generate = generate
        self._seeded_position = seeded_position
        self.seeded = seeded
        self._changed: dict[int, Record | None] = {}  # seeded records written (None: deleted)
        self._order: list[K | None] = []  # created records by position; None once deleted
        self._created: dict[K, tuple[int, Record]] = {}
        self._live = seeded
        self._filters: OrderedDict[tuple[Hashable, int], list[int]] = OrderedDict()
        self.version = 0

    def __len__(self) -> int:
        return self._live

    def __iter__(self) -> Iterator[Record]:
        for pos in range(self.end):
            record = self.at(pos)
            if record is not None:
                yield record

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None  # type: ignore[arg-type]

    @property
    def end(self) -> int:
        """One past the last position ever used."""
        return self.seeded + len(self._order)

    def key_of(self, record: Record) -> K:
        return self._key(record)

    def position(self, key: K) -> int | None:
        if self._seeded_position is not None:
            pos = self._seeded_position(key)
            if pos is not None and 0 <= pos < self.seeded:
                return pos
        entry = self._created.get(key)
        return None if entry is None else entry[0]

    def at(self, pos: int) -> Record | None:
        """The live record at a position, or None when it was deleted."""
        if pos < self.seeded:
            if pos in self._changed:
                return self._changed[pos]
            assert self._generate is not None
            return self._generate(pos)
        key = self._order[pos - self.seeded]
        return None if key is None else self._created[key][1]

    def get(self, key: K) -> Record | None:
        pos = self.position(key)
        return None if pos is None else self.at(pos)

    def put(self, record: Record) -> bool:
        """Insert or replace the record under its key; True when it is new."""
        key = self._key(record)
        pos = self.position(key)
        self.version += 1
        if pos is None:
            self._created[key] = (self.end, record)
            self._order.append(key)
            self._live += 1
            return True
        if pos < self.seeded:
            was_deleted = pos in self._changed and self._changed[pos] is None
            self._changed[pos] = record
        else:
            was_deleted = False
            self._created[key] = (pos, record)
        self._live += was_deleted
        return was_deleted

    def delete(self, key: K) -> Record | None:
        """Remove a record; returns it, or None when there was none."""
        pos = self.position(key)
        record = None if pos is None else self.at(pos)
        if pos is None or record is None:
            return None
        self.version += 1
        self._live -= 1
        if pos < self.seeded:
            self._changed[pos] = None
        else:
            self._order[pos - self.seeded] = None
            del self._created[key]
        return record

    def clear(self) -> None:
        self.seeded = 0
        self._changed.clear()
        self._order.clear()
        self._created.clear()
        self._filters.clear()
        self._live = 0
        self.version += 1

    def reseed(self, count: int) -> None:
        """Start over with ``count`` generated records and nothing else."""
        if count and self._generate is None:
            raise ValueError("this store has no generator")
        self.clear()
        self.seeded = self._live = count

    def page(
        self,
        start: int,
        limit: int,
        match: Match | None = None,
        *,
        match_key: Hashable = None,
        candidates: Iterable[int] | None = None,
    ) -> Page:
        """Up to ``limit`` live records from position ``start`` on that satisfy ``match``.

        ``match_key`` identifies the filter for the cache of matching positions;
        ``candidates``, when given, are the only positions that can match (an index lookup).
        """
        if match is None and candidates is None:
            return self._scan(start, limit)
        positions = self._matching(match, match_key, candidates)
        first = bisect_left(positions, start)
        chunk = positions[first:first + limit]
        following = positions[first + limit] if first + limit < len(positions) else None
        items = [r for r in map(self.at, chunk) if r is not None]
        return Page(items, following, len(positions))

    def _scan(self, start: int, limit: int) -> Page:
        items: list[Record] = []
        end = self.end
        pos = max(start, 0)
        while pos < end and len(items) < limit:
            record = self.at(pos)
            if record is not None:
                items.append(record)
            pos += 1
        while pos < end and self.at(pos) is None:  # so the last page names no next page
            pos += 1
        return Page(items, pos if pos < end else None, self._live)

    def _matching(
        self, match: Match | None, match_key: Hashable, candidates: Iterable[int] | None
    ) -> list[int]:
        cache_key = (match_key, self.version)
        found = self._filters.get(cache_key) if match_key is not None else None
        if found is None:
            scope = sorted(set(candidates)) if candidates is not None else range(self.end)
            found = []
            for pos in scope:
                record = self.at(pos)
                if record is not None and (match is None or match(record)):
                    found.append(pos)
            if match_key is not None:
                self._filters[cache_key] = found
                while len(self._filters) > _CACHED_FILTERS:
                    self._filters.popitem(last=False)
        return found


class Collection(Store[str]):
    """The records of one resource, keyed by their id field (``ID``, ``id``, ``syncGuid``)."""

    def __init__(self, name: str, id_field: str = "ID") -> None:
        super().__init__(lambda record: str(record[id_field]))
        self.name = name
        self.id_field = id_field

    def __repr__(self) -> str:
        return f"Collection({self.name!r}, {len(self)} records)"


@dataclass(frozen=True, slots=True)
class Write:
    """One write the server confirmed: ``op`` on ``resource`` under ``key``."""

    op: WriteOp
    resource: str
    key: Hashable
    at: float


class WriteLog:
    """Every confirmed create, update and delete, in order; for exactly-once checks."""

    def __init__(self) -> None:
        self.entries: list[Write] = []

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Write]:
        return iter(self.entries)

    def __repr__(self) -> str:
        return f"WriteLog({len(self.entries)} writes)"

    def record(self, op: WriteOp, resource: str, key: Hashable) -> None:
        self.entries.append(Write(op, resource, key, time.time()))

    def filter(self, op: WriteOp | None = None, resource: str | None = None) -> list[Write]:
        return [
            w for w in self.entries
            if (op is None or w.op == op) and (resource is None or w.resource == resource)
        ]

    def keys(self, op: WriteOp | None = None, resource: str | None = None) -> Counter[Hashable]:
        """How many times each key was written (by ``op`` on ``resource``, when given)."""
        return Counter(w.key for w in self.filter(op, resource))

    def duplicates(
        self, op: WriteOp | None = "create", resource: str | None = None
    ) -> dict[Hashable, int]:
        """Keys written more than once: a create applied twice shows here."""
        return {k: n for k, n in self.keys(op, resource).items() if n > 1}

    def clear(self) -> None:
        self.entries.clear()
