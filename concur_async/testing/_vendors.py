"""Vendors: the lazily generated seed, the store keyed by (VendorCode, AddressCode), validation.

Seeded vendor ``i`` is computed from ``i`` alone: code ``V0000042``, address code ``MAIN``,
name ``Vendor 0000042 <trade>``, so names sort in seed order and a million seeded vendors
take no memory until one is written. Listing order is seed order, then creation order.

Per-vendor results of batch writes carry a ``StatusList`` entry ``{"Code", "Message",
"RecordNumber", "Type"}``; ``Type`` is ``SUCCESS`` or ``ERROR`` and ``Code`` is one of the
``STATUS_*`` constants below (the codes are this double's own: Concur does not publish them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ._codes import COUNTRIES, CURRENCIES
from ._store import Record, Store

__all__ = [
    "SEED_ADDRESS_CODE",
    "STATUS_DUPLICATE",
    "STATUS_INVALID_COUNTRY",
    "STATUS_INVALID_CURRENCY",
    "STATUS_INVALID_VALUE",
    "STATUS_MISSING_FIELD",
    "STATUS_NOT_FOUND",
    "STATUS_OK",
    "VendorKey",
    "VendorStore",
    "normalise",
    "seed_code",
    "seeded_vendor",
    "status",
    "validate",
]

VendorKey = tuple[str, str]

STATUS_OK = 0
STATUS_MISSING_FIELD = 1001
STATUS_INVALID_CURRENCY = 1002
STATUS_INVALID_COUNTRY = 1003
STATUS_DUPLICATE = 1004
STATUS_NOT_FOUND = 1005
STATUS_INVALID_VALUE = 1006

SEED_ADDRESS_CODE = "MAIN"
REQUIRED = ("VendorCode", "AddressCode", "CountryCode", "CurrencyCode")
#: Fields the server owns; values sent for them are ignored.
READ_ONLY = frozenset({"StatusList", "URI", "ID", "VendorBankList", "VendorGroupList"})
PAYMENT_METHODS = frozenset({"ACH", "CARD", "CHECK", "CLIENT", "PAYPVD", "VCHER", "WIRE"})

_PLACES = (
    ("US", "USD", "United States", "WA", "Seattle"),
    ("US", "USD", "United States", "NY", "New York"),
    ("GB", "GBP", "United Kingdom", "", "London"),
    ("DE", "EUR", "Germany", "", "Berlin"),
    ("FR", "EUR", "France", "", "Paris"),
    ("CA", "CAD", "Canada", "ON", "Toronto"),
    ("JP", "JPY", "Japan", "", "Tokyo"),
    ("AU", "AUD", "Australia", "NSW", "Sydney"),
)
_TRADES = (
    "Office Supplies", "Logistics", "Consulting", "Catering", "Printing",
    "Software", "Hardware", "Cleaning", "Travel", "Legal",
)
_METHODS = ("ACH", "CHECK", "WIRE", "CARD")
_SEED_CODE = re.compile(r"V(\d{7,})")


def seed_code(index: int) -> str:
    return f"V{index:07d}"


def seeded_vendor(index: int) -> Record:
    """Seeded vendor ``index``: the same fields every time, for any index."""
    country, currency, country_name, state, city = _PLACES[index % len(_PLACES)]
    trade = _TRADES[(index // len(_PLACES)) % len(_TRADES)]
    code = seed_code(index)
    # Keys in the order of Concur's Vendor v3.1 reference (its schema table): the order the
    # SDK's structs declare, so a decoder here meets the wire as it would meet Concur's.
    return {
        "AccountNumber": f"AC{index:08d}",
        "Address1": f"{index % 9999 + 1} Market Street",
        "AddressCode": SEED_ADDRESS_CODE,
        "Approved": "false" if index % 10 == 9 else "true",
        "City": city,
        "ContactEmail": f"ap{index}@vendor{index % 100}.example",
        "Country": country_name,
        "CountryCode": country,
        "CurrencyCode": currency,
        "Custom1": trade,
        "ID": f"{code}-{SEED_ADDRESS_CODE}",
        "PaymentMethodType": _METHODS[index % len(_METHODS)],
        "PaymentTerms": "30",
        "PostalCode": f"{10000 + index % 90000}",
        "State": state,
        "TaxID": f"{index:09d}",
        "VendorCode": code,
        "VendorName": f"Vendor {index:07d} {trade}",
    }


def _seeded_position(key: VendorKey) -> int | None:
    code, address = key
    match = _SEED_CODE.fullmatch(code)
    if match is None or address != SEED_ADDRESS_CODE:
        return None
    index = int(match.group(1))
    return index if seed_code(index) == code else None


def _key(record: Record) -> VendorKey:
    return (str(record["VendorCode"]), str(record["AddressCode"]))


class VendorStore(Store[VendorKey]):
    """Vendors by (VendorCode, AddressCode), with an index by code for exact lookups."""

    def __init__(self, seeded: int = 0) -> None:
        super().__init__(_key, generate=seeded_vendor, seeded=seeded,
                         seeded_position=_seeded_position)
        self._by_code: dict[str, set[str]] = {}

    def put(self, record: Record) -> bool:
        code, address = _key(record)
        if _seeded_position((code, address)) is None:
            self._by_code.setdefault(code, set()).add(address)
        return super().put(record)

    def clear(self) -> None:
        super().clear()
        self._by_code = {}

    def positions_of_code(self, code: str) -> list[int]:
        """Every position that may hold a vendor with this code (any address)."""
        found = [p for a in self._by_code.get(code, ()) if (p := self.position((code, a)))
                 is not None]
        seeded = _seeded_position((code, SEED_ADDRESS_CODE))
        if seeded is not None and seeded < self.seeded:
            found.append(seeded)
        return found

    def add(self, vendors: Iterable[Mapping[str, Any]]) -> int:
        """Put vendors straight into the store (test set-up; not in the write log)."""
        count = 0
        for vendor in vendors:
            self.put(normalise(vendor))
            count += 1
        return count


def normalise(fields: Mapping[str, Any]) -> Record:
    """Scalars as strings (as XML carries them), server-owned fields left out."""
    out: Record = {}
    for name, value in fields.items():
        if name in READ_ONLY or value is None:
            continue
        if value.__class__ is str:  # most values: checked first, as every batch item passes
            out[name] = value
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, _SCALARS):
            out[name] = str(value)
        else:
            out[name] = value
    return out


_SCALARS = (int, float, str)


def validate(record: Mapping[str, Any]) -> tuple[int, str] | None:
    """The first problem with a vendor as it would be stored, or None."""
    missing = [name for name in REQUIRED if not record.get(name)]
    if missing:
        return STATUS_MISSING_FIELD, f"Required field(s) missing: {', '.join(missing)}."
    if record["CurrencyCode"] not in CURRENCIES:
        return STATUS_INVALID_CURRENCY, f"Invalid currency code {record['CurrencyCode']!r}."
    if record["CountryCode"] not in COUNTRIES:
        return STATUS_INVALID_COUNTRY, f"Invalid country code {record['CountryCode']!r}."
    terms = record.get("PaymentTerms")
    if terms and not (terms.isdigit() and 1 <= int(terms) <= 999):
        return STATUS_INVALID_VALUE, "PaymentTerms must be an integer between 1 and 999."
    method = record.get("PaymentMethodType")
    if method and method not in PAYMENT_METHODS:
        return STATUS_INVALID_VALUE, f"Invalid payment method type {method!r}."
    return None


def status(code: int, message: str, record_number: int) -> dict[str, Any]:
    return {
        "Code": code,
        "Message": message,
        "RecordNumber": record_number,
        "Type": "SUCCESS" if code == STATUS_OK else "ERROR",
    }
