"""``sync_vendors``: make Concur's vendors match a desired list, sending only what changed.

Memory holds a key index and never the desired records themselves. Two reads start at once:

- ``desired`` is read once: each record is checked, indexed as ``key -> digest`` (plus the set
  of fields it gives) and, while its fate is not yet known, spooled to a temporary file;
- Concur's vendors are listed (``vendors.list(page_size=1000)``, a NextPage chain).

They meet by key, whichever comes first (a current vendor whose key has not been read yet is
held, up to ``HOLD`` of them): a vendor whose fields, taken over the fields its desired record
gives, hash the same is unchanged; one that differs is an update; one nobody desires is a
delete (when asked); a desired key absent from the complete listing is a create.

No write goes out while the listing is under way. Absence is only certain once the last page
is read, and the listing pages by offset through a list Concur keeps sorted (by name): a
write would shift it under the reader (a rename moves a vendor, a create or delete moves all
after it), so a vendor could be skipped: sent as a create Concur refuses, or never
deleted. Once the listing is complete, the spooled records are sent, and every desired record
read after that is sent as soon as it is read: the writes overlap the rest of the reading.
Creates and updates go in batches, ``concurrency`` batches at a time; the deletes (one call
each: the API has no batch delete) go once both reads are complete.

Only the fields a desired record gives are compared: Concur's update merges fields into the
stored vendor, so a field left out is neither compared nor changed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable, Iterable
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import msgspec

from .._errors import ValidationError
from .._retry import RetryPolicy
from ..invoice.vendor_models import Vendor
from ._checkpoint import Checkpoint
from ._engine import ProgressCallback, Tally, Workers, sync_policy
from ._report import Action, FailedRecord, SyncReport
from ._source import as_struct, records
from ._vendor_fields import fields_of, own_digest, raw_key, vendor_key, writable
from ._vendor_plan import HOLD, SENT, Plan
from ._vendor_writes import Item, VendorWriter

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["DEFAULT_BATCH_SIZE", "sync_vendors", "vendor_key"]

#: Vendors per create/update call. Concur documents no maximum; 100 keeps each request small
#: enough that a refused or retried batch costs little.
DEFAULT_BATCH_SIZE = 100
PAGE_SIZE = 1000  # the documented maximum of vendors.list
#: Desired records read between turns given to the listing while it is under way.
_TURN = 100


async def sync_vendors(
    client: ConcurClient,
    desired: Iterable[Vendor | dict[str, Any]] | AsyncIterable[Vendor | dict[str, Any]],
    *,
    delete_missing: bool = False,
    dry_run: bool = False,
    concurrency: int = 8,
    batch_size: int = DEFAULT_BATCH_SIZE,
    checkpoint: str | os.PathLike[str] | None = None,
    on_progress: ProgressCallback | None = None,
    retry_rounds: int = 3,
    retry_backoff: float = 1.0,
) -> SyncReport:
    """Make Concur's vendors match ``desired`` (``Vendor`` structs or dicts by wire name),
    keyed by VendorCode + AddressCode; sends only creates, updates (and deletes if asked)."""
    if batch_size < 1:
        raise ValidationError("batch_size must be at least 1")
    if concurrency < 1:
        raise ValidationError("concurrency must be at least 1")
    tally = Tally(client, dry_run=dry_run, on_progress=on_progress,
                  checkpoint=Checkpoint(checkpoint, kind="vendors"))
    finished = False
    try:
        with ExitStack() as stack:
            spool = None if dry_run else stack.enter_context(tempfile.TemporaryFile())
            sync = _VendorSync(client, tally, sync_policy(client, retry_rounds, retry_backoff),
                               spool=spool, batch_size=batch_size,
                               delete_missing=delete_missing)
            # Batches made ahead while the running ones wait on Concur: a freed slot is
            # taken at once, not after the next batch's records are read and checked.
            async with Workers(concurrency, ahead=concurrency) as workers:
                await sync.run(desired, workers)
        finished = True
    finally:
        report = tally.close(finished=finished)
    return report


class _VendorSync:
    def __init__(
        self,
        client: ConcurClient,
        tally: Tally,
        retry: RetryPolicy,
        *,
        spool: IO[bytes] | None,
        batch_size: int,
        delete_missing: bool,
    ) -> None:
        self.client = client
        self.tally = tally
        self.plan = Plan()
        self.writer = VendorWriter(client, tally, retry)
        self.spool = spool  # None in a dry run: nothing is ever sent
        self.batch_size = batch_size
        self.delete_missing = delete_missing
        self.batches: dict[Action, list[Item]] = {"create": [], "update": []}
        self.deletes: list[tuple[str, str]] = []
        #: Every current vendor has been seen: a desired key not among them is absent.
        self.listed = False
        #: Every desired record has been read: a current vendor not among them is undesired.
        self.read = False
        self._room = anyio.Event()  # set when the listing may go on holding vendors
        self._writing = False

    async def run(self, desired: Iterable[Any] | AsyncIterable[Any], workers: Workers) -> None:
        listing_done = anyio.Event()
        workers.start(self.read_current, workers, listing_done)
        await self.read_desired(desired, workers)
        await listing_done.wait()
        self.tally.progress("reading", total=self.tally.done["reading"])
        self.settle_refused()
        if self.spool is None:
            self.report_plan()
            return
        self._writing = True  # (if nothing was sent yet, this says the writes begin)
        self.tally.progress("writing", total=self.plan.writes + len(self.deletes))
        for action, batch in self.batches.items():
            if batch:
                self.batches[action] = []
                await self._submit(workers, action, batch)
        for code, address in self.deletes:
            await workers.submit(self.writer.delete, code, address)

    # -- the two reads ------------------------------------------------------------------

    async def read_desired(
        self, desired: Iterable[Any] | AsyncIterable[Any], workers: Workers
    ) -> None:
        plan, tally, spool = self.plan, self.tally, self.spool
        checkpoint = tally.checkpoint
        encoder = msgspec.json.Encoder()
        read = 0
        async for item in records(desired):
            read += 1
            if read % _TURN == 0:
                if read % PAGE_SIZE == 0:
                    tally.progress("reading", advance=PAGE_SIZE)
                if not self.listed:  # a listing page that came in is read at once
                    await anyio.lowlevel.checkpoint()
            key = raw_key(item)
            try:
                vendor = as_struct(item, Vendor)
                if not vendor.vendor_code or not vendor.address_code:
                    raise ValidationError("VendorCode and AddressCode are required")
            except ValidationError as exc:
                plan.refuse(key, exc.message)
                self._meet(key)
                continue
            if key in plan.index:
                plan.refuse(key, "The key appears more than once in the desired vendors; "
                                 "only its first record was synced.")
                continue
            confirmed = checkpoint.digest_of(key)
            if spool is not None and self.listed and confirmed is None \
                    and key not in plan.held:
                # Absent from the complete listing: created now. Its digest is only needed
                # for a checkpoint to confirm.
                plan.send(key)
                sent = writable(vendor)
                value = None if checkpoint.path is None else own_digest(fields_of(sent))[1]
                await self._send(workers, "create", (key, value, sent))
                continue
            value = plan.add(key, vendor)
            if confirmed == value:
                plan.settle(key)
                tally.report.resumed += 1
                self._meet(key)
                continue
            if self._meet(key) or spool is None:
                continue
            if self.listed:  # its current state is known: sent now
                plan.index[key] = SENT
                await self._send(workers, plan.action(key), (key, value, writable(vendor)))
            else:
                spool.write(encoder.encode(writable(vendor)))
                spool.write(b"\n")
        self.read = True
        if self.delete_missing:  # held by the listing, and no desired record gave them
            self.deletes.extend((v.vendor_code or "", v.address_code or "")
                                for v in self.plan.held.values())
        self.plan.held.clear()
        self._room.set()
        tally.progress("reading", advance=read % PAGE_SIZE)

    def _meet(self, key: str) -> bool:
        """Compare a desired key just read with the current vendor held for it, if any;
        True when the key is settled (needs no write)."""
        plan = self.plan
        current = plan.held.pop(key, None)
        if current is not None:
            if plan.compare(key, current) == "unchanged":
                self.tally.report.unchanged += 1
            if len(plan.held) < HOLD:
                self._room.set()
        return plan.digest_of(key) is None

    async def read_current(self, workers: Workers, done: anyio.Event) -> None:
        plan, report = self.plan, self.tally.report
        # Inside the block a stop (an error, a cancelled sync) closes the stream and its
        # prefetches at once.
        async with self.client.invoice.vendors.list(page_size=PAGE_SIZE) as listing:
            async for page in listing.pages():
                for vendor in page.items:
                    key = vendor_key(vendor.vendor_code, vendor.address_code)
                    found = plan.compare(key, vendor)
                    if found == "unchanged":
                        report.unchanged += 1
                    elif found != "absent":
                        continue
                    elif not self.read:  # its desired record may be still to come
                        plan.held[key] = vendor
                    elif self.delete_missing:
                        self.deletes.append((vendor.vendor_code or "",
                                             vendor.address_code or ""))
                self.tally.progress("reading", advance=len(page.items))
                while len(plan.held) >= HOLD and not self.read:
                    self._room = anyio.Event()
                    await self._room.wait()
        self.listed = True
        await self._replay(workers)
        done.set()

    def settle_refused(self) -> None:
        for key, message in self.plan.refused:
            self.tally.fail(FailedRecord(key, self.plan.refused_action(key), message=message))

    def report_plan(self) -> None:
        plan, tally = self.plan, self.tally
        for key, packed in plan.index.items():
            if packed >= 0:
                tally.count(plan.action(key), key, None)
        for code, address in self.deletes:
            tally.count("delete", vendor_key(code, address), None)

    # -- the writes ---------------------------------------------------------------------

    async def _replay(self, workers: Workers) -> None:
        """Send the records spooled while the listing was under way (none are added now)."""
        spool = self.spool
        if spool is None or not spool.tell():
            return
        spool.seek(0)
        plan = self.plan
        decoder = msgspec.json.Decoder(Vendor)
        for line in spool:
            vendor = decoder.decode(line)
            key = vendor_key(vendor.vendor_code, vendor.address_code)
            value = plan.digest_of(key)
            if value is not None:
                plan.index[key] = SENT
                await self._send(workers, plan.action(key), (key, value, vendor))

    async def _send(self, workers: Workers, action: Action, item: Item) -> None:
        batch = self.batches[action]
        batch.append(item)
        if len(batch) >= self.batch_size:
            self.batches[action] = []
            await self._submit(workers, action, batch)

    async def _submit(self, workers: Workers, action: Action, batch: list[Item]) -> None:
        if not self._writing:  # the first write: say so before it goes out
            self._writing = True
            self.tally.progress("writing")
        await workers.submit(self.writer.send, action, batch)
