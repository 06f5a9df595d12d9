"""Everything the server holds, for tests to seed before and inspect after."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from . import _seeds
from ._store import Collection, Record, WriteLog
from ._vendors import VendorStore

__all__ = ["ConcurState"]

#: Collections whose records are not keyed by ``ID``.
_ID_FIELDS = {
    "invoice/purchaseorders": "PurchaseOrderNumber",
    "invoice/payments": "paymentId",
    "budget/budgetCategory": "id",
    "budget/budgetItemHeader": "id",
    "budget/fiscalYear": "syncGuid",
    "budget/budgetTrackingField": "fieldId",
    "budget/adjustments": "id",
    "travelrequest/requests": "id",
    "travelrequest/expenses": "id",
    "travelrequest/travelagencies": "id",
    "travelrequest/userpolicies": "id",
    "travelrequest/cashadvances": "cashAdvanceId",
    "purchaserequest/purchaserequests": "purchaseRequestId",
    "quickexpense/quickexpenses": "id",
}


class ConcurState:
    """The in-memory data of one server.

    ``vendors`` is a ``VendorStore`` (lazily seeded); every other resource lives in a
    ``Collection`` reached with ``collection(name)``, where ``name`` is the resource's path
    after the version, e.g. ``"expense/reports"``, ``"invoice/paymentrequests"``,
    ``"invoice/paymentrequestdigests"``, ``"common/listitems"``, ``"budget/budgetItemHeader"``,
    ``"travelrequest/requests"`` (``collections`` lists those in use). ``write_log`` holds
    every create, update and delete confirmed over the API, never the seeding done here; its
    resource names are these collection names, and ``"invoice/vendors"`` (key
    ``(VendorCode, AddressCode)``), ``"invoice/vendor/banks"`` (key + account number) and
    ``"invoice/vendor/groups"`` (key + group name).
    """

    def __init__(self, *, vendors: int = 0) -> None:
        self.base_url = ""
        self.write_log = WriteLog()
        self.vendors = VendorStore(vendors)
        #: Purchase order policies ``PolicyExternalID`` may name (error 4000 otherwise).
        self.po_policies: set[str] = {"PO"}
        #: Uploaded images by receipt image ID (or quick expense id): (bytes, content type).
        self.images: dict[str, tuple[bytes, str]] = {}
        self.latest_bookings: Record = _seeds.latest_bookings()
        self.localized_data: list[Record] = _seeds.localized_data()
        self.budget_expense_types: list[Record] = [dict(r) for r in _seeds.BUDGET_EXPENSE_TYPES]
        #: Position of the next Invoice Pay payment to hand out (0 hands them all out again).
        self.payments_cursor = 0
        self._collections: dict[str, Collection] = {}
        self._ids = itertools.count(1)
        for name, records in _seeds.STARTING.items():
            self.seed(name, records)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{n}={len(c)}" for n, c in self._collections.items() if len(c))
        return f"ConcurState(vendors={len(self.vendors)}, {sizes})"

    @property
    def collections(self) -> Mapping[str, Collection]:
        return self._collections

    def collection(self, name: str) -> Collection:
        """The collection called ``name``, created empty on first use."""
        found = self._collections.get(name)
        if found is None:
            found = self._collections[name] = Collection(name, _ID_FIELDS.get(name, "ID"))
        return found

    def new_id(self, *, uuid_form: bool = False) -> str:
        """A fresh identifier: a UUID for v4 resources, Concur's opaque style for v3."""
        value = uuid.uuid5(uuid.NAMESPACE_URL, f"localconcur:{next(self._ids)}")
        return str(value) if uuid_form else value.hex.upper()

    def seed(self, name: str, records: Iterable[Mapping[str, Any]]) -> list[str]:
        """Put records straight into a collection (no write log); returns their ids.

        Records without an id get one.
        """
        collection = self.collection(name)
        ids = []
        for record in records:
            row = dict(record)
            if not row.get(collection.id_field):
                row[collection.id_field] = self.new_id(uuid_form=collection.id_field != "ID")
            collection.put(row)
            ids.append(str(row[collection.id_field]))
        return ids

    def seed_vendors(self, count: int) -> None:
        """Start the vendor store over with ``count`` lazily generated vendors."""
        self.vendors.reseed(count)

    def seed_payment_requests(self, count: int) -> list[str]:
        """``count`` payment requests and their digests; returns their ids."""
        requests = [_seeds.payment_request(i) for i in range(count)]
        self.seed("invoice/paymentrequestdigests",
                  (_seeds.digest_for(r) for r in requests))
        return self.seed("invoice/paymentrequests", requests)

    def seed_payments(self, count: int) -> list[str]:
        """``count`` Invoice Pay payments waiting for the provider; returns their ids."""
        return self.seed("invoice/payments", (_seeds.payment(i) for i in range(count)))

    def seed_reports(self, count: int) -> list[str]:
        return self.seed("expense/reports", (_seeds.report(i) for i in range(count)))

    def seed_travel_requests(self, count: int) -> list[str]:
        return self.seed("travelrequest/requests", (_seeds.travel_request(i) for i in range(count)))

    def seed_budget_items(self, count: int) -> list[str]:
        return self.seed("budget/budgetItemHeader", (_seeds.budget_item(i) for i in range(count)))

    def seed_purchase_orders(self, count: int) -> list[str]:
        """Purchase orders ``PO00000``... of two lines each (``PO00000-1``, ``PO00000-2``)."""
        return self.seed("invoice/purchaseorders", (_seeds.purchase_order(i)
                                                    for i in range(count)))

    def seed_list(self, name: str, count: int) -> str:
        """A list named ``name`` holding ``count`` items (see ``seed_list_items``); its id."""
        [list_id] = self.seed("common/lists", [{"Name": name, "IsVendorList": False,
                                                    "DisplayCodeFirst": False}])
        self.seed_list_items(list_id, count)
        return list_id

    def seed_list_items(self, list_id: str, count: int) -> list[str]:
        """``count`` items of list ``list_id`` with codes ``ITEM00000``..."""
        return self.seed("common/listitems", (
            {"ListID": list_id, "Name": f"Item {i:05d}", "Level1Code": f"ITEM{i:05d}"}
            for i in range(count)
        ))
