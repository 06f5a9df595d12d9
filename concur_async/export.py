"""Incremental export: the records of a Concur collection that changed since the last run.

    async with export_changes(client, "expense-reports", since=dt.date(2026, 11, 1),
                              state="reports.state.json", filters={"user": "ALL"}) as changes:
        async for change in changes:
            handle(change.record)

Each run lists the collection with Concur's modified-date filter from the bookmark kept in
``state``, and yields the records that changed (``Change``: ``id``, ``modified``, ``record``).

**Delivered exactly once.** A record counts as *taken* once the consumer asks for the next one
(or calls ``commit()``). Taken records are committed to the state file (replaced atomically) at
most every ``commit_interval`` seconds, at the end of the run, and on a clean exit from
``async with`` (a ``break`` with ``on_commit`` given commits nothing new: call ``commit()``
first); before each commit ``on_commit()`` is awaited, so the consumer can make its own
output durable and return its position (say a file offset), which is saved with the bookmark
and read back as ``export.sink`` on the next run. A run that stops anywhere (an error, a kill)
leaves the last commit: the next run skips what it lists, repeats what came after, and a
consumer that cuts its output back to ``export.sink`` ends with every record exactly once.

**Nothing missed.** Concur's lists come in no date order, so the bookmark moves only when a
run has read the whole window. The next window then starts at the newest modification date
seen, less ``overlap`` (a day by default) and one more day in case Concur compares the bound
as a date. The overlap catches records that become visible late with an earlier date (clock
skew between Concur's servers, time zones, long transactions). Records seen inside the
window are remembered by id and content digest, so overlapping windows deliver nothing twice.

Collections Concur cannot filter by modification date (list items) are read whole each run and
compared with the digests of the previous run. Purchase orders cannot be exported: Concur's
Purchase Order v3.0 API reads one purchase order by number and has no list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import logging
import os
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import msgspec

from ._errors import ConfigurationError
from ._files import write_atomically

if TYPE_CHECKING:
    from ._client import ConcurClient
    from ._paging import AsyncPaginator

__all__ = ["COLLECTIONS", "Change", "ChangeExport", "Collection", "export_changes"]

log = logging.getLogger("concur_async.export")

_VERSION = 1


@dataclass(frozen=True, slots=True)
class Collection:
    """How one Concur collection is read for changes."""

    #: What the records are, in prose (``"expense reports"``).
    what: str
    #: The list method: ``client`` -> the bound ``list`` of the resource.
    list: Callable[[ConcurClient], Callable[..., AsyncPaginator[Any]]]
    #: The list method's keyword for the lower modification-date bound; None: read it whole.
    after: str | None
    #: The record attribute holding its last modification date.
    modified: str | None
    #: The record's struct type (for CSV columns).
    record_type: type[msgspec.Struct]
    id: str = "id"


def _reports(client: ConcurClient) -> Callable[..., AsyncPaginator[Any]]:
    return client.expense.reports.list


def _list_items(client: ConcurClient) -> Callable[..., AsyncPaginator[Any]]:
    return client.common.list_items.list


def _report_digests(client: ConcurClient) -> Callable[..., AsyncPaginator[Any]]:
    return client.expense.report_digests.list


def _payment_request_digests(client: ConcurClient) -> Callable[..., AsyncPaginator[Any]]:
    return client.invoice.payment_request_digests.list


def _collections() -> dict[str, Collection]:
    from .common.list_items import ListItemGet
    from .expense.report_digests import ReportDigest
    from .expense.reports import ReportGet
    from .invoice.payment_request_digests import PaymentRequestDigest

    return {
        "expense-reports": Collection(
            "expense reports", _reports, "modified_date_after", "last_modified_date", ReportGet
        ),
        "report-digests": Collection(
            "expense report digests", _report_digests, "modified_date_after",
            "report_header_last_modified_date", ReportDigest,
        ),
        "payment-requests": Collection(
            "payment requests (their digests)", _payment_request_digests,
            "last_modified_date_after", "last_modified_date", PaymentRequestDigest,
        ),
        "list-items": Collection("list items", _list_items, None, None, ListItemGet),
    }


COLLECTIONS: Mapping[str, Collection] = _collections()

#: Collections asked for that Concur gives no way to export, and why.
UNAVAILABLE = {
    "purchase-orders": "Concur's Purchase Order v3.0 API reads one purchase order by its "
    "number and has no list, so there is nothing to export changes from",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One changed record: its id, its modification date as Concur gave it, and the record."""

    id: str
    modified: str | None
    record: Any
    digest: str


class _State(msgspec.Struct, kw_only=True):
    version: int = _VERSION
    collection: str
    filters: dict[str, Any] = msgspec.field(default_factory=dict)
    #: Lower modification-date bound of the current window (ISO); None: from the beginning.
    window: str | None = None
    #: Windows read to the end.
    passes: int = 0
    #: id -> [content digest, modification date or ""] of the records delivered or seen.
    known: dict[str, tuple[str, str]] = msgspec.field(default_factory=dict)
    #: What ``on_commit`` returned at the last commit: the consumer's own position.
    sink: Any = None


def export_changes(
    client: ConcurClient,
    collection: str,
    *,
    since: dt.datetime | dt.date | None = None,
    state: str | os.PathLike[str] | None = None,
    filters: Mapping[str, Any] | None = None,
    overlap: dt.timedelta = dt.timedelta(days=1),
    commit_interval: float = 1.0,
    on_commit: Callable[[], Any] | None = None,
    page_size: int | None = None,
) -> ChangeExport:
    """The records of ``collection`` changed since the bookmark in ``state`` (see the module).

    ``since`` bounds the first run only: once ``state`` holds a bookmark, the bookmark wins.
    ``filters`` go to the collection's list method (``{"user": "ALL"}`` for every owner's
    reports, ``{"list_id": ...}`` for list items); a state file remembers them and refuses
    others. Without ``state`` nothing is kept between runs.
    """
    source = COLLECTIONS.get(collection)
    if source is None:
        reason = UNAVAILABLE.get(collection)
        if reason:
            raise ConfigurationError(f"cannot export {collection}: {reason}")
        raise ConfigurationError(
            f"cannot export {collection!r}: choose one of {', '.join(sorted(COLLECTIONS))}"
        )
    if overlap < dt.timedelta(0):
        raise ConfigurationError("overlap must not be negative")
    if commit_interval < 0:
        raise ConfigurationError("commit_interval must not be negative")
    return ChangeExport(
        client, collection, source, since=since, path=None if state is None else Path(state),
        filters=dict(filters or {}), overlap=overlap, commit_interval=commit_interval,
        on_commit=on_commit, page_size=page_size,
    )


class ChangeExport:
    """An async iterator of ``Change``; use it in ``async with`` so a clean exit commits."""

    def __init__(
        self,
        client: ConcurClient,
        collection: str,
        source: Collection,
        *,
        since: dt.datetime | dt.date | None,
        path: Path | None,
        filters: dict[str, Any],
        overlap: dt.timedelta,
        commit_interval: float,
        on_commit: Callable[[], Any] | None,
        page_size: int | None,
    ) -> None:
        self.collection = collection
        self.source = source
        self.path = path
        self._client = client
        self._filters = filters
        self._overlap = overlap
        self._interval = commit_interval
        self._on_commit = on_commit
        self._page_size = page_size
        self._state = self._load(since)
        #: Records delivered and taken by this run, and those skipped as already delivered.
        self.delivered = 0
        self.skipped = 0
        self._outstanding: Change | None = None
        self._uncommitted = 0
        self._committed_at = time.monotonic()
        self._seen: dict[str, tuple[str, str]] = {}
        self._records: AsyncGenerator[Any, None] | None = None
        self._done = False

    def __repr__(self) -> str:
        return (f"ChangeExport({self.collection!r}, window={self._state.window!r}, "
                f"delivered={self.delivered}, skipped={self.skipped})")

    @property
    def sink(self) -> Any:
        """What ``on_commit`` returned at the last commit (of this run or an earlier one)."""
        return self._state.sink

    @property
    def window(self) -> str | None:
        """The lower modification-date bound this run reads from (None: everything)."""
        return self._state.window

    @property
    def passes(self) -> int:
        """How many runs read their window to the end, this one included once it has."""
        return self._state.passes

    # -- the state file --------------------------------------------------------------------

    def _load(self, since: dt.datetime | dt.date | None) -> _State:
        filters = msgspec.to_builtins(self._filters)
        fresh = _State(collection=self.collection, filters=filters, window=_bound(since))
        if self.path is None:
            return fresh
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return fresh
        try:
            state = msgspec.json.decode(raw, type=_State)
        except msgspec.DecodeError:
            raise ConfigurationError(
                f"export state {self.path} is unreadable; move it aside to start over"
            ) from None
        if state.collection != self.collection:
            raise ConfigurationError(
                f"export state {self.path} belongs to {state.collection}, not {self.collection}"
            )
        if state.filters != filters:
            raise ConfigurationError(
                f"export state {self.path} was made with filters {state.filters}, not {filters}"
            )
        if since is not None and state.window != fresh.window:
            log.info("%s holds a bookmark (%s); since=%s is ignored", self.path, state.window,
                     since)
        return state

    async def _save(self) -> None:
        if self._on_commit is not None:
            position = self._on_commit()
            if inspect.isawaitable(position):
                position = await position
            self._state.sink = position
        if self.path is not None:
            write_atomically(self.path, msgspec.json.encode(self._state))
        self._uncommitted = 0
        self._committed_at = time.monotonic()

    # -- iteration -------------------------------------------------------------------------

    async def __aenter__(self) -> ChangeExport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            # A ``break`` leaves the record in hand untaken (it comes again), but the sink
            # ``on_commit`` measures may hold it already: a commit then would save a position
            # past the bookmark, and the record would be written twice. Committing nothing
            # new keeps the two together; the next run redoes what came after the last commit.
            in_hand = self._outstanding is not None and self._on_commit is not None
            if exc_type is None and not self._done and self._uncommitted and not in_hand:
                await self._save()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Stop reading: close the listing (its prefetches too). Commits nothing."""
        records, self._records = self._records, None
        if records is not None:
            await records.aclose()

    async def commit(self) -> None:
        """Commit every record yielded so far, the one in hand included, and ``on_commit``'s
        position: the next run will not deliver them again."""
        self._take()
        await self._save()

    def __aiter__(self) -> ChangeExport:
        return self

    async def __anext__(self) -> Change:
        if self._done:
            raise StopAsyncIteration
        self._take()  # the consumer asks for the next record: it is done with the last one
        if self._uncommitted and time.monotonic() - self._committed_at >= self._interval:
            await self._save()
        if self._records is None:
            self._records = self._listing()
        while True:
            try:
                record = await self._records.__anext__()
            except StopAsyncIteration:
                await self._finish()
                raise
            change = self._change_of(record)
            if change is not None:
                self._outstanding = change
                return change
            self.skipped += 1

    async def _listing(self) -> AsyncGenerator[Any, None]:
        options = dict(self._filters)
        if self.source.after is not None and self._state.window is not None:
            options[self.source.after] = dt.datetime.fromisoformat(self._state.window)
        paginator = self.source.list(self._client)(**options, page_size=self._page_size)
        async with paginator:
            async for record in paginator:
                yield record

    def _change_of(self, record: Any) -> Change | None:
        record_id = getattr(record, self.source.id, None)
        digest = hashlib.blake2b(msgspec.json.encode(record), digest_size=12).hexdigest()
        modified = _stamp(getattr(record, self.source.modified, None)
                          if self.source.modified else None)
        if record_id is None:
            # Nothing to remember it by: delivered each time it is listed.
            return Change("", modified or None, record, digest)
        record_id = str(record_id)
        if self.source.after is None:
            self._seen[record_id] = (digest, modified)
        known = self._state.known.get(record_id)
        if known is not None and known[0] == digest:
            return None
        return Change(record_id, modified or None, record, digest)

    def _take(self) -> None:
        change, self._outstanding = self._outstanding, None
        if change is None:
            return
        if change.id:
            self._state.known[change.id] = (change.digest, change.modified or "")
        self.delivered += 1
        self._uncommitted += 1

    async def _finish(self) -> None:
        """The window was read to the end: move the bookmark, forget what it leaves behind."""
        self._take()
        state = self._state
        if self.source.after is None:
            state.known = self._seen  # read whole: the next run compares with this one
        else:
            newest = max((m for _, m in state.known.values() if m), default=None)
            moved = _next_window(newest, self._overlap) if newest else None
            if moved is not None and (state.window is None or moved > state.window):
                state.window = moved
            if state.window is not None:
                # Keep whatever the next listing can return: all it lists is dated on or
                # after the bound's day, however Concur reads the bound.
                day = state.window[:10]
                state.known = {k: v for k, v in state.known.items() if v[1][:10] >= day}
        state.passes += 1
        self._done = True
        await self._save()
        await self.aclose()


def _stamp(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _bound(since: dt.datetime | dt.date | None) -> str | None:
    if since is None:
        return None
    if not isinstance(since, dt.datetime):
        since = dt.datetime.combine(since, dt.time())
    return since.isoformat()


def _next_window(newest: str, overlap: dt.timedelta) -> str | None:
    """Midnight of the day ``overlap`` before ``newest`` (or now, if that is earlier), less one
    day; None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(newest)
    except ValueError:
        try:
            moment = dt.datetime.combine(dt.date.fromisoformat(newest[:10]), dt.time())
        except ValueError:
            log.warning("cannot read the modification date %r; the bookmark stays", newest)
            return None
    # Never past this moment: a record dated in the future (a wrong clock, a hand-edited
    # date) would otherwise move the bookmark beyond every change still to come. Earlier is
    # always safe: overlapping windows deliver nothing twice.
    now = dt.datetime.now(dt.UTC)
    moment = min(moment, now if moment.tzinfo else now.replace(tzinfo=None))
    day = (moment - overlap).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time()).isoformat()
