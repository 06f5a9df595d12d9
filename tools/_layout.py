"""Where each generated operation lives, what its method is called, and its docstring.

The seeds give paths and schemas; names and prose are choices, made once here so that
regenerating never renames a public method.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FAMILIES", "MODULES", "OPERATIONS", "FamilyInfo", "Module", "Placement"]


@dataclass(frozen=True, slots=True)
class FamilyInfo:
    """One API family: ``client.<name>``, the package ``concur_async/<name>/``."""

    name: str
    cls: str
    doc: str
    #: More of the package's docstring, after ``doc``.
    more: str = ""
    #: A hand-written base adding what is not an operation: (module in the package, class).
    mixin: tuple[str, str] | None = None


#: In the order the client declares them and the catalog lists them.
FAMILIES = (
    FamilyInfo("expense", "Expense", "Expense v3.0: reports, entries, itemizations, allocations, "
               "attendees, receipt images."),
    FamilyInfo("invoice", "Invoice", "Invoice v3.x: vendors, purchase orders and receipts, "
               "payment requests, and more."),
    FamilyInfo("common", "Common", "Common v3.x: lists and list items, connection requests, "
               "locations, receipts, users."),
    FamilyInfo("insights", "Insights", "Insights v3.0: latest bookings and opportunities."),
    FamilyInfo("budget", "Budget", "Budget v4: fiscal years, categories, budget item headers, "
               "adjustments, tracking fields."),
    FamilyInfo("travel_request", "TravelRequest",
               "Travel Request v4, with v3.1 request group configurations and v3.0 requests."),
    FamilyInfo("invoice_pay", "InvoicePay",
               "Invoice Pay v4: payments handed to a payment provider, and their confirmations."),
    FamilyInfo("purchase_request", "PurchaseRequest", "Purchase Request v4."),
    FamilyInfo("quick_expense", "QuickExpense", "Quick Expense v4.0.3 (its own rate limit: 120 "
               "requests per 5 minutes per user)."),
    FamilyInfo(
        "image", "Image",
        "Image v1.0: uploads to a receipt store, entry, report or invoice; image downloads.",
        more="``client.image.images`` uploads an image to the user's receipt store, an expense\n"
             "entry, an expense report or an invoice, and asks for the short-lived URL of one\n"
             "(``Image.url``). ``client.image.stream(url)`` and ``client.image.download(url,\n"
             "to=path)`` then fetch it in chunks, never holding the whole file in memory. The\n"
             "answers' struct is ``concur_async.image.images.Image``.",
        mixin=("_download", "Downloads"),
    ),
)


@dataclass(frozen=True, slots=True)
class Module:
    """One generated resource module: ``concur_async/<family>/<name>.py``."""

    family: str
    name: str
    resource: str
    attribute: str
    spec: str
    #: For an API split over several modules, the module holding its shared structs.
    models: str | None = None
    #: Whether the module lists the shared structs its methods take and return in ``__all__``
    #: (``from concur_async.invoice.vendors import Vendor``).
    reexport: bool = False


@dataclass(frozen=True, slots=True)
class Placement:
    module: str
    method: str
    doc: str
    #: For a batch body: the collection member holding the items (``Vendor`` of
    #: ``VendorCollection``); the method takes the list and sends the collection.
    batch: str | None = None


def _m(
    family: str, name: str, resource: str, spec: str, models: str | None = None,
    reexport: bool = False,
) -> Module:
    return Module(family, name, resource, name, spec, models, reexport)


MODULES: dict[str, Module] = {
    m.family + "." + m.name: m
    for m in (
        _m("expense", "allocations", "Allocations", "allocation_v3_0"),
        _m("expense", "attendee_types", "AttendeeTypes", "attendee_types_v3_0"),
        _m("expense", "attendees", "Attendees", "attendees_v3_0"),
        _m("expense", "digital_tax_invoices", "DigitalTaxInvoices", "digital_tax_invoices_v3_0"),
        _m("expense", "entries", "Entries", "entries_v3_0"),
        _m("expense", "entry_attendee_associations", "EntryAttendeeAssociations",
           "entry_attendee_associations_v3_0"),
        _m("expense", "expense_group_configurations", "ExpenseGroupConfigurations",
           "expense_group_configurations_v3_0"),
        _m("expense", "itemizations", "Itemizations", "itemizations_v3_0"),
        _m("expense", "receipt_images", "ReceiptImages", "receipt_images_v3_0"),
        _m("expense", "reports", "Reports", "reports_v3_0"),
        _m("common", "connection_requests", "ConnectionRequests", "connection_requests_v3_2"),
        _m("common", "connection_requests_v3_1", "ConnectionRequestsV31",
           "connection_requests_v3_1"),
        _m("common", "connection_requests_v3_0", "ConnectionRequestsV30",
           "connection_requests_v3_0"),
        _m("common", "list_items", "ListItems", "list_items_v3_0"),
        _m("common", "lists", "Lists", "lists_v3_0"),
        _m("common", "locations", "Locations", "locations_v3_0"),
        _m("common", "receipts", "Receipts", "receipts_v3_0"),
        _m("common", "suppliers", "Suppliers", "suppliers_v3_0"),
        _m("common", "users", "Users", "users_v3_0"),
        _m("insights", "latest_bookings", "LatestBookings", "latest_bookings_v3_0"),
        _m("insights", "opportunities", "Opportunities", "opportunities_v3_0"),
        _m("invoice", "localized_data", "LocalizedData", "localized_data_v3_0"),
        _m("invoice", "vendors", "Vendors", "vendor_v3_1", "vendor_models", reexport=True),
        _m("invoice", "vendor_banks", "VendorBanks", "vendor_v3_1", "vendor_models",
           reexport=True),
        _m("invoice", "vendor_groups", "VendorGroups", "vendor_v3_1", "vendor_models",
           reexport=True),
        _m("invoice", "vendors_v3_0", "VendorsV30", "vendors_v3_0"),
        _m("invoice", "vendor_banks_v3_0", "VendorBanksV30", "vendorbank_v3_0"),
        _m("invoice", "vendor_groups_v3_0", "VendorGroupsV30", "vendorgroup_v3_0"),
        _m("invoice", "purchase_orders", "PurchaseOrders", "purchase_orders_v3_0"),
        _m("invoice", "purchase_order_receipts", "PurchaseOrderReceipts",
           "purchase_order_receipts_v3_0"),
        _m("invoice", "payment_requests", "PaymentRequests", "payment_request_v3_0"),
        _m("invoice", "payment_request_digests", "PaymentRequestDigests",
           "payment_request_digest_v3_0"),
        _m("invoice", "sales_tax_validation", "SalesTaxValidation",
           "sales_tax_validation_request_v3_0"),
        _m("travel_request", "request_group_configurations", "RequestGroupConfigurations",
           "request_group_configurations_v3_1"),
        _m("travel_request", "requests", "Requests", "request_v4_0", "models"),
        _m("travel_request", "expenses", "Expenses", "request_v4_0", "models"),
        _m("travel_request", "cash_advances", "CashAdvances", "request_v4_0", "models"),
        _m("travel_request", "comments", "Comments", "request_v4_0", "models"),
        _m("travel_request", "travel_agencies", "TravelAgencies", "request_v4_0", "models"),
        _m("travel_request", "user_policies", "UserPolicies", "request_v4_0", "models"),
        _m("budget", "adjustments", "Adjustments", "budget_v4_0", "models"),
        _m("budget", "categories", "Categories", "budget_v4_0", "models"),
        _m("budget", "item_headers", "ItemHeaders", "budget_v4_0", "models"),
        _m("budget", "tracking_fields", "TrackingFields", "budget_v4_0", "models"),
        _m("budget", "fiscal_years", "FiscalYears", "budget_v4_0", "models"),
        _m("invoice_pay", "payments", "Payments", "invoice_pay_v4_0"),
        _m("purchase_request", "purchase_requests", "PurchaseRequests", "purchase_request_v4_0"),
        _m("quick_expense", "quick_expenses", "QuickExpenses", "quick_expenses_v4_0_3"),
        # Beyond the seeds (issue 18): from Concur's documentation repository, see each spec.
        _m("expense", "report_digests", "ReportDigests", "report_digests_v3_0"),
        _m("expense", "quick_expenses", "QuickExpensesV30", "quick_expenses_v3_0"),
        _m("expense", "exchange_rates", "ExchangeRates", "exchange_rates_v3_0"),
        _m("travel_request", "requests_v3_0", "RequestsV30", "travel_requests_v3_0"),
        _m("image", "images", "Images", "image_v1_0"),
    )
}

_V3 = "/api/v3.0"
_RAW: list[tuple[str, str, str, str]] = [
    # (route, module, method, docstring)
    (f"GET {_V3}/expense/allocations", "expense.allocations", "list",
     "Stream allocations, narrowed to a report, an entry or an itemization."),
    (f"GET {_V3}/expense/allocations/{{id}}", "expense.allocations", "get",
     "Fetch one allocation."),
    (f"GET {_V3}/expense/attendeetypes", "expense.attendee_types", "list",
     "Stream the company's active attendee types."),
    (f"POST {_V3}/expense/attendeetypes", "expense.attendee_types", "create",
     "Add an attendee type (Concur has deprecated this call)."),
    (f"GET {_V3}/expense/attendeetypes/{{id}}", "expense.attendee_types", "get",
     "Fetch one attendee type."),
    (f"DELETE {_V3}/expense/attendeetypes/{{id}}", "expense.attendee_types", "delete",
     "Remove an attendee type (Concur has deprecated this call)."),
    (f"PUT {_V3}/expense/attendeetypes/{{id}}", "expense.attendee_types", "update",
     "Change the given fields of an attendee type; fields left out keep their values."),
    (f"GET {_V3}/expense/attendees", "expense.attendees", "list",
     "Stream the attendees the user (or the token's user) owns."),
    (f"POST {_V3}/expense/attendees", "expense.attendees", "create", "Add an attendee."),
    (f"GET {_V3}/expense/attendees/{{id}}", "expense.attendees", "get", "Fetch one attendee."),
    (f"PUT {_V3}/expense/attendees/{{id}}", "expense.attendees", "update",
     "Change the given fields of an attendee; fields left out keep their values."),
    (f"DELETE {_V3}/expense/attendees/{{id}}", "expense.attendees", "delete",
     "Remove an attendee (Concur has deprecated this call)."),
    (f"GET {_V3}/common/connectionrequests", "common.connection_requests_v3_0", "list",
     "Stream the TripLink connection requests addressed to this supplier."),
    (f"POST {_V3}/common/connectionrequests", "common.connection_requests_v3_0", "create",
     "Open a connection request for the given user."),
    (f"GET {_V3}/common/connectionrequests/{{id}}", "common.connection_requests_v3_0", "get",
     "Fetch one connection request."),
    (f"PUT {_V3}/common/connectionrequests/{{id}}", "common.connection_requests_v3_0", "update",
     "Report the outcome of a connection request."),
    (f"DELETE {_V3}/common/connectionrequests/{{id}}", "common.connection_requests_v3_0", "delete",
     "Remove a connection request."),
    (f"GET {_V3}/expense/digitaltaxinvoices", "expense.digital_tax_invoices", "list",
     "Stream the digital tax invoices waiting for this user's validation."),
    (f"GET {_V3}/expense/digitaltaxinvoices/{{id}}", "expense.digital_tax_invoices", "get",
     "Fetch one digital tax invoice with its receipt data."),
    (f"PUT {_V3}/expense/digitaltaxinvoices/{{id}}", "expense.digital_tax_invoices", "update",
     "Record the validation status of a digital tax invoice."),
    (f"GET {_V3}/expense/entries", "expense.entries", "list",
     "Stream expense entries, filtered by report, payment type, attendees and more."),
    (f"POST {_V3}/expense/entries", "expense.entries", "create", "Add an expense entry."),
    (f"GET {_V3}/expense/entries/{{id}}", "expense.entries", "get",
     "Fetch one expense entry."),
    (f"PUT {_V3}/expense/entries/{{id}}", "expense.entries", "update",
     "Change the given fields of an expense entry; fields left out keep their values."),
    (f"DELETE {_V3}/expense/entries/{{id}}", "expense.entries", "delete",
     "Remove an expense entry."),
    (f"GET {_V3}/expense/entryattendeeassociations", "expense.entry_attendee_associations",
     "list", "Stream the links between expense entries and their attendees."),
    (f"POST {_V3}/expense/entryattendeeassociations", "expense.entry_attendee_associations",
     "create", "Link an attendee to an expense entry."),
    (f"GET {_V3}/expense/entryattendeeassociations/{{id}}",
     "expense.entry_attendee_associations", "get", "Fetch one entry-attendee link."),
    (f"PUT {_V3}/expense/entryattendeeassociations/{{id}}",
     "expense.entry_attendee_associations", "update",
     "Change the given fields of an entry-attendee link; fields left out keep their values."),
    (f"DELETE {_V3}/expense/entryattendeeassociations/{{id}}",
     "expense.entry_attendee_associations", "delete", "Remove an entry-attendee link."),
    (f"GET {_V3}/expense/expensegroupconfigurations", "expense.expense_group_configurations",
     "list", "Stream expense group configurations: allowed expense types, policies, payments."),
    (f"GET {_V3}/expense/expensegroupconfigurations/{{id}}",
     "expense.expense_group_configurations", "get", "Fetch one expense group configuration."),
    (f"GET {_V3}/expense/itemizations", "expense.itemizations", "list",
     "Stream expense itemizations, filtered by report, entry or expense type."),
    (f"POST {_V3}/expense/itemizations", "expense.itemizations", "create",
     "Split an expense entry with a new itemization."),
    (f"GET {_V3}/expense/itemizations/{{id}}", "expense.itemizations", "get",
     "Fetch one itemization."),
    (f"PUT {_V3}/expense/itemizations/{{id}}", "expense.itemizations", "update",
     "Change the given fields of an itemization; fields left out keep their values."),
    (f"DELETE {_V3}/expense/itemizations/{{id}}", "expense.itemizations", "delete",
     "Remove an itemization."),
    (f"GET {_V3}/insights/latestbookings/", "insights.latest_bookings", "get",
     "The user's most recent air and hotel bookings."),
    (f"GET {_V3}/common/listitems", "common.list_items", "list",
     "Stream list items, searched by list, parent, name or level codes."),
    (f"POST {_V3}/common/listitems", "common.list_items", "create",
     "Add an item to a list."),
    (f"GET {_V3}/common/listitems/{{id}}", "common.list_items", "get",
     "Fetch one list item."),
    (f"PUT {_V3}/common/listitems/{{id}}", "common.list_items", "update",
     "Change the given fields of a list item; fields left out keep their values."),
    (f"DELETE {_V3}/common/listitems/{{id}}", "common.list_items", "delete",
     "Remove an item from its list."),
    (f"GET {_V3}/common/lists", "common.lists", "list", "Stream the company's lists."),
    (f"POST {_V3}/common/lists", "common.lists", "create", "Add a list."),
    (f"GET {_V3}/common/lists/{{id}}", "common.lists", "get", "Fetch one list."),
    (f"PUT {_V3}/common/lists/{{id}}", "common.lists", "update",
     "Change the given fields of a list (Concur has deprecated this call)."),
    (f"GET {_V3}/invoice/localizeddata", "invoice.localized_data", "get",
     "Invoice's codes with their text in the requested language."),
    (f"GET {_V3}/common/locations", "common.locations", "list",
     "Stream the city locations valid for the company."),
    (f"GET {_V3}/common/locations/{{id}}", "common.locations", "get",
     "Fetch one location."),
    (f"GET {_V3}/insights/opportunities", "insights.opportunities", "list",
     "Stream booking opportunities for one trip, or for the trips in a date range."),
    (f"GET {_V3}/invoice/paymentrequest/{{id}}", "invoice.payment_requests", "get",
     "Fetch a payment request with its line items and allocations."),
    (f"POST {_V3}/invoice/paymentrequest", "invoice.payment_requests", "create",
     "Submit a payment request with its line items and allocations."),
    (f"PUT {_V3}/invoice/paymentrequest", "invoice.payment_requests", "update",
     "Replace the details, line items and allocations of a payment request."),
    (f"GET {_V3}/invoice/paymentrequestdigests/{{id}}", "invoice.payment_request_digests",
     "get", "Fetch the summary of one payment request."),
    (f"GET {_V3}/invoice/paymentrequestdigests", "invoice.payment_request_digests", "list",
     "Stream payment request summaries, filtered by status and dates."),
    (f"GET {_V3}/expense/receiptimages", "expense.receipt_images", "list",
     "Stream the receipt images the user owns."),
    (f"POST {_V3}/expense/receiptimages", "expense.receipt_images", "create",
     "Upload a receipt image (image or PDF bytes)."),
    (f"GET {_V3}/expense/receiptimages/{{id}}", "expense.receipt_images", "get",
     "Where to download one receipt image."),
    (f"PUT {_V3}/expense/receiptimages/{{id}}", "expense.receipt_images", "append",
     "Append an image to a receipt; Concur merges them into one PDF."),
    (f"DELETE {_V3}/expense/receiptimages/{{id}}", "expense.receipt_images", "delete",
     "Remove a receipt image."),
    (f"POST {_V3}/common/receipts", "common.receipts", "create",
     "Post an e-receipt on behalf of a provider."),
    (f"GET {_V3}/expense/reports", "expense.reports", "list",
     "Stream expense reports, filtered by status, dates, amounts and more."),
    (f"POST {_V3}/expense/reports", "expense.reports", "create", "Open an expense report."),
    (f"GET {_V3}/expense/reports/{{id}}", "expense.reports", "get",
     "Fetch one expense report."),
    (f"PUT {_V3}/expense/reports/{{id}}", "expense.reports", "update",
     "Change the given fields of a report; fields left out keep their values."),
    (f"GET {_V3}/invoice/salestaxvalidationrequest", "invoice.sales_tax_validation", "list",
     "Stream invoices waiting for a sales tax calculation."),
    (f"PUT {_V3}/invoice/salestaxvalidationrequest", "invoice.sales_tax_validation", "update",
     "Send back the calculated tax amount and rate of invoices."),
    (f"GET {_V3}/common/suppliers", "common.suppliers", "list",
     "Stream TripLink suppliers matching the search."),
    (f"GET {_V3}/common/suppliers/{{id}}", "common.suppliers", "get",
     "Fetch one TripLink supplier."),
    (f"GET {_V3}/common/users", "common.users", "list",
     "Stream the company's users matching the search."),
    *[
        (f"{verb} /api/{version}/common/connectionrequests{tail}",
         f"common.connection_requests{suffix}", method, doc)
        for version, suffix in (("v3.1", "_v3_1"), ("v3.2", ""))
        for verb, tail, method, doc in (
            ("GET", "", "list", "Stream the TripLink connection requests for this supplier."),
            ("POST", "", "create", "Open a connection request for the given user."),
            ("GET", "/{id}", "get", "Fetch one connection request."),
            ("PUT", "/{id}", "update", "Report the outcome of a connection request."),
        )
    ],
    *[
        (f"{verb} /api/{version}/invoice/{tail}", f"invoice.{module}{suffix}", method, doc)
        for version, suffix in (("v3.1", ""), ("v3.0", "_v3_0"))
        for verb, tail, module, method, doc in (
            ("GET", "vendors", "vendors", "list",
             "Stream the vendors matching the filters; ``search_type`` says how they match."),
            ("POST", "vendors", "vendors", "create",
             "Add a batch of vendors; each comes back with its own ``status_list``."),
            ("PUT", "vendors", "vendors", "update",
             "Change a batch of vendors; each comes back with its own ``status_list``."),
            ("DELETE", "vendors", "vendors", "delete",
             "Remove one vendor address, named by its vendor and address codes."),
            ("PUT", "vendor/banks", "vendor_banks", "put",
             "Add or change vendors' bank accounts; each comes back with its own status."),
            ("PUT", "vendor/groups", "vendor_groups", "put",
             "Add a vendor address to vendor groups; each group comes back with its status."),
            ("DELETE", "vendor/groups", "vendor_groups", "delete",
             "Take a vendor address out of one vendor group."),
        )
    ],
    (f"POST {_V3}/invoice/purchaseorders", "invoice.purchase_orders", "create",
     "Create one purchase order; the answer says whether Concur accepted it, and why not."),
    (f"PUT {_V3}/invoice/purchaseorders", "invoice.purchase_orders", "update",
     "Replace a purchase order; the answer says whether Concur accepted it, and why not."),
    (f"GET {_V3}/invoice/purchaseorders/{{id}}", "invoice.purchase_orders", "get",
     "Fetch one purchase order with its line items and allocations."),
    (f"PUT {_V3}/invoice/purchaseorderreceipts", "invoice.purchase_order_receipts", "update",
     "Change the goods receipt of a purchase order line."),
    (f"POST {_V3}/invoice/purchaseorderreceipts", "invoice.purchase_order_receipts", "create",
     "Record goods received against a purchase order line."),
    (f"GET {_V3}/invoice/purchaseorderreceipts", "invoice.purchase_order_receipts", "list",
     "Stream the records of a goods receipt on a purchase order, or on one of its lines."),
    (f"DELETE {_V3}/invoice/purchaseorderreceipts", "invoice.purchase_order_receipts",
     "delete", "Remove a goods receipt."),
    ("GET /api/v3.1/travelrequest/requestgroupconfigurations",
     "travel_request.request_group_configurations", "list",
     "Stream Request group configurations: request types, policies, travel agencies."),
    ("POST /budget/v4/adjustments", "budget.adjustments", "create",
     "Record adjustments to budget amounts."),
    ("GET /budget/v4/budgetCategory", "budget.categories", "list",
     "Every budget category of the entity."),
    ("POST /budget/v4/budgetCategory", "budget.categories", "save",
     "Create a budget category, or update it if it exists."),
    ("GET /budget/v4/budgetCategory/expenseTypes", "budget.categories", "expense_types",
     "The expense types a budget category can match."),
    ("GET /budget/v4/budgetCategory/{id}", "budget.categories", "get",
     "Fetch one budget category."),
    ("DELETE /budget/v4/budgetCategory/{id}", "budget.categories", "delete",
     "Remove a budget category."),
    ("GET /budget/v4/budgetItemHeader", "budget.item_headers", "list",
     "Stream the entity's budget items."),
    ("POST /budget/v4/budgetItemHeader", "budget.item_headers", "save",
     "Create a budget item, or update it if it exists."),
    ("GET /budget/v4/budgetItemHeader/{id}", "budget.item_headers", "get",
     "Fetch one budget item."),
    ("DELETE /budget/v4/budgetItemHeader/{id}", "budget.item_headers", "delete",
     "Mark a budget item removed."),
    ("DELETE /budget/v4/delete/budgetItemHeader/{syncGuid}", "budget.item_headers", "purge",
     "Delete a budget item for good."),
    ("GET /budget/v4/budgetTrackingField", "budget.tracking_fields", "list",
     "The cost object fields budgets can track."),
    ("GET /budget/v4/fiscalYear", "budget.fiscal_years", "list",
     "The entity's fiscal years, optionally only those changed since a date."),
    ("POST /budget/v4/fiscalYear", "budget.fiscal_years", "save",
     "Create fiscal years, or update those that exist."),
    ("GET /budget/v4/fiscalYear/{syncguid}", "budget.fiscal_years", "get",
     "Fetch one fiscal year."),
    ("DELETE /budget/v4/fiscalYear/{syncguid}", "budget.fiscal_years", "delete",
     "Remove a fiscal year."),
    ("GET /invoice/provider-payment/v4/payments", "invoice_pay.payments", "list",
     "Stream the payments this payment provider is asked to make."),
    ("POST /invoice/provider-payment/v4/payments/{PaymentId}", "invoice_pay.payments",
     "update", "Report the status of a payment."),
    ("POST /purchaserequest/v4/purchaserequests/", "purchase_request.purchase_requests",
     "create", "Create and submit a purchase request."),
    ("GET /purchaserequest/v4/purchaserequests/{id}", "purchase_request.purchase_requests",
     "get", "Fetch the compact view of a purchase request, with its exceptions."),
    ("POST /quickexpense/v4/users/{userID}/context/{contextType}/quickexpenses",
     "quick_expense.quick_expenses", "create", "Record a quick expense without an image."),
    ("POST /quickexpense/v4/users/{userID}/context/{contextType}/quickexpenses/image",
     "quick_expense.quick_expenses", "create_with_image",
     "Record a quick expense with its receipt image."),
    ("GET /travelrequest/v4/requests", "travel_request.requests", "list",
     "Stream Requests, filtered by user, view and dates."),
    ("POST /travelrequest/v4/requests", "travel_request.requests", "create",
     "Open a Request."),
    ("GET /travelrequest/v4/requests/{requestUuid}", "travel_request.requests", "get",
     "Fetch one Request with its details."),
    ("PUT /travelrequest/v4/requests/{requestUuid}", "travel_request.requests", "update",
     "Replace the content of a Request."),
    ("DELETE /travelrequest/v4/requests/{requestUuid}", "travel_request.requests", "delete",
     "Remove a Request."),
    ("GET /travelrequest/v4/requests/{requestUuid}/comments", "travel_request.comments",
     "for_request", "The comments on a Request."),
    ("GET /travelrequest/v4/requests/{requestUuid}/cashadvances",
     "travel_request.cash_advances", "for_request", "Links to the cash advances of a Request."),
    ("GET /travelrequest/v4/requests/{requestUuid}/exceptions", "travel_request.requests",
     "exceptions", "The exceptions raised on a Request."),
    ("POST /travelrequest/v4/requests/{requestUuid}/{action}", "travel_request.requests",
     "move", "Move a Request through its approval workflow (submit, approve, recall...)."),
    ("GET /travelrequest/v4/travelagencies/{agencyUuid}", "travel_request.travel_agencies",
     "get", "Fetch one travel agency office."),
    ("GET /travelrequest/v4/userpolicies", "travel_request.user_policies", "list",
     "The Request policies that apply to a user."),
    ("GET /travelrequest/v4/requests/{requestUuid}/expenses", "travel_request.expenses",
     "list", "The expected expenses of a Request."),
    ("POST /travelrequest/v4/requests/{requestUuid}/expenses", "travel_request.expenses",
     "create", "Add an expected expense to a Request."),
    ("GET /travelrequest/v4/expenses/{expenseUuid}", "travel_request.expenses", "get",
     "Fetch one expected expense."),
    ("PUT /travelrequest/v4/expenses/{expenseUuid}", "travel_request.expenses", "update",
     "Replace the content of an expected expense."),
    ("DELETE /travelrequest/v4/expenses/{expenseUuid}", "travel_request.expenses", "delete",
     "Remove an expected expense from its Request."),
    ("GET /travelrequest/v4/expenses/{expenseUuid}/comments", "travel_request.comments",
     "for_expense", "The comments on an expected expense."),
    ("GET /travelrequest/v4/cashadvances/{cashAdvanceUuid}", "travel_request.cash_advances",
     "get", "Fetch one cash advance."),
    # Beyond the seeds (issue 18).
    (f"GET {_V3}/expense/reportdigests", "expense.report_digests", "list",
     "Stream expense report summaries, searched by owner, status, dates and entry details."),
    (f"GET {_V3}/expense/reportdigests/{{id}}", "expense.report_digests", "get",
     "Fetch the summary of one expense report."),
    (f"GET {_V3}/expense/quickexpenses", "expense.quick_expenses", "list",
     "Stream the user's quick expenses."),
    (f"POST {_V3}/expense/quickexpenses", "expense.quick_expenses", "create",
     "Record a quick expense."),
    (f"GET {_V3}/expense/quickexpenses/{{id}}", "expense.quick_expenses", "get",
     "Fetch one quick expense."),
    (f"PUT {_V3}/expense/quickexpenses/{{id}}", "expense.quick_expenses", "update",
     "Change the given fields of a quick expense."),
    (f"DELETE {_V3}/expense/quickexpenses/{{id}}", "expense.quick_expenses", "delete",
     "Remove a quick expense."),
    (f"GET {_V3}/expense/exchangerates", "expense.exchange_rates", "get",
     "The rate Concur applies from one currency to another on a date."),
    (f"GET {_V3}/travelrequest/requests", "travel_request.requests_v3_0", "list",
     "Stream request headers, filtered by status and modification dates."),
    (f"GET {_V3}/travelrequest/requests/{{id}}", "travel_request.requests_v3_0", "get",
     "Fetch one request with its comments, cash advances and exceptions."),
    ("POST /api/image/v1.0/receipt", "image.images", "upload_receipt",
     "Upload a receipt image to the user's receipt store."),
    ("POST /api/image/v1.0/expenseentry/{entryId}", "image.images", "upload_to_entry",
     "Attach an image to an expense entry (one image per entry)."),
    ("POST /api/image/v1.0/invoice/{requestId}", "image.images", "upload_to_invoice",
     "Attach an image to an invoice (one image per invoice)."),
    ("POST /api/image/v1.0/report/{reportId}", "image.images", "upload_to_report",
     "Attach an image to an expense report (appended to its images)."),
    ("GET /api/image/v1.0/receipt/{imageId}", "image.images", "receipt_url",
     "Where to download a receipt image (the URL lasts 15 minutes)."),
    ("GET /api/image/v1.0/expenseentry/{entryId}", "image.images", "entry_url",
     "Where to download an expense entry's image (the URL lasts 15 minutes)."),
    ("GET /api/image/v1.0/invoice/{requestId}", "image.images", "invoice_url",
     "Where to download an invoice's image (the URL lasts 15 minutes)."),
    ("GET /api/image/v1.0/report/{reportId}", "image.images", "report_url",
     "Where to download a report's images, as one PDF (the URL lasts 15 minutes)."),
]

#: Batch writes: the collection member their items travel in.
_BATCHES = {
    f"{verb} /api/{version}/invoice/{tail}": member
    for version in ("v3.0", "v3.1")
    for verb, tail, member in (
        ("POST", "vendors", "Vendor"),
        ("PUT", "vendors", "Vendor"),
        ("PUT", "vendor/banks", "VendorBank"),
        ("PUT", "vendor/groups", "VendorGroup"),
    )
}

OPERATIONS: dict[str, Placement] = {
    route: Placement(module, method, doc, _BATCHES.get(route))
    for route, module, method, doc in _RAW
}
if set(_BATCHES) - set(OPERATIONS):
    raise ValueError(f"batch bodies for unplaced routes: {sorted(set(_BATCHES) - set(OPERATIONS))}")
