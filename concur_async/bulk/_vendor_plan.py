"""The key index of ``sync_vendors``: what each desired key needs, decided as the desired
records and Concur's vendors come in, in whichever order they meet.

Memory holds the index (one int per desired key) and never the desired records; a current
vendor is held only while its key may still come up among the desired records, and at most
``HOLD`` of them at once.
"""

from __future__ import annotations

from typing import Literal

from .._errors import ValidationError
from ..invoice.vendor_models import Vendor
from ._report import Action
from ._vendor_fields import field_digest, fields_of, own_digest

__all__ = ["HOLD", "SENT", "SETTLED", "Found", "Plan"]

_FIELDSET_BITS = 20
#: Current vendors held at most while their key may still be among the desired records.
HOLD = 10_000
#: Index marks (a key to write maps to its packed digest, never negative). SETTLED: needs no
#: write (already right, refused before sending, repeated, or confirmed by the checkpoint).
SETTLED = -1
#: Settled, and Concur holds the key: a refused record of that key is reported an update.
_ON_SERVER = -2
#: Handed to the writer as soon as its current state was known (never spooled, never resent).
SENT = -3

Found = Literal["absent", "unchanged", "changed", "settled"]


class Plan:
    """The key index and what the comparison decided for each key."""

    def __init__(self) -> None:
        #: key -> (digest << _FIELDSET_BITS) | fieldset id, or a mark
        self.index: dict[str, int] = {}
        self.fieldsets: list[tuple[str, ...]] = []
        self._fieldset_ids: dict[tuple[str, ...], int] = {}
        self.updates: set[str] = set()
        #: Current vendors whose key no desired record has given yet (see ``HOLD``).
        self.held: dict[str, Vendor] = {}
        #: Records refused before sending; their action depends on whether Concur has them.
        self.refused: list[tuple[str, str]] = []
        #: Desired records that need a write (created or updated).
        self.writes = 0

    def add(self, key: str, vendor: Vendor) -> str:
        """Index a desired vendor; returns its digest."""
        names, value = own_digest(fields_of(vendor))
        fid = self._fieldset_ids.get(names)
        if fid is None:
            if len(self.fieldsets) >= 1 << _FIELDSET_BITS:
                raise ValidationError("too many different sets of fields among desired vendors")
            fid = self._fieldset_ids[names] = len(self.fieldsets)
            self.fieldsets.append(names)
        self.index[key] = (int(value, 16) << _FIELDSET_BITS) | fid
        self.writes += 1
        return value

    def send(self, key: str) -> None:
        """A desired key absent from the complete listing, created as soon as it was read:
        nothing compares it, so it is indexed without a digest (a repeat is still found)."""
        self.index[key] = SENT
        self.writes += 1

    def settle(self, key: str) -> None:
        """The key needs no write (already right, or confirmed by the checkpoint)."""
        if self.index.get(key, SETTLED) >= 0:
            self.writes -= 1
        self.index[key] = SETTLED

    def refuse(self, key: str, message: str) -> None:
        self.index.setdefault(key, SETTLED)  # a refused key is still desired: never deleted
        self.refused.append((key, message))

    def refused_action(self, key: str) -> Action:
        """A refused record's action: an update when Concur holds a key whose first desired
        record was refused or already confirmed, else a create."""
        return "update" if self.index.get(key) == _ON_SERVER else "create"

    def compare(self, key: str, current: Vendor) -> Found:
        """What Concur's ``current`` vendor means for ``key``: ``"absent"`` (no desired
        record gave the key, so far), ``"unchanged"``, ``"changed"`` or ``"settled"``."""
        packed = self.index.get(key)
        if packed is None:
            return "absent"
        if packed < 0:
            if packed == SETTLED:
                self.index[key] = _ON_SERVER
            return "settled"
        names = self.fieldsets[packed & ((1 << _FIELDSET_BITS) - 1)]
        if int(field_digest(fields_of(current), names), 16) == packed >> _FIELDSET_BITS:
            self.settle(key)
            return "unchanged"
        self.updates.add(key)
        return "changed"

    def digest_of(self, key: str) -> str | None:
        """The desired digest of a key still to be written, or None."""
        packed = self.index.get(key, SETTLED)
        return None if packed < 0 else f"{packed >> _FIELDSET_BITS:016x}"

    def action(self, key: str) -> Action:
        return "update" if key in self.updates else "create"
