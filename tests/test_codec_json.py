"""The JSON codec: structs in and out, exact money, Concur's one-object-for-a-list quirk, and
errors that name the field.

The structs are the SDK's own (purchase orders carry Decimal amounts and dates; vendors carry
lists and nested structs), plus a small one for the cases they lack.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from concur_async import ConcurError, DecodeError, ValidationError, _codec
from concur_async._model import V3Struct
from concur_async._resource import check_body
from concur_async.invoice.purchase_orders import (
    Allocation,
    BillToAddress,
    LineItem,
    PurchaseOrder,
    ShipToAddress,
)
from concur_async.invoice.vendors import Vendor, VendorCollection


class Reading(V3Struct, kw_only=True):
    """A struct for what the generated ones do not have: untyped and map fields."""

    id: int = msgspec.field(name="ID")
    amount: Decimal | None = None
    extra: Any = None
    totals: dict[str, Any] | None = None
    tags: list[str] | None = None


def _address(kind: type[BillToAddress] | type[ShipToAddress]) -> Any:
    return kind(address1="1 Main St", city="Minneapolis", country_code="US",
                external_id="HQ", postal_code="55401", state_province="MN")


def purchase_order(**changes: Any) -> PurchaseOrder:
    line = LineItem(
        external_id="L1", line_number="1", expense_type="Advertising", quantity=Decimal("2.00"),
        unit_price=Decimal("106.74"), is_receipt_required=True,
        requested_delivery_date=dt.date(2024, 2, 29), create_date="2019-12-13 20:00:37.0",
        allocation=[Allocation(amount=Decimal("213.48"), gross_amount=Decimal("213.48"),
                               percentage=Decimal("100.00000000"))],
    )
    order = PurchaseOrder(
        bill_to_address=_address(BillToAddress), ship_to_address=_address(ShipToAddress),
        currency_code="USD", line_item=[line], name="Office chairs",
        order_date=dt.datetime(2011, 8, 12, 20, 17, 46, 384000, tzinfo=dt.UTC),
        policy_external_id="PO", vendor_address_code="MAIN", vendor_code="V1",
        shipping=Decimal("0.00000000"), tax=Decimal("1E+1"), is_test=False,
    )
    return msgspec.structs.replace(order, **changes)


# -- round trips --------------------------------------------------------------------------------


def test_a_purchase_order_round_trips() -> None:
    order = purchase_order()
    body = _codec.encode(order, "json")
    assert _codec.decode(body, PurchaseOrder, "json") == order


def test_the_wire_uses_concurs_names_and_leaves_unset_fields_off() -> None:
    wire = json.loads(_codec.encode(purchase_order(), "json"))
    assert wire["PolicyExternalID"] == "PO"
    assert wire["LineItem"][0]["ExternalID"] == "L1"
    assert wire["LineItem"][0]["IsReceiptRequired"] is True
    assert wire["IsTest"] is False
    assert "Description" not in wire
    assert "Custom1" not in wire


def test_dates_and_datetimes_are_iso_8601() -> None:
    wire = json.loads(_codec.encode(purchase_order(), "json"))
    assert wire["OrderDate"] == "2011-08-12T20:17:46.384000Z"
    assert wire["LineItem"][0]["RequestedDeliveryDate"] == "2024-02-29"
    # Seed 001's CreateDate is neither a date nor ISO 8601: kept as text, passed through.
    assert wire["LineItem"][0]["CreateDate"] == "2019-12-13 20:00:37.0"


# -- money ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [b"106.74", b'"106.74"'])
def test_an_amount_as_number_or_string_decodes_to_the_same_decimal(amount: bytes) -> None:
    body = b'{"Amount": %s, "GrossAmount": "106.74", "Percentage": 100}' % amount
    allocation = _codec.decode(body, Allocation, "json")
    assert type(allocation.amount) is Decimal
    assert allocation.amount == Decimal("106.74")
    assert str(allocation.amount) == "106.74"


def test_money_is_never_a_float() -> None:
    # 0.1 + 0.2 style digits that a float cannot hold, as a number and as text.
    body = b'{"ID": 1, "Amount": 12345678901234567890.123456789, "Extra": 0.1}'
    reading = _codec.decode(body, Reading, "json")
    assert reading.amount == Decimal("12345678901234567890.123456789")
    assert reading.extra == Decimal("0.1")
    assert type(reading.extra) is Decimal
    untyped = _codec.decode(b'{"Total": 19.99, "Count": 3}', dict, "json")
    assert untyped == {"Total": Decimal("19.99"), "Count": 3}
    assert type(untyped["Count"]) is int


@pytest.mark.parametrize(
    ("amount", "wire"),
    [("0.00000000", "0.00000000"), ("1E+1", "10"), ("106.74", "106.74"), ("-0.5", "-0.5"),
     ("1E-7", "0.0000001")],
)
def test_amounts_are_written_in_plain_notation(amount: str, wire: str) -> None:
    # Exact digits as a JSON number: never through float, never "0E-8" (str() of a Decimal),
    # which a .NET service need not parse.
    allocation = Allocation(amount=Decimal(amount), gross_amount=Decimal(amount),
                            percentage=Decimal(amount))
    assert b'"Amount":%s,' % wire.encode() in _codec.encode(allocation, "json")
    assert _codec.encode({"total": Decimal(amount)}, "json") == b'{"total":%s}' % wire.encode()
    nested = Reading(id=1, totals={"net": Decimal(amount)}, extra=[Decimal(amount)])
    exact = msgspec.json.Decoder(float_hook=Decimal).decode(_codec.encode(nested, "json"))
    assert exact["Totals"] == {"net": Decimal(wire)}
    assert exact["Extra"] == [Decimal(wire)]


def test_a_non_finite_amount_is_refused() -> None:
    with pytest.raises(ValueError, match="not a JSON number"):
        _codec.encode({"total": Decimal("NaN")}, "json")


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_any_decimal_survives_the_round_trip_exactly(amount: Decimal) -> None:
    allocation = Allocation(amount=amount, gross_amount=amount, percentage=amount)
    back = _codec.decode(_codec.encode(allocation, "json"), Allocation, "json")
    assert back.amount == amount
    assert type(back.amount) is Decimal


def test_structs_without_money_take_the_fast_path_and_still_encode() -> None:
    vendors = VendorCollection(vendor=[Vendor(vendor_code="V1", payment_terms=30)])
    assert json.loads(_codec.encode(vendors, "json")) == {
        "Vendor": [{"VendorCode": "V1", "PaymentTerms": 30}]
    }
    batch = [Vendor(vendor_code="V1"), Vendor(vendor_code="V2")]
    assert json.loads(_codec.encode(batch, "json")) == [{"VendorCode": "V1"},
                                                        {"VendorCode": "V2"}]


# -- Concur's quirks ------------------------------------------------------------------------------


def test_a_single_object_where_the_schema_says_list_is_read_as_one_item() -> None:
    # The explorer renders one-element arrays as a bare object, nested ones included.
    body = (b'{"Vendor": {"VendorCode": "V1", "StatusList": {"Code": 0, "Type": "INFO"},'
            b' "VendorGroupList": "Preferred"}, "TotalCount": 1, "Items": null}')
    page = _codec.decode(body, VendorCollection, "json")
    assert page.vendor is not None
    assert len(page.vendor) == 1
    vendor = page.vendor[0]
    assert vendor.vendor_code == "V1"
    assert vendor.vendor_group_list == ["Preferred"]
    assert vendor.status_list is not None
    assert vendor.status_list[0].type == "INFO"


def test_a_vendor_page_keeps_its_items_in_vendor_and_items_may_be_null() -> None:
    body = b'{"Vendor": [{"VendorCode": "A"}, {"VendorCode": "B"}], "Items": null,' \
           b' "NextPage": null, "TotalCount": 2}'
    page = _codec.decode(body, VendorCollection, "json")
    assert [v.vendor_code for v in page.vendor or []] == ["A", "B"]
    assert page.items is None


def test_v3_1_payment_terms_are_read_as_a_number_or_as_text() -> None:
    body = b'{"Vendor": [{"PaymentTerms": 30}, {"PaymentTerms": "45"}]}'
    page = _codec.decode(body, VendorCollection, "json")
    assert [v.payment_terms for v in page.vendor or []] == [30, "45"]


# -- errors --------------------------------------------------------------------------------------


def test_a_type_error_names_the_field_path() -> None:
    body = b'{"Vendor": [{"VendorCode": "A"}, {"StatusList": [{"Code": "zero"}]}]}'
    with pytest.raises(DecodeError) as caught:
        _codec.decode(body, VendorCollection, "json")
    assert caught.value.path == "$.Vendor[1].StatusList[0].Code"
    assert "Expected `int | null`, got `str`" in str(caught.value)
    assert isinstance(caught.value, ConcurError)


def test_a_missing_required_field_names_where_it_is_missing() -> None:
    # Required is what a request must carry (issue 13: answers may leave anything out), so it
    # is the request check that names the missing field; the answer decodes without it.
    wire = json.loads(_codec.encode(purchase_order(), "json"))
    del wire["LineItem"][0]["UnitPrice"]
    body = json.dumps(wire).encode()
    answer = _codec.decode(body, PurchaseOrder, "json")
    assert answer.line_item is not None
    assert answer.line_item[0].unit_price is None
    with pytest.raises(ValidationError, match=r"UnitPrice.*\$\.LineItem\[0\]"):
        check_body(answer)


def test_a_money_field_holding_words_is_refused() -> None:
    with pytest.raises(DecodeError) as caught:
        _codec.decode(b'{"Amount": "a lot", "GrossAmount": 1, "Percentage": 1}', Allocation,
                      "json")
    assert caught.value.path == "$.Amount"


@pytest.mark.parametrize("body", [b"", b"{", b'{"Vendor": [}', b"\xff\xfe", b"<xml/>"])
def test_malformed_json_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(DecodeError, match="malformed JSON"):
        _codec.decode(body, VendorCollection, "json")


def test_a_wrong_top_level_type_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        _codec.decode(b"[1, 2]", VendorCollection, "json")
    with pytest.raises(DecodeError):
        _codec.decode(b'"text"', list[Vendor], "json")
