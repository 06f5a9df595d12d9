"""Base structs: the one naming rule for Concur's wire names.

Concur spells v3 fields in PascalCase (``VendorCode``) and v4 fields in camelCase
(``budgetItemHeaders``). A struct inherits the rule from its base; the few irregular
names (``ID``, ``URI``, ``IsLineItemVatIncld``) are spelled with ``msgspec.field(name=...)``.
"""

from __future__ import annotations

import msgspec

__all__ = ["V3Struct", "V4Struct", "Struct"]


class Struct(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """Base for every Concur payload: keyword-only, defaults left off the wire.

    ``gc=False``: payloads are trees decoded from the wire and never form reference cycles, so
    the collector need not track the millions of them a sync decodes (a quarter faster).
    """


class V3Struct(Struct, rename="pascal", kw_only=True, omit_defaults=True):
    """A v3.x payload: wire names in PascalCase."""


class V4Struct(Struct, rename="camel", kw_only=True, omit_defaults=True):
    """A v4 payload: wire names in camelCase."""
