"""Vendor fields as a sync compares them: keys, comparable fields, digests over a subset."""

from __future__ import annotations

import operator
from collections.abc import Mapping
from typing import Any

import msgspec

from ..invoice.vendor_models import Vendor
from ._source import digest

__all__ = ["READ_ONLY", "field_digest", "fields_of", "own_digest", "raw_key", "text",
           "vendor_key", "writable"]

#: Fields Concur owns or that other endpoints manage: never compared, never a reason to write.
READ_ONLY = frozenset({"ID", "URI", "StatusList", "VendorBankList", "VendorGroupList"})
_SERVER_SET = tuple(
    f.name for f in msgspec.structs.fields(Vendor) if f.encode_name in READ_ONLY
)
_server_set = operator.attrgetter(*_SERVER_SET)
_UNSET = (None,) * len(_SERVER_SET)


def vendor_key(vendor_code: str | None, address_code: str | None) -> str:
    """The key a sync reports a vendor under: ``"VendorCode|AddressCode"``."""
    return f"{vendor_code or ''}|{address_code or ''}"


def text(value: Any) -> str | None:
    """A field value as Concur stores it (text), or None when empty."""
    if value is None or value == "":
        return None
    return _given_text(value)


def _given_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fields_of(vendor: Vendor) -> dict[str, str]:
    """The comparable fields the vendor gives a value for, by wire name, as text."""
    given: dict[str, Any] = msgspec.to_builtins(vendor)  # fields left unset are omitted
    # ``text`` of each value; most are already text, spared the call (every desired and
    # current vendor passes here).
    return {name: raw if raw.__class__ is str else _given_text(raw)
            for name, raw in given.items()
            if raw is not None and raw != "" and name not in READ_ONLY}


def field_digest(fields: dict[str, str], names: tuple[str, ...]) -> str:
    """The digest of a vendor's values for ``names`` (the fields one desired record gives)."""
    return digest([names, [fields.get(name) for name in names]])


def own_digest(fields: dict[str, str]) -> tuple[tuple[str, ...], str]:
    """The names of ``fields`` and ``field_digest(fields, names)``, for a desired record."""
    names = tuple(fields)
    return names, digest([names, list(fields.values())])


def writable(vendor: Vendor) -> Vendor:
    """The vendor without the fields Concur owns, which a write must not carry."""
    if _server_set(vendor) != _UNSET:
        return msgspec.structs.replace(vendor, **dict.fromkeys(_SERVER_SET))
    return vendor


def raw_key(item: Any) -> str:
    """The key of a desired item that may not even be a valid vendor, for reporting."""
    if isinstance(item, Vendor):
        return vendor_key(item.vendor_code, item.address_code)
    if isinstance(item, Mapping):
        return vendor_key(text(item.get("VendorCode")), text(item.get("AddressCode")))
    return "|"
