"""Where the SDK types a field otherwise than the seeds' tables, and why: one reviewed table.

The explorer (seed 003) types every purchase order amount, quantity and date as ``string``;
the Purchase Orders page (seed 001) adds formats (``YYYY-MM-DD``) and an example whose amounts
are decimal strings (``"106.74"``). The SDK reads money as ``decimal.Decimal`` (which accepts
the JSON string and the JSON number alike, and never passes through float) and dates as
``datetime.date``. Each entry below changes one field of the spec and is written into it as
``override``, so a reader of ``spec/`` sees the change and its reason; an entry
naming a field the spec lacks is an error, so the table cannot rot.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FIELDS", "apply_overrides", "unused"]

_MONEY = "money or a quantity sent as decimal text: Decimal keeps it exact"
_DATE = "seed 001 formats it YYYY-MM-DD"
_ORDER_DATE = (
    "seed 001 formats it YYYY-MM-DD, but its example sends 2011-08-12T20:17:46.384Z; a "
    "date-time reads that, a date would refuse it"
)
_CREATE_DATE = (
    "kept as text: seed 001 formats it YYYY-MM-DD, but its example sends "
    "'2019-12-13 20:00:37.0', which is neither, so the SDK passes Concur's text through"
)
_FLAG = "seed 001 formats it true / false, and its example sends a JSON boolean"
_ECHOED = (
    "required on input only: a batch answer echoes each vendor as sent, with its StatusList, "
    "including those refused for a missing field, and must still decode"
)
_NO_RECEIVED_FLAG = (
    "required by seed 001 on input, but absent from the explorer's receipt examples and "
    "from the receipts GET answers"
)
_TERMS = "seed 003 (v3.0) documents the same field as a string, so both spellings are read"
_PR_ARRAY = (
    "an array: seed 003 describes purchaseOrders as 'this array' and purchaseRequestExceptions "
    "as 'an array of exceptions', and lineItems as the requested items; its explorer renders "
    "each array as one element (a single object still decodes, as a one-item list)"
)

_LINE_ITEMS = (
    "an array: the Sales Tax Validation page's GET example lists an invoice's line items as "
    "an array (concur/developer.concur.com src/api-reference/invoice/"
    "v3.sales-tax-validation.markdown); a single object still decodes, as a one-item list"
)

_PO, _RECEIPTS, _V31 = "purchase_orders_v3_0", "purchase_order_receipts_v3_0", "vendor_v3_1"
_PR = "purchase_request_v4_0"
_BUDGET, _PAY = "budget_v4_0", "invoice_pay_v4_0"

# Where Concur's reference pages (tests/corpus) disagree with the seeds: the docs win, or
# both are accepted.
_DOCS_OMIT = "the docs' own request example leaves it out (tests/corpus), so it is optional"
_DOCS_LIST = ("the Sales Tax Validation page's PUT example sends LineItem as an array too "
              "(src/api-reference/invoice/v3.sales-tax-validation.markdown)")
_DOCS_TEAM = "the Budget page's example sends TEAM (src/api-reference/budget/v4.budget-header.md)"
_DOCS_BOOL = "the docs type it boolean and send true/false (tests/corpus); text 'true' still reads"
_DOCS_URLS = ("the Purchase Request page types url an array of URLs, and its examples send one "
              "(src/api-reference/invoice/v4.purchase-request-endpoints.markdown)")


def _money(spec: str, schema: str, *names: str) -> dict[tuple[str, str, str], Any]:
    return {(spec, schema, n): ({"type": "number"}, _MONEY) for n in names}


def _optional(spec: str, schema: str, *names: str) -> dict[tuple[str, str, str], Any]:
    return {(spec, schema, n): ({"required": False}, _ECHOED) for n in names}


def _docs_optional(spec: str, schema: str, *names: str) -> dict[tuple[str, str, str], Any]:
    return {(spec, schema, n): ({"required": False}, _DOCS_OMIT) for n in names}


#: (spec file stem, schema, field) -> (the field's new properties, why).
FIELDS: dict[tuple[str, str, str], tuple[dict[str, Any], str]] = {
    **_money(_PO, "PurchaseOrder", "AmountWithoutVat", "DiscountPercentage", "Shipping", "Tax",
             "VatAmountOne", "VatAmountTwo", "VatRateOne", "VatRateTwo"),
    **_money(_PO, "LineItem", "AmountWithoutVat", "Quantity", "Tax", "UnitPrice", "VatAmount",
             "VatRate"),
    **_money(_PO, "Allocation", "Amount", "GrossAmount", "Percentage"),
    **_money(_RECEIPTS, "PurchaseOrderReceipt", "ReceivedQuantity"),
    (_PO, "PurchaseOrder", "OrderDate"): ({"type": "date-time"}, _ORDER_DATE),
    (_PO, "PurchaseOrder", "NeededByDate"): ({"type": "date"}, _DATE),
    (_PO, "PurchaseOrder", "RequestedDeliveryDate"): ({"type": "date"}, _DATE),
    (_PO, "LineItem", "RequestedDeliveryDate"): ({"type": "date"}, _DATE),
    (_PO, "LineItem", "CreateDate"): ({"type": "string"}, _CREATE_DATE),
    (_PO, "LineItem", "IsReceiptRequired"): ({"type": "boolean"}, _FLAG),
    (_RECEIPTS, "PurchaseOrderReceipt", "ReceivedDate"): ({"type": "date"}, _DATE),
    (_RECEIPTS, "PurchaseOrderReceipt", "IsReceived"): ({"required": False}, _NO_RECEIVED_FLAG),
    **_optional(_V31, "VendorCollection", "Vendor"),
    **_optional(_V31, "Vendor", "AddressCode", "CountryCode", "CurrencyCode", "StatusList",
                "VendorCode"),
    **_optional(_V31, "VendorBankCollection", "VendorBank"),
    **_optional(_V31, "VendorBank", "AccountNumber", "AccountType", "AddressCode", "IsActive",
                "NameOnAccount", "VendorCode"),
    **_optional(_V31, "VendorGroupCollection", "VendorGroup"),
    **_optional(_V31, "VendorGroup", "Name"),
    (_V31, "Vendor", "PaymentTerms"): ({"example_types": ["string"]}, _TERMS),
    ("sales_tax_validation_request_v3_0", "InvoiceGet", "LineItem"): ({"array": True},
                                                                       _LINE_ITEMS),
    (_PR, "purchaseRequest", "lineItems"): ({"array": True}, _PR_ARRAY),
    (_PR, "getPurchaseRequestCompact", "purchaseOrders"): ({"array": True}, _PR_ARRAY),
    (_PR, "getPurchaseRequestCompact", "purchaseRequestExceptions"): ({"array": True}, _PR_ARRAY),
    (_PR, "lineItem", "url"): ({"array": True}, _DOCS_URLS),
    (_PR, "purchaseRequestException", "isCleared"): ({"type": "boolean"}, _DOCS_BOOL),
    (_RECEIPTS, "PurchaseOrderReceipt", "Deleted"): ({"type": "boolean"}, _DOCS_BOOL),
    ("payment_request_digest_v3_0", "PaymentRequestDigest", "IsDeleted"): (
        {"type": "boolean"}, "the Invoice Digests page types it boolean (true/false); "
        "the text 'false' still reads"),
    **_docs_optional(_PAY, "updatePayment", "status"),
    **_docs_optional(_PAY, "updatePayment", "statusDate"),
    ("sales_tax_validation_request_v3_0", "Invoice", "LineItem"): ({"array": True}, _DOCS_LIST),
    **_docs_optional(_PR, "purchaseRequest", "userId", "userEmail"),
    **_docs_optional(_BUDGET, "ExpenseType", "name"),
    **_docs_optional(_BUDGET, "BudgetCategory", "expenseTypes", "name"),
    **_docs_optional(_BUDGET, "BudgetPerson", "externalUserSyncGuid", "externalUserCUUID"),
    **_docs_optional(_BUDGET, "FiscalPeriod", "currentPeriod", "endDate", "name", "periodType",
                     "spendDate", "startDate"),
    **_docs_optional(_BUDGET, "FiscalYear", "currentYear", "endDate", "name", "startDate"),
    (_BUDGET, "BudgetItemHeader", "budgetType"): (
        {"enum": ["PERSONAL_USE", "BUDGET", "RESTRICTED", "TEAM"]}, _DOCS_TEAM),
}


for _key, (_changes, _reason) in {
    **_docs_optional(_PO, "Allocation", "GrossAmount", "Percentage"),
}.items():
    # Also retyped above: the docs' change joins the seeds' instead of replacing it.
    FIELDS[_key] = ({**FIELDS[_key][0], **_changes}, f"{FIELDS[_key][1]}; {_reason}")


def apply_overrides(spec: str, schemas: dict[str, Any]) -> set[tuple[str, str, str]]:
    """Apply the entries for ``spec`` to its schemas; return the keys applied."""
    applied = set()
    for key, (changes, reason) in FIELDS.items():
        if key[0] != spec:
            continue
        _, schema, name = key
        field = next((f for f in schemas[schema]["fields"] if f["name"] == name), None)
        if field is None:
            raise ValueError(f"override for {key}: the spec has no such field")
        if changes.get("type") not in (None, field["type"]):
            # The declared type replaces what the examples showed: Decimal reads both.
            field.pop("example_types", None)
            field.pop("format", None)
        field.update(changes, override=reason)
        applied.add(key)
    return applied


def unused(applied: set[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return sorted(set(FIELDS) - applied)

