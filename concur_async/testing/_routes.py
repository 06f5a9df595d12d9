"""Every route the server answers: the v3 collection table and the special-purpose modules.

Together they serve each of the operations in the project's API inventory; the XML root
names are the schema names the seeds give for each answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import (
    _budget,
    _exchange_rates,
    _generic,
    _images,
    _purchase_orders,
    _purchasing,
    _quick_expense,
    _travel,
    _v3_writes,
    _vendor_api,
)
from ._generic import V3Resource
from ._seeds import report_digest
from ._wire import reply

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["V3_RESOURCES", "register_all"]

_E, _C, _I = "/api/v3.0/expense", "/api/v3.0/common", "/api/v3.0/invoice"

V3_RESOURCES = (
    V3Resource(f"{_E}/allocations", "expense/allocations", "AllocationCollection",
               "AllocationGet", "LG"),
    V3Resource(f"{_E}/attendeetypes", "expense/attendeetypes", "AttendeeTypesCollection",
               "AttendeeTypeGet"),
    V3Resource(f"{_E}/attendees", "expense/attendees", "AttendeeCollection", "AttendeeGet"),
    V3Resource(f"{_E}/digitaltaxinvoices", "expense/digitaltaxinvoices",
               "DigitalTaxInvoiceCollection", "DigitalTaxInvoiceGetSingle", "LGU"),
    V3Resource(f"{_E}/entries", "expense/entries", "EntryCollection", "EntryGet"),
    V3Resource(f"{_E}/entryattendeeassociations", "expense/entryattendeeassociations",
               "EntryAttendeeAssociationCollection", "EntryAttendeeAssociationGet"),
    V3Resource(f"{_E}/expensegroupconfigurations", "expense/expensegroupconfigurations",
               "ExpenseGroupConfigurationCollection", "ExpenseGroupConfiguration", "LG"),
    V3Resource(f"{_E}/itemizations", "expense/itemizations", "ItemizationCollection",
               "ItemizationGet"),
    # POST and PUT take the image itself: see _v3_writes.
    V3Resource(f"{_E}/receiptimages", "expense/receiptimages", "ReceiptImageCollection",
               "ReceiptImage", "LGD"),
    V3Resource(f"{_E}/reports", "expense/reports", "ReportCollection", "ReportGet", "LCGU",
               modified="LastModifiedDate"),
    # POST takes no body, only ``user``: see _v3_writes.
    V3Resource(f"{_C}/connectionrequests", "common/connectionrequests",
               "ConnectionRequestCollection", "ConnectionRequestGet", "LGUD"),
    V3Resource("/api/v3.1/common/connectionrequests", "common/connectionrequests",
               "ConnectionRequestCollection", "ConnectionRequestGet", "LGU"),
    V3Resource("/api/v3.2/common/connectionrequests", "common/connectionrequests",
               "ConnectionRequestCollection", "ConnectionRequestGet", "LGU"),
    V3Resource(f"{_C}/listitems", "common/listitems", "ListItemGetCollection", "ListItemGet"),
    V3Resource(f"{_C}/lists", "common/lists", "ListGetCollection", "ListGet", "LCGU"),
    V3Resource(f"{_C}/locations", "common/locations", "LocationCollection", "Location", "LG"),
    V3Resource(f"{_C}/receipts", "common/receipts", "ReceiptCollection", "Receipt", "C"),
    V3Resource(f"{_C}/suppliers", "common/suppliers", "SupplierCollection", "SupplierSingle",
               "LG"),
    V3Resource(f"{_C}/users", "common/users", "UserCollection", "User", "L"),
    V3Resource("/api/v3.0/insights/opportunities", "insights/opportunities", "Opportunities",
               "Opportunity", "L"),
    V3Resource("/api/v3.1/travelrequest/requestgroupconfigurations",
               "travelrequest/requestgroupconfigurations",
               "RequestGroupConfigurationCollection", "RequestGroupConfiguration", "L"),
    # POST and PUT (no id in the path) are in _v3_writes.
    V3Resource(f"{_I}/paymentrequest", "invoice/paymentrequests", "PaymentRequestCollection",
               "PaymentRequest", "G"),
    V3Resource(f"{_I}/paymentrequestdigests", "invoice/paymentrequestdigests",
               "PaymentRequestDigestCollection", "PaymentRequestDigest", "LG",
               default_limit=1000, max_limit=1000, items_field="PaymentRequestDigest",
               total=True),
    # Beyond the seeds (issue 18): digests are a view of the reports.
    V3Resource(f"{_E}/reportdigests", "expense/reports", "ReportDigestCollection",
               "ReportDigest", "LG", default_limit=100, view=report_digest),
    V3Resource(f"{_E}/quickexpenses", "expense/quickexpenses", "QuickExpenseCollection",
               "QuickExpenseGet", "LCGUD"),
    V3Resource("/api/v3.0/travelrequest/requests", "travelrequest/requests-v3",
               "RequestCollection", "Request", "LG", default_limit=100,
               ignored=frozenset({"withSegmentTypes"})),
    V3Resource(f"{_I}/salestaxvalidationrequest", "invoice/salestaxvalidationrequest",
               "InvoiceGetCollection", "Invoice", "L", max_limit=1000, total=True),
)


def register_all(router: web.UrlDispatcher, state: ConcurState) -> None:
    for resource in V3_RESOURCES:
        _generic.register(router, state, resource)
    _vendor_api.register(router, state)
    _purchase_orders.register(router, state)
    _v3_writes.register(router, state)
    _budget.register(router, state)
    _travel.register(router, state)
    _purchasing.register(router, state)
    _quick_expense.register(router, state)
    _images.register(router, state)
    _exchange_rates.register(router)

    async def latest_bookings(request: web.Request) -> web.Response:
        return reply(request, state.latest_bookings, root="LatestBooking")

    async def localized_data(request: web.Request) -> web.Response:
        kind = request.query.get("type", "")
        lang = request.query.get("langCode", "en")
        rows = [{k: v for k, v in row.items() if k != "Type"}
                for row in state.localized_data
                if (not kind or row.get("Type", "").lower() == kind.lower())
                and row.get("LangCode", "en") == lang]
        return reply(request, {"LocalizationData": rows, "TotalCount": len(rows)},
                     root="LocalizationDataCollection")

    router.add_get("/api/v3.0/insights/latestbookings/", latest_bookings)
    router.add_get("/api/v3.0/insights/latestbookings", latest_bookings)
    router.add_get(f"{_I}/localizeddata", localized_data)
