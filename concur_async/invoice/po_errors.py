"""Purchase order error codes and field codes, as seeds 000 and 001 document them.

Concur answers a purchase order call with HTTP 200 even when it refused the order; the
``PurchaseOrderResult`` then says ``Status: FAILURE`` and carries an ``ErrorCode`` (a string,
e.g. ``"5001"``), and for the 8000 range a ``FieldCode`` of the form ``"LEVEL CODE"``
(``"LineItem Quantity"``) naming the field at fault. These tables turn both into words::

    result = await client.invoice.purchase_orders.create(order)
    if result.status == "FAILURE":
        print(describe_po_error(result.error_code), parse_field_code(result.field_code))

``tests/test_po_errors.py`` reads the tables back out of the seed documents, so they cannot
drift from what Concur publishes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

__all__ = [
    "FIELD_LEVELS",
    "PO_ERRORS",
    "FieldCode",
    "FieldLevel",
    "describe_po_error",
    "parse_field_code",
]

#: Every documented error code and its meaning (the same in seeds 000 and 001).
PO_ERRORS: Mapping[int, str] = MappingProxyType({
    1000: "The PO number is missing or invalid.",
    2000: "There was no vendor found for the supplied Vendor Code and Vendor Address Code.",
    3000: "The Currency Code is missing or invalid.",
    4000: "There was no policy found matching the supplied External Id.",
    4001: "The policy does not support purchase orders.",
    4002: "The policy cannot be changed on the purchase order.",
    5000: "The purchase order does not contain any line items.",
    5001: "The line item must contain expense type or account code, but not both.",
    5002: "The line item expense type is invalid.",
    5003: "The line item account code is invalid.",
    5004: "The line item tax and unit price must both match positive or negative.",
    5500: "The line item contains an allocation, but no allocation form is defined.",
    5501: "The line item allocation amounts exceed the line item total.",
    5502: "The distribution amounts for a line item must match the line item amount positive "
          "or negative.",
    5503: "The distribution amounts for a line item cannot be zero.",
    5600: "The external id for the line item is not unique across the purchase order.",
    6000: "The Ship To Address is missing or invalid.",
    6001: "The Bill To Address is missing or invalid.",
    8000: "A required field is missing.",
    8001: "A field\u2019s value exceeds the maximum length allowed.",
    8002: "A field\u2019s value is not the correct data type.",
    8003: "A field\u2019s value is an invalid list item.",
    8004: "A field\u2019s value is an invalid connected list item.",
    8005: "The Country Code is missing or invalid.",
    8006: "A value was supplied for a field that is not part of the form.",
    9999: "An unexpected error occurred.",
})

#: The levels a ``FieldCode`` names (seed 001's Response Schema).
FieldLevel = Literal["Header", "ShipTo", "BillTo", "LineItem", "Allocation"]
_LEVELS: tuple[FieldLevel, ...] = get_args(FieldLevel)

_ADDRESS: frozenset[FieldLevel] = frozenset({"ShipTo", "BillTo"})
_HEADER: frozenset[FieldLevel] = frozenset({"Header"})
_LINE: frozenset[FieldLevel] = frozenset({"LineItem"})
_ALLOCATION: frozenset[FieldLevel] = frozenset({"Allocation"})
_CUSTOM_1_20 = _HEADER | _LINE | _ALLOCATION

#: Seed 000's field code table: each field code and the levels it is reported at. Its
#: columns are Ship To / Bill To, Purchase Order (the header), Line Item, and a fourth the
#: seed leaves unnamed, which holds only Amount and the custom fields: the allocation.
#: ``ExtermalId`` is spelled as the seed spells it.
FIELD_LEVELS: Mapping[str, frozenset[FieldLevel]] = MappingProxyType({
    "Address1": _ADDRESS,
    "Address2": _ADDRESS,
    "Address3": _ADDRESS,
    "Amount": _ALLOCATION,
    "City": _ADDRESS,
    "CountryCode": _ADDRESS | _ALLOCATION,
    **{f"Custom{n}": _CUSTOM_1_20 for n in range(1, 21)},
    **{f"Custom{n}": _HEADER for n in range(21, 25)},
    "Description": _HEADER | _LINE,
    "DiscountPercentage": _HEADER,
    "DiscountTerms": _HEADER,
    "ExtermalId": _ADDRESS | _LINE,
    "LineNumber": _LINE,
    "Name": _ADDRESS | _HEADER,
    "OrderDate": _HEADER,
    "PaymentTerms": _HEADER,
    "PoNumber": _HEADER,
    "PostalCode": _ADDRESS,
    "Quantity": _LINE,
    "RequestedBy": _HEADER | _LINE,
    "RequestedDeliveryDate": _HEADER | _LINE,
    "Shipping": _HEADER,
    "ShippingDescription": _HEADER,
    "StateProvince": _ADDRESS,
    "SupplierPartId": _LINE,
    "Tax": _HEADER | _LINE,
    "Total": _HEADER | _LINE,
    "UnitPrice": _LINE,
})
_BY_LOWER = {name.lower(): name for name in FIELD_LEVELS}
_BY_LOWER["externalid"] = "ExtermalId"  # the seed's misspelling, read either way


def describe_po_error(code: int | str | None) -> str | None:
    """The documented meaning of a purchase order ``ErrorCode`` (``5001`` or ``"5001"``);
    ``None`` when there is no code or Concur documents none by that number."""
    if code is None or isinstance(code, bool):
        return None
    if isinstance(code, str):
        code = code.strip()
        if not code.isdigit():
            return None
    return PO_ERRORS.get(int(code))


@dataclass(frozen=True, slots=True)
class FieldCode:
    """A parsed ``FieldCode``: the level (``None`` when Concur names none we know) and the
    field, as Concur spelled it."""

    level: FieldLevel | None
    field: str

    @property
    def documented(self) -> bool:
        """Whether seed 000 lists this field at this level."""
        name = _BY_LOWER.get(self.field.lower())
        return name is not None and self.level in FIELD_LEVELS[name]

    def __str__(self) -> str:
        return f"{self.level} {self.field}" if self.level else self.field


def parse_field_code(value: str | None) -> FieldCode | None:
    """``"LineItem Quantity"`` -> ``FieldCode("LineItem", "Quantity")``; ``None`` for no code.

    A value without a known level keeps all its text as the field, so nothing is lost."""
    if value is None or not value.strip():
        return None
    head, _, rest = value.strip().partition(" ")
    level = next((lv for lv in _LEVELS if lv.lower() == head.lower()), None)
    if level is None or not rest.strip():
        return FieldCode(None, value.strip())
    return FieldCode(level, rest.strip())
