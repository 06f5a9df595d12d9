"""Vendor v3.0 and v3.1: list with filters, batch create/update, delete, banks and groups.

Batch writes answer 200 even when every vendor failed; each vendor comes back with its
``StatusList`` (see ``_vendors``). A batch holds at most ``MAX_BATCH`` vendors. Lists come in
store order (seed order, then creation order) whatever ``sortBy``/``sortDirection`` say;
seeded names sort the same way. Filters compare case-insensitively; an unknown vendor on
DELETE is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._codes import COUNTRIES, CURRENCIES
from ._paging import decode_offset, encode_offset, limit_param, page_url
from ._store import Record
from ._vendors import (
    STATUS_DUPLICATE,
    STATUS_INVALID_COUNTRY,
    STATUS_INVALID_CURRENCY,
    STATUS_INVALID_VALUE,
    STATUS_MISSING_FIELD,
    STATUS_NOT_FOUND,
    STATUS_OK,
    VendorKey,
    normalise,
    status,
    validate,
)
from ._wire import Failure, as_list, read_body, reply

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["MAX_BATCH", "register"]

MAX_BATCH = 1000
#: Resource names in the write log.
VENDORS, BANKS, GROUPS = "invoice/vendors", "invoice/vendor/banks", "invoice/vendor/groups"
DEFAULT_LIMIT, MAX_LIMIT = 25, 1000
SEARCH_TYPES = ("exact", "begins", "contains", "ends")

#: Query parameter (lower case) -> the vendor fields it searches.
FILTERS: dict[str, tuple[str, ...]] = {
    "vendorcode": ("VendorCode",),
    "vendorname": ("VendorName",),
    "taxid": ("TaxID",),
    "buyeraccountnumber": ("AccountNumber",),
    "paymentmethodtype": ("PaymentMethodType",),
    "addresscode": ("AddressCode",),
    "address1": ("Address1",),
    "address2": ("Address2",),
    "address3": ("Address3",),
    "city": ("City",),
    "state": ("State",),
    "postalcode": ("PostalCode",),
    "approved": ("Approved",),
    "country": ("Country", "CountryCode"),
    **{f"custom{n}": (f"Custom{n}",) for n in range(1, 21)},
}

_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "exact": lambda have, want: have == want,
    "begins": str.startswith,
    "contains": lambda have, want: want in have,
    "ends": str.endswith,
}


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    handlers = _Handlers(state)
    for version in ("v3.0", "v3.1"):
        base = f"/api/{version}/invoice"
        router.add_get(f"{base}/vendors", handlers.list)
        router.add_post(f"{base}/vendors", handlers.create)
        router.add_put(f"{base}/vendors", handlers.update)
        router.add_delete(f"{base}/vendors", handlers.delete)
        router.add_put(f"{base}/vendor/banks", handlers.banks)
        router.add_put(f"{base}/vendor/groups", handlers.add_groups)
        router.add_delete(f"{base}/vendor/groups", handlers.delete_group)


def _collection(key: str, items: list[Any]) -> dict[str, Any]:
    return {key: items, "NextPage": None, "TotalCount": len(items), "Items": None}


class _Handlers:
    def __init__(self, state: ConcurState) -> None:
        self.state = state
        self.store = state.vendors

    async def list(self, request: web.Request) -> web.Response:
        limit = limit_param(request, DEFAULT_LIMIT, MAX_LIMIT)
        start = decode_offset(request.query.get("offset"))
        search = request.query.get("searchType", "exact").lower()
        if search not in SEARCH_TYPES:
            raise Failure(400, f"searchType must be one of {', '.join(SEARCH_TYPES)}.",
                          code="INVALID_PARAMETER")
        given = {name.lower(): value for name, value in request.query.items() if value}
        wanted = {name: value.casefold() for name, value in given.items() if name in FILTERS}
        if not wanted:
            page = self.store.page(start, limit)
        else:
            candidates = None
            if search == "exact" and "vendorcode" in wanted:
                # The code index is exact; a code differing only in case is not found by it.
                candidates = self.store.positions_of_code(given["vendorcode"])
            page = self.store.page(start, limit, _matcher(wanted, _COMPARE[search]),
                                   match_key=(search, tuple(sorted(wanted.items()))),
                                   candidates=candidates)
        next_page = None
        if page.next is not None:
            next_page = page_url(self.state.base_url, request, offset=encode_offset(page.next))
        data = {"Vendor": page.items, "NextPage": next_page, "TotalCount": page.total,
                "Items": None}
        return reply(request, data, root="VendorCollection")

    async def create(self, request: web.Request) -> web.Response:
        return await self._batch(request, creating=True)

    async def update(self, request: web.Request) -> web.Response:
        return await self._batch(request, creating=False)

    async def _batch(self, request: web.Request, *, creating: bool) -> web.Response:
        vendors = _items(await read_body(request), "Vendor")
        results = []
        seen: set[VendorKey] = set()
        done = 0
        for number, raw in enumerate(vendors, 1):
            fields = normalise(raw) if isinstance(raw, dict) else {}
            problem, record = self._prepare(fields, creating, seen)
            if problem is not None:
                results.append({**fields, "StatusList": [status(*problem, number)]})
                continue
            key = self.store.key_of(record)
            seen.add(key)
            self.store.put(record)
            self.state.write_log.record("create" if creating else "update", VENDORS, key)
            done += 1
            verb = "created" if creating else "updated"
            results.append({**record, "StatusList": [status(STATUS_OK, f"Vendor {verb}.", number)]})
        data = _collection("Vendor", results)
        data["RequestRunSummary"] = f"{done} of {len(vendors)} vendors processed."
        return reply(request, data, root="VendorCollection")

    def _prepare(
        self, fields: Record, creating: bool, seen: set[VendorKey]
    ) -> tuple[tuple[int, str] | None, Record]:
        code, address = fields.get("VendorCode"), fields.get("AddressCode")
        if not code or not address:
            missing = [n for n in ("VendorCode", "AddressCode") if not fields.get(n)]
            return (STATUS_MISSING_FIELD, f"Required field(s) missing: {', '.join(missing)}."), {}
        key = (str(code), str(address))
        existing = self.store.get(key)
        if key in seen:
            return (STATUS_DUPLICATE, f"Vendor {code}/{address} appears twice in the batch."), {}
        if creating and existing is not None:
            return (STATUS_DUPLICATE, f"Vendor {code}/{address} already exists."), {}
        if not creating and existing is None:
            return (STATUS_NOT_FOUND, f"Vendor {code}/{address} was not found."), {}
        record = dict(fields) if existing is None else {**existing, **fields}
        record.setdefault("ID", f"{code}-{address}")
        return validate(record), record

    async def delete(self, request: web.Request) -> web.Response:
        key = _vendor_key(request)
        if self.store.delete(key) is None:
            raise Failure(404, f"Vendor {key[0]}/{key[1]} was not found.", code="NOT_FOUND")
        self.state.write_log.record("delete", VENDORS, key)
        item = {"VendorCode": key[0], "AddressCode": key[1],
                "StatusList": [status(STATUS_OK, "Vendor deleted.", 1)]}
        return reply(request, _collection("Vendor", [item]),
                     root="VendorCollection")

    async def banks(self, request: web.Request) -> web.Response:
        results = []
        for number, raw in enumerate(_items(await read_body(request), "VendorBank"), 1):
            bank = normalise(raw) if isinstance(raw, dict) else {}
            problem = self._bank_problem(bank)
            if problem is None:
                key = (str(bank["VendorCode"]), str(bank["AddressCode"]))
                vendor = dict(self.store.get(key) or {})
                kept = [b for b in as_list(vendor.get("VendorBankList"))
                        if b.get("AccountNumber") != bank["AccountNumber"]]
                vendor["VendorBankList"] = [*kept, bank]
                self.store.put(vendor)
                self.state.write_log.record("update", BANKS, (*key, bank["AccountNumber"]))
                problem = (STATUS_OK, "Vendor bank saved.")
            results.append({**bank, "StatusList": [status(*problem, number)]})
        return reply(request, _collection("VendorBank", results),
                     root="VendorBankCollection")

    def _bank_problem(self, bank: Record) -> tuple[int, str] | None:
        required = ("VendorCode", "AddressCode", "AccountNumber", "AccountType",
                    "NameOnAccount", "IsActive")
        missing = [n for n in required if not bank.get(n)]
        if missing:
            return STATUS_MISSING_FIELD, f"Required field(s) missing: {', '.join(missing)}."
        if bank["AccountType"] not in ("CHCK", "SAVE"):
            return STATUS_INVALID_VALUE, "AccountType must be CHCK or SAVE."
        if bank.get("CurrencyAlphaCode") and bank["CurrencyAlphaCode"] not in CURRENCIES:
            return STATUS_INVALID_CURRENCY, f"Invalid currency code {bank['CurrencyAlphaCode']!r}."
        if bank.get("CountryCode") and bank["CountryCode"] not in COUNTRIES:
            return STATUS_INVALID_COUNTRY, f"Invalid country code {bank['CountryCode']!r}."
        if self.store.get((str(bank["VendorCode"]), str(bank["AddressCode"]))) is None:
            return STATUS_NOT_FOUND, f"Vendor {bank['VendorCode']}/{bank['AddressCode']} " \
                "was not found."
        return None

    async def add_groups(self, request: web.Request) -> web.Response:
        key, vendor = self._vendor(request)
        groups = list(as_list(vendor.get("VendorGroupList")))
        results: list[dict[str, Any]] = []
        for number, raw in enumerate(_items(await read_body(request), "VendorGroup"), 1):
            name = str(raw.get("Name") or "") if isinstance(raw, dict) else ""
            if not name:
                results.append({"StatusList": [status(STATUS_MISSING_FIELD,
                                                      "Required field missing: Name.", number)]})
                continue
            if name not in groups:
                groups.append(name)
                self.state.write_log.record("create", GROUPS, (*key, name))
            results.append({"Name": name, "StatusList": [status(STATUS_OK, "Group added.",
                                                                number)]})
        self.store.put({**vendor, "VendorGroupList": groups})
        return reply(request, _collection("VendorGroup", results),
                     root="VendorGroupCollection")

    async def delete_group(self, request: web.Request) -> web.Response:
        key, vendor = self._vendor(request)
        name = request.query.get("groupName", "")
        if not name:
            raise Failure(400, "groupName is required.", code="MISSING_PARAMETER")
        groups = as_list(vendor.get("VendorGroupList"))
        if name not in groups:
            raise Failure(404, f"Vendor group {name!r} was not found.", code="NOT_FOUND")
        self.store.put({**vendor, "VendorGroupList": [g for g in groups if g != name]})
        self.state.write_log.record("delete", GROUPS, (*key, name))
        item = {"Name": name, "StatusList": [status(STATUS_OK, "Group deleted.", 1)]}
        return reply(request, _collection("VendorGroup", [item]),
                     root="VendorGroupCollection")

    def _vendor(self, request: web.Request) -> tuple[VendorKey, Record]:
        key = _vendor_key(request)
        vendor = self.store.get(key)
        if vendor is None:
            raise Failure(404, f"Vendor {key[0]}/{key[1]} was not found.", code="NOT_FOUND")
        return key, vendor


def _vendor_key(request: web.Request) -> VendorKey:
    code, address = request.query.get("vendorCode"), request.query.get("addressCode")
    if not code or not address:
        raise Failure(400, "vendorCode and addressCode are required.", code="MISSING_PARAMETER")
    return code, address


def _items(body: Any, name: str) -> list[Any]:
    """The batch under ``name`` (``{"Vendor": [...]}``); 400 when empty or too large."""
    items = as_list(body.get(name)) if isinstance(body, dict) else []
    if not items:
        raise Failure(400, f"The request has no {name} items.", code="EMPTY_BATCH")
    if len(items) > MAX_BATCH:
        raise Failure(400, f"A batch holds at most {MAX_BATCH} items; got {len(items)}.",
                      code="BATCH_TOO_LARGE")
    return items


def _matcher(
    wanted: dict[str, str], compare: Callable[[str, str], bool]
) -> Callable[[Record], bool]:
    checks = [(FILTERS[name], value) for name, value in wanted.items()]

    def match(vendor: Record) -> bool:
        for fields, value in checks:
            if not any(compare(str(vendor.get(f, "")).casefold(), value) for f in fields):
                return False
        return True

    return match
