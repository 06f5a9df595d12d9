"""Purchase Orders v3 and Purchase Order Receipts v3, validated with the documented codes.

A purchase order that fails validation is answered 200 with ``Status: FAILURE``, the code in
``ErrorCode`` (a string), its documented text in ``ErrorMessage``, the offending field as
``"<Level> <Field>"`` in ``FieldCode`` and the line's ``LineItemExternalID`` when a line is at
fault; ``Message`` says what exactly was wrong. Only an unreadable body is a 400.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._codes import COUNTRIES, CURRENCIES
from ._store import Record
from ._wire import Failure, as_list, empty, read_body, reply

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["ERRORS", "register"]

ERRORS = {
    1000: "The PO number is missing or invalid.",
    2000: "There was no vendor found for the supplied Vendor Code and Vendor Address Code.",
    3000: "The Currency Code is missing or invalid.",
    4000: "There was no policy found matching the supplied External Id.",
    5000: "The purchase order does not contain any line items.",
    5001: "The line item must contain expense type or account code, but not both.",
    5004: "The line item tax and unit price must both match positive or negative.",
    5501: "The line item allocation amounts exceed the line item total.",
    5503: "The distribution amounts for a line item cannot be zero.",
    5600: "The external id for the line item is not unique across the purchase order.",
    6000: "The Ship To Address is missing or invalid.",
    6001: "The Bill To Address is missing or invalid.",
    8000: "A required field is missing.",
    8001: "A field's value exceeds the maximum length allowed.",
    8002: "A field's value is not the correct data type.",
    8005: "The Country Code is missing or invalid.",
}
# StateProvince is required by the PO v3 page (seed 001) but not by the explorer (003).
_ADDRESS_FIELDS = ("Address1", "City", "CountryCode", "ExternalID", "PostalCode")
_LINE_FIELDS = ("LineNumber", "Quantity", "UnitPrice")
_PO_NUMBER_MAX = 50


class _Invalid(Exception):
    def __init__(self, code: int, field: str | None, detail: str, line: str | None = None):
        super().__init__(detail)
        self.code, self.field, self.detail, self.line = code, field, detail, line


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    orders = state.collection("invoice/purchaseorders")
    receipts = state.collection("invoice/purchaseorderreceipts")
    base = "/api/v3.0/invoice"

    async def save(request: web.Request) -> web.Response:
        po = await read_body(request)
        if not isinstance(po, dict):
            raise Failure(400, "The purchase order must be an object.", code="INVALID_BODY")
        number = str(po.get("PurchaseOrderNumber") or "")
        existing = orders.get(number) if number else None
        try:
            if request.method == "PUT" and existing is None:
                raise _Invalid(1000, "Header PoNumber", f"Purchase order {number!r} not found.")
            _check(po, state)
        except _Invalid as bad:
            return reply(request, _failure(number, bad), root="PurchaseOrderResult")
        orders.put({**po, "PurchaseOrderNumber": number, "ID": number})
        created = existing is None
        state.write_log.record("create" if created else "update", orders.name, number)
        verb = "created" if created else "updated"
        result = {"Message": f"The purchase order was {verb}.", "PurchaseOrderNumber": number,
                  "Status": "SUCCESS"}
        return reply(request, result, root="PurchaseOrderResult")

    async def get(request: web.Request) -> web.Response:
        number = request.match_info["id"]
        po = orders.get(number)
        if po is None:
            raise Failure(404, f"Purchase order {number!r} was not found.", code="NOT_FOUND")
        uri = f"{state.base_url}{base}/purchaseorders/{number}"
        return reply(request, {**po, "URI": uri}, root="PurchaseOrder")

    async def save_receipt(request: web.Request) -> web.Response:
        receipt = await read_body(request)
        if not isinstance(receipt, dict):
            raise Failure(400, "The receipt must be an object.", code="INVALID_BODY")
        number = str(receipt.get("PurchaseOrderNumber") or "")
        try:
            line = _check_receipt(receipt, orders.get(number) if number else None)
        except _Invalid as bad:
            return reply(request, _failure(number, bad), root="PurchaseOrderReceiptResult")
        key = (number, line, str(receipt.get("GoodsReceiptNumber") or ""))
        found = _receipts_matching(receipts, *key, exact=True)
        rid = str(found[0]["ID"]) if found else state.new_id()
        receipts.put({**receipt, "PurchaseOrderNumber": number, "ID": rid})
        state.write_log.record("update" if found else "create", receipts.name, key)
        result = {"Message": "The receipt was saved.", "PurchaseOrderNumber": number,
                  "LineItemExternalID": line, "Status": "SUCCESS"}
        return reply(request, result, root="PurchaseOrderReceiptResult")

    async def list_receipts(request: web.Request) -> web.Response:
        found = _receipts_matching(receipts, *_receipt_query(request))
        uri = f"{state.base_url}{base}/purchaseorderreceipts"
        items = [{**r, "URI": f"{uri}?goodsReceiptNumber={r.get('GoodsReceiptNumber', '')}"}
                 for r in found]
        return reply(request, {"Items": items, "NextPage": None, "TotalCount": len(items)},
                     root="ReceiptsCollection")

    async def delete_receipts(request: web.Request) -> web.Response:
        query = _receipt_query(request)
        found = _receipts_matching(receipts, *query)
        if not found:
            raise Failure(404, "No purchase order receipt matches.", code="NOT_FOUND")
        for receipt in found:
            receipts.delete(str(receipt["ID"]))
            state.write_log.record("delete", receipts.name, (
                receipt.get("PurchaseOrderNumber"), receipt.get("LineItemExternalID"),
                str(receipt.get("GoodsReceiptNumber") or ""),
            ))
        return empty()

    router.add_post(f"{base}/purchaseorders", save)
    router.add_put(f"{base}/purchaseorders", save)
    router.add_get(f"{base}/purchaseorders/{{id}}", get)
    router.add_put(f"{base}/purchaseorderreceipts", save_receipt)
    router.add_post(f"{base}/purchaseorderreceipts", save_receipt)
    router.add_get(f"{base}/purchaseorderreceipts", list_receipts)
    router.add_delete(f"{base}/purchaseorderreceipts", delete_receipts)


def _failure(number: str, bad: _Invalid) -> dict[str, Any]:
    result = {"ErrorCode": str(bad.code), "ErrorMessage": ERRORS[bad.code], "FieldCode": bad.field,
              "LineItemExternalID": bad.line, "Message": bad.detail,
              "PurchaseOrderNumber": number or None, "Status": "FAILURE"}
    return {k: v for k, v in result.items() if v is not None}


def _number(value: Any, field: str, line: str | None = None) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise _Invalid(8002, field, f"{field} {value!r} is not a number.", line) from None


def _check(po: Record, state: ConcurState) -> None:
    number = str(po.get("PurchaseOrderNumber") or "")
    if not number or len(number) > _PO_NUMBER_MAX:
        raise _Invalid(1000, "Header PoNumber", "PurchaseOrderNumber is missing or too long.")
    for name in ("Name", "OrderDate", "PolicyExternalID"):
        if not po.get(name):
            raise _Invalid(8000, f"Header {name}", f"{name} is required.")
    if po.get("CurrencyCode") not in CURRENCIES:
        raise _Invalid(3000, "Header CurrencyCode", f"Currency {po.get('CurrencyCode')!r}.")
    vendor = (str(po.get("VendorCode") or ""), str(po.get("VendorAddressCode") or ""))
    if state.vendors.get(vendor) is None:
        raise _Invalid(2000, None, f"No vendor {vendor[0]!r} with address {vendor[1]!r}.")
    if po["PolicyExternalID"] not in state.po_policies:
        raise _Invalid(4000, "Header PolicyExternalID", f"Policy {po['PolicyExternalID']!r}.")
    _check_address(po.get("ShipToAddress"), 6000, "ShipTo")
    _check_address(po.get("BillToAddress"), 6001, "BillTo")
    lines = as_list(po.get("LineItem"))
    if not lines:
        raise _Invalid(5000, None, "LineItem is empty.")
    seen: set[str] = set()
    for line in lines:
        _check_line(line if isinstance(line, dict) else {}, seen)


def _check_address(address: Any, code: int, level: str) -> None:
    if not isinstance(address, dict):
        raise _Invalid(code, None, f"{level} address is missing.")
    for name in _ADDRESS_FIELDS:
        if not address.get(name):
            raise _Invalid(code, f"{level} {name}", f"{level} {name} is required.")
    if address["CountryCode"] not in COUNTRIES:
        raise _Invalid(8005, f"{level} CountryCode", f"Country {address['CountryCode']!r}.")


def _check_line(line: Record, seen: set[str]) -> None:
    ext = str(line.get("ExternalID") or "")
    if not ext:
        raise _Invalid(8000, "LineItem ExternalID", "A line item has no ExternalID.")
    if ext in seen:
        raise _Invalid(5600, "LineItem ExternalID", f"ExternalID {ext!r} repeats.", ext)
    seen.add(ext)
    for name in _LINE_FIELDS:
        if line.get(name) in (None, ""):
            raise _Invalid(8000, f"LineItem {name}", f"{name} is required.", ext)
    if bool(line.get("ExpenseType")) == bool(line.get("AccountCode")):
        raise _Invalid(5001, "LineItem ExpenseType", "Give ExpenseType or AccountCode.", ext)
    quantity = _number(line["Quantity"], "LineItem Quantity", ext)
    price = _number(line["UnitPrice"], "LineItem UnitPrice", ext)
    if line.get("Tax") not in (None, ""):
        tax = _number(line["Tax"], "LineItem Tax", ext)
        if tax and price and (tax < 0) != (price < 0):
            raise _Invalid(5004, "LineItem Tax", "Tax and UnitPrice differ in sign.", ext)
    allocated = Decimal(0)
    for allocation in as_list(line.get("Allocation")):
        amount = _number((allocation or {}).get("Amount", ""), "Allocation Amount", ext)
        if amount == 0:
            raise _Invalid(5503, "Allocation Amount", "An allocation amount is zero.", ext)
        allocated += amount
    if abs(allocated) > abs(quantity * price):
        raise _Invalid(5501, "Allocation Amount", "Allocations exceed the line total.", ext)


def _check_receipt(receipt: Record, po: Record | None) -> str:
    """The receipt's line external id, once the receipt is known to be valid."""
    if po is None:
        raise _Invalid(1000, "Header PoNumber", "The purchase order does not exist.")
    line = str(receipt.get("LineItemExternalID") or "")
    if not line:
        raise _Invalid(8000, "LineItem ExternalID", "LineItemExternalID is required.")
    if line not in {str(x.get("ExternalID")) for x in as_list(po.get("LineItem"))
                    if isinstance(x, dict)}:
        raise _Invalid(8000, "LineItem ExternalID", f"No line {line!r} on the order.", line)
    if receipt.get("ReceivedQuantity") not in (None, ""):
        _number(receipt["ReceivedQuantity"], "LineItem ReceivedQuantity", line)
    return line


def _receipt_query(request: web.Request) -> tuple[str, str, str]:
    q = request.query
    number, line = q.get("purchaseOrderNumber", ""), q.get("lineItemExternalID", "")
    goods = q.get("goodsReceiptNumber", "")
    if not number and not goods:
        raise Failure(400, "Give goodsReceiptNumber or purchaseOrderNumber.",
                      code="MISSING_PARAMETER")
    return number, line, goods


def _receipts_matching(
    receipts: Any, number: str, line: str, goods: str, *, exact: bool = False
) -> list[Record]:
    """Receipts matching the given values; an empty value matches anything unless ``exact``."""
    wanted = (("PurchaseOrderNumber", number), ("LineItemExternalID", line),
              ("GoodsReceiptNumber", goods))
    return [r for r in receipts
            if all((not value and not exact) or str(r.get(name) or "") == value
                   for name, value in wanted)]
