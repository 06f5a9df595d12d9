"""The write pass of ``sync_vendors``: batches, deletes, retries, and per-item outcomes.

Concur answers a batch with HTTP 200 whatever happened to each vendor; each comes back with a
``StatusList`` saying whether it was written. Only a vendor whose status says so is counted
done; the others are failures with Concur's code and message.

A batch whose answer was lost (connection cut, unreadable answer, 5xx) may have been applied.
Writes are therefore sent so that the client never replays them on its own, and before the
sync sends such a batch again it looks each vendor up: those Concur already holds as desired
were written by the lost round and count as done; only the rest are sent again. So a write
lands once even when its answer does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import ConcurError, NotFoundError
from .._retry import RetryPolicy
from ..invoice.vendor_models import Status, Vendor, VendorCollection
from ._checkpoint import DELETED
from ._engine import (
    FATAL,
    Tally,
    Workers,
    another_round,
    failure_from_error,
    outcome_unknown,
)
from ._report import Action, FailedRecord
from ._vendor_fields import field_digest, fields_of, own_digest, vendor_key

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Item", "VendorWriter"]

_LOOKUPS = 8  # vendor lookups in flight while a batch is reconciled
_ERROR_TYPES = frozenset({"ERROR", "FAILURE", "FAILED", "FAIL"})
#: key, desired digest (None when no checkpoint is kept: only a checkpoint needs it), vendor
Item = tuple[str, str | None, Vendor]


class VendorWriter:
    """Sends vendor batches and deletes, and settles each vendor in the tally."""

    def __init__(self, client: ConcurClient, tally: Tally, retry: RetryPolicy) -> None:
        self.client = client
        self.tally = tally
        self.retry = retry
        # Never replayed by the client itself: a lost answer is settled by looking first.
        self.vendors = client.invoice.vendors.with_options(idempotent=False)

    async def send(self, action: Action, items: list[Item]) -> None:
        """One batch: sent, retried while the failure is transient, settled item by item."""
        pending = items
        error: ConcurError | None = None
        in_doubt = False  # a write of ``pending`` may have landed although its answer did not
        write = self.vendors.create if action == "create" else self.vendors.update
        for round_number in range(self.retry.max_attempts):
            try:
                if in_doubt:
                    pending, unknown = await self._unwritten(action, pending)
                    if unknown is not None:
                        raise unknown
                    in_doubt = False
                    if not pending:
                        error = None
                        break
                answer = await write([vendor for _, _, vendor in pending])
            except FATAL:
                raise
            except ConcurError as exc:
                error = exc
                in_doubt = in_doubt or outcome_unknown(exc)
                if await another_round(self.retry, exc, round_number):
                    continue
                if not self.retry.retryable(exc):  # the whole batch refused: a final answer
                    error = None
                    for key, _, _ in pending:
                        self.tally.fail(failure_from_error(key, action, exc,
                                                           retried=round_number > 0))
                break
            self._settle(action, pending, answer, retried=round_number > 0)
            error = None
            break
        if error is not None and in_doubt:
            # The rounds are spent, but the last write may have landed with its answer lost:
            # one more look settles what did, so a vendor written is never reported failed.
            pending, _ = await self._unwritten(action, pending)
        if error is not None:
            for key, _, _ in pending:
                self.tally.fail(failure_from_error(key, action, error,
                                                   retried=self.retry.max_attempts > 1))
        self.tally.progress("writing", advance=len(items))

    def _settle(
        self, action: Action, items: list[Item], answer: VendorCollection, *, retried: bool
    ) -> None:
        for (key, value, _), statuses in zip(items, _statuses(answer, items), strict=True):
            problem = _problem(statuses)
            if problem is None:
                self.tally.count(action, key, value)
            else:
                self.tally.fail(_failure(key, action, problem, retried=retried))

    async def _unwritten(
        self, action: Action, items: list[Item]
    ) -> tuple[list[Item], ConcurError | None]:
        """The items Concur does not yet hold as desired; the others were written by a round
        whose answer was lost, and are counted done. Looked up ``_LOOKUPS`` at a time.

        With them, the error of a lookup whose answer is unknown (None if none): its vendor is
        neither written nor known unwritten, so nothing is sent on a guess."""
        written: set[str] = set()
        unknown: list[ConcurError] = []

        async def look_up(key: str, vendor: Vendor) -> None:
            try:
                if await self._holds(vendor):
                    written.add(key)
            except FATAL:
                raise
            except ConcurError as exc:
                unknown.append(exc)

        async with Workers(_LOOKUPS) as workers:
            for key, _, vendor in items:
                await workers.submit(look_up, key, vendor)
        for key, value, _ in items:
            if key in written:
                self.tally.count(action, key, value)
        return [item for item in items if item[0] not in written], next(iter(unknown), None)

    async def _holds(self, vendor: Vendor) -> bool:
        """Whether Concur holds ``vendor`` as desired. Raises when that cannot be known."""
        names, value = own_digest(fields_of(vendor))
        found = self.client.invoice.vendors.list(
            vendor_code=vendor.vendor_code, address_code=vendor.address_code,
            search_type="exact", page_size=10,
        )
        try:
            async for current in found:
                if (current.vendor_code, current.address_code) == (
                    vendor.vendor_code, vendor.address_code
                ):
                    return field_digest(fields_of(current), names) == value
        except NotFoundError:
            pass  # an empty search, answered as 404: not there
        return False

    async def delete(self, code: str, address: str) -> None:
        key = vendor_key(code, address)
        error: ConcurError | None = None
        for round_number in range(self.retry.max_attempts):
            error = None
            try:
                answer = await self.client.invoice.vendors.delete(
                    vendor_code=code, address_code=address
                )
            except FATAL:
                raise
            except NotFoundError:
                # Gone already: removed by an earlier round whose answer was lost, or by
                # someone else. Either way Concur now holds what was asked.
                self.tally.count("delete", key, DELETED)
                break
            except ConcurError as exc:
                if await another_round(self.retry, exc, round_number):
                    error = exc
                    continue
                if self.retry.retryable(exc):
                    error = exc
                else:
                    self.tally.fail(failure_from_error(key, "delete", exc,
                                                       retried=round_number > 0))
                break
            # A 200 without a status is taken as done: the HTTP answer already says so.
            statuses = [s for v in answer.vendor or [] for s in v.status_list or []]
            problem = _problem(statuses) if statuses else None
            if problem is None:
                self.tally.count("delete", key, DELETED)
            else:
                self.tally.fail(_failure(key, "delete", problem, retried=round_number > 0))
            break
        if error is not None:
            self.tally.fail(failure_from_error(key, "delete", error,
                                               retried=self.retry.max_attempts > 1))
        self.tally.progress("writing", advance=1)


_NO_STATUS = Status(message="Concur returned no status for this vendor; it is not counted "
                            "as written.")


def _statuses(answer: VendorCollection, items: list[Item]) -> list[list[Status] | None]:
    """Each sent item's ``StatusList``, found by its key, else by its record number."""
    by_key: dict[str, list[Status]] = {}
    by_number: dict[int, list[Status]] = {}
    for returned in answer.vendor or answer.items or []:
        statuses = returned.status_list or []
        if returned.vendor_code and returned.address_code:
            by_key[vendor_key(returned.vendor_code, returned.address_code)] = statuses
        for status in statuses:
            if status.record_number is not None:
                by_number[status.record_number] = statuses
    return [by_key.get(key) or by_number.get(number)
            for number, (key, _, _) in enumerate(items, 1)]


def _problem(statuses: list[Status] | None) -> Status | None:
    """The status that says an item failed; a missing status is a failure too (the schema
    requires one), so an item is only counted done when Concur says it is."""
    if not statuses:
        return _NO_STATUS
    for status in statuses:
        kind = (status.type or "").upper()
        if kind in _ERROR_TYPES or (not kind and status.code not in (None, 0)):
            return status
    return None


def _failure(key: str, action: Action, status: Status, *, retried: bool) -> FailedRecord:
    code = None if status.code is None else str(status.code)
    # Concur publishes no table of vendor status codes: the message is the meaning it gives.
    return FailedRecord(key, action, code=code, meaning=status.message,
                        message=status.message, retried=retried)
