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

__all__ = ["ADDED", "FIELDS", "apply_additions", "apply_overrides", "unused"]

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


def _money(spec: str, schema: str, *names: str) -> dict[tuple[str, str, str], Any]:
    return {(spec, schema, n): ({"type": "number"}, _MONEY) for n in names}


def _optional(spec: str, schema: str, *names: str) -> dict[tuple[str, str, str], Any]:
    return {(spec, schema, n): ({"required": False}, _ECHOED) for n in names}


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
}


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


_PRD = "payment_request_digest_v3_0"
_PRD_PAGE = ("the current Invoice Digests v3 page (concur/developer.concur.com "
             "src/api-reference/invoice/v3.payment-request-digest.markdown), which the seeds "
             "predate")


def _query(name: str, type_: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "type": type_, "seed_type": type_, "required": False,
            "description": description, "documented_by": _PRD_PAGE}


def _field(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "type": "string", "seed_type": "string", "required": False,
            "description": description, "documented_by": _PRD_PAGE}


#: What Concur documents beyond the seeds, added to an operation's query parameters
#: ((spec, "METHOD path"), parameters) or to a schema's fields ((spec, schema), fields).
ADDED: dict[tuple[str, str], list[dict[str, Any]]] = {
    (_PRD, "GET /api/v3.0/invoice/paymentrequestdigests"): [
        _query("payMethodType", "string", "Payment method type tied to an invoice. Use GET "
               "/invoice/localizeddata to get the available pay method types."),
        _query("lastModifiedDateBefore", "date-time",
               "The invoice last modified date is before this date. Format: YYYY-MM-DD"),
        _query("lastModifiedDateAfter", "date-time",
               "The invoice last modified date is after this date. Format: YYYY-MM-DD"),
        _query("extractedDateBefore", "date-time",
               "The invoice extracted date is before this date. Format: YYYY-MM-DD"),
        _query("extractedDateAfter", "date-time",
               "The invoice extracted date is after this date. Format: YYYY-MM-DD"),
    ],
    (_PRD, "PaymentRequestDigest"): [
        _field("PaymentMethod", "Payment method type tied to an invoice."),
        _field("LastModifiedDate", "The date the invoice was last modified."),
        _field("ExtractedDate", "The date the invoice was extracted."),
    ],
}


def apply_additions(name: str, spec: dict[str, Any]) -> set[tuple[str, str]]:
    """Add the ``ADDED`` entries for spec ``name``; return the keys applied."""
    applied = set()
    routes = {f"{op['method']} {op['path']}": op for op in spec["operations"]}
    for key, items in ADDED.items():
        if key[0] != name:
            continue
        if key[1] in routes:
            routes[key[1]]["parameters"] += [dict(item) for item in items]
        elif key[1] in spec["schemas"]:
            spec["schemas"][key[1]]["fields"] += [dict(item) for item in items]
        else:
            raise ValueError(f"addition for {key}: the spec has no such operation or schema")
        applied.add(key)
    return applied
