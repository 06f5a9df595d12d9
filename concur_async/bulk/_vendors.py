"""``sync_vendors``: make Concur's vendors match a desired list, sending only what changed.

Three passes, so memory holds a key index and never the records themselves:

1. read ``desired`` once, spooling each record to a temporary file and keeping only
   ``key -> digest`` (plus the set of fields the record gives);
2. stream Concur's vendors (``vendors.list(page_size=1000)``): a vendor whose fields, taken
   over the fields its desired record gives, hash the same is unchanged; one that differs is
   an update; one nobody desires is a delete (when asked); desired keys never seen are creates;
3. read the spool again and send the creates and updates in batches, ``concurrency`` batches
   at a time, then the deletes (one call each: the API has no batch delete).

Only the fields a desired record gives are compared: Concur's update merges fields into the
stored vendor, so a field left out is neither compared nor changed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterable, Iterable
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, Any

import msgspec

from .._errors import ValidationError
from .._retry import RetryPolicy
from ..invoice.vendor_models import Vendor
from ._checkpoint import Checkpoint
from ._engine import ProgressCallback, Tally, Workers, sync_policy
from ._report import Action, FailedRecord, SyncReport
from ._source import as_struct, records
from ._vendor_fields import field_digest, fields_of, raw_key, vendor_key, writable
from ._vendor_writes import Item, VendorWriter

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["DEFAULT_BATCH_SIZE", "sync_vendors", "vendor_key"]

#: Vendors per create/update call. Concur documents no maximum; 100 keeps each request small
#: enough that a refused or retried batch costs little.
DEFAULT_BATCH_SIZE = 100
PAGE_SIZE = 1000  # the documented maximum of vendors.list
_FIELDSET_BITS = 20
#: Index mark for a desired key that is settled without a write (already right, refused
#: before sending, repeated, or confirmed by the checkpoint): never sent, never deleted.
_SETTLED = -1


class _Plan:
    """The key index and what the comparison decided for each key."""

    def __init__(self) -> None:
        #: key -> (digest << _FIELDSET_BITS) | fieldset id, or _SETTLED
        self.index: dict[str, int] = {}
        self.fieldsets: list[tuple[str, ...]] = []
        self._fieldset_ids: dict[tuple[str, ...], int] = {}
        self.updates: set[str] = set()
        self.deletes: list[tuple[str, str]] = []
        #: Records refused before sending; their action depends on whether Concur has them.
        self.refused: list[tuple[str, str]] = []
        self.refused_keys: set[str] = set()
        self.refused_on_server: set[str] = set()
        self.writes = 0

    def add(self, key: str, vendor: Vendor) -> str:
        """Index a desired vendor; returns its digest."""
        fields = fields_of(vendor)
        names = tuple(fields)
        fid = self._fieldset_ids.get(names)
        if fid is None:
            if len(self.fieldsets) >= 1 << _FIELDSET_BITS:
                raise ValidationError("too many different sets of fields among desired vendors")
            fid = self._fieldset_ids[names] = len(self.fieldsets)
            self.fieldsets.append(names)
        value = field_digest(fields, names)
        self.index[key] = (int(value, 16) << _FIELDSET_BITS) | fid
        self.writes += 1
        return value

    def settle(self, key: str) -> None:
        """The key needs no write (already right, or confirmed by the checkpoint)."""
        if self.index.get(key, _SETTLED) != _SETTLED:
            self.writes -= 1
        self.index[key] = _SETTLED

    def refuse(self, key: str, message: str) -> None:
        self.index.setdefault(key, _SETTLED)  # a refused key is still desired: never deleted
        self.refused.append((key, message))
        self.refused_keys.add(key)

    def compare(self, key: str, current: Vendor) -> str:
        """``"absent"`` (nobody desires it), ``"unchanged"``, ``"changed"`` or ``"settled"``."""
        packed = self.index.get(key)
        if packed is None:
            return "absent"
        if packed == _SETTLED:
            if key in self.refused_keys:
                self.refused_on_server.add(key)
            return "settled"
        names = self.fieldsets[packed & ((1 << _FIELDSET_BITS) - 1)]
        if int(field_digest(fields_of(current), names), 16) == packed >> _FIELDSET_BITS:
            self.settle(key)
            return "unchanged"
        self.updates.add(key)
        return "changed"

    def digest_of(self, key: str) -> str | None:
        """The desired digest of a key still to be written, or None."""
        packed = self.index.get(key, _SETTLED)
        return None if packed == _SETTLED else f"{packed >> _FIELDSET_BITS:016x}"


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
    sync = _VendorSync(client, tally, sync_policy(client, retry_rounds, retry_backoff))
    finished = False
    try:
        with ExitStack() as stack:
            spool = None if dry_run else stack.enter_context(tempfile.TemporaryFile())
            await sync.read_desired(desired, spool)
            await sync.read_current(delete_missing=delete_missing)
            sync.settle_refused()
            if spool is None:
                sync.report_plan()
            else:
                await sync.write(spool, batch_size=batch_size, concurrency=concurrency)
        finished = True
    finally:
        report = tally.close(finished=finished)
    return report


class _VendorSync:
    def __init__(self, client: ConcurClient, tally: Tally, retry: RetryPolicy) -> None:
        self.client = client
        self.tally = tally
        self.plan = _Plan()
        self.writer = VendorWriter(client, tally, retry)

    # -- passes 1 and 2: read and compare -------------------------------------------------

    async def read_desired(
        self, desired: Iterable[Any] | AsyncIterable[Any], spool: IO[bytes] | None
    ) -> None:
        plan, tally = self.plan, self.tally
        checkpoint = tally.checkpoint
        encoder = msgspec.json.Encoder()
        read = 0
        async for item in records(desired):
            read += 1
            if read % PAGE_SIZE == 0:
                tally.progress("reading", advance=PAGE_SIZE)
            key = raw_key(item)
            try:
                vendor = as_struct(item, Vendor)
                if not vendor.vendor_code or not vendor.address_code:
                    raise ValidationError("VendorCode and AddressCode are required")
            except ValidationError as exc:
                plan.refuse(key, exc.message)
                continue
            if key in plan.index:
                plan.refuse(key, "The key appears more than once in the desired vendors; "
                                 "only its first record was synced.")
                continue
            value = plan.add(key, vendor)
            if checkpoint.digest_of(key) == value:
                plan.settle(key)
                tally.report.resumed += 1
                continue
            if spool is not None:
                spool.write(encoder.encode(writable(vendor)))
                spool.write(b"\n")
        tally.progress("reading", advance=read % PAGE_SIZE)

    async def read_current(self, *, delete_missing: bool) -> None:
        plan, report = self.plan, self.tally.report
        async for page in self.client.invoice.vendors.list(page_size=PAGE_SIZE).pages():
            for vendor in page.items:
                key = vendor_key(vendor.vendor_code, vendor.address_code)
                found = plan.compare(key, vendor)
                if found == "unchanged":
                    report.unchanged += 1
                elif found == "absent" and delete_missing:
                    plan.deletes.append((vendor.vendor_code or "", vendor.address_code or ""))
            self.tally.progress("reading", advance=len(page.items))

    def settle_refused(self) -> None:
        for key, message in self.plan.refused:
            action: Action = "update" if key in self.plan.refused_on_server else "create"
            self.tally.fail(FailedRecord(key, action, message=message))

    def report_plan(self) -> None:
        plan, tally = self.plan, self.tally
        for key, packed in plan.index.items():
            if packed != _SETTLED:
                tally.count("update" if key in plan.updates else "create", key, None)
        for code, address in plan.deletes:
            tally.count("delete", vendor_key(code, address), None)

    # -- pass 3: write ------------------------------------------------------------------

    async def write(self, spool: IO[bytes], *, batch_size: int, concurrency: int) -> None:
        plan = self.plan
        total = plan.writes + len(plan.deletes)
        self.tally.progress("writing", total=total)
        if not total:
            return
        spool.seek(0)
        decoder = msgspec.json.Decoder(Vendor)
        batches: dict[Action, list[Item]] = {"create": [], "update": []}
        async with Workers(concurrency) as workers:
            if plan.writes:
                for line in spool:
                    vendor = decoder.decode(line)
                    key = vendor_key(vendor.vendor_code, vendor.address_code)
                    value = plan.digest_of(key)
                    if value is None:
                        continue
                    action: Action = "update" if key in plan.updates else "create"
                    batch = batches[action]
                    batch.append((key, value, vendor))
                    if len(batch) >= batch_size:
                        await workers.submit(self.writer.send, action, batch)
                        batches[action] = []
                for action, batch in batches.items():
                    if batch:
                        await workers.submit(self.writer.send, action, batch)
            for code, address in plan.deletes:
                await workers.submit(self.writer.delete, code, address)
