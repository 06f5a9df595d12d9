"""The XML codec: Concur's conventions read into the same structs as JSON, and refused when
hostile.

Covered: round trips; text converted by field type (bool, int, Decimal, date, date-time);
empty and missing elements; namespaces and other spellings on input; lists as repeated
elements and inside a wrapper element; errors naming the field; DOCTYPE, entity bombs and
external entities refused without expansion; money never through float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from test_codec_json import purchase_order

from concur_async import ConcurError, DecodeError, _codec
from concur_async._model import V3Struct
from concur_async.invoice.purchase_order_receipts import PurchaseOrderReceipt
from concur_async.invoice.purchase_orders import Allocation, PurchaseOrder
from concur_async.invoice.vendor_models import Status
from concur_async.invoice.vendors import Vendor, VendorCollection
from concur_async.invoice.vendors_v3_0 import VendorCollection as VendorCollectionV30

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>'


class Flags(V3Struct, kw_only=True):
    """Text fields both required and optional, and an untyped one."""

    name: str
    note: str | None = None
    count: int | None = None
    active: bool | None = None
    extra: Any = None


def xml(body: str) -> bytes:
    return HEAD + body.encode()


def vendors(body: str) -> VendorCollection:
    return _codec.decode(xml(f"<VendorCollection>{body}</VendorCollection>"), VendorCollection,
                         "xml")


# -- round trips --------------------------------------------------------------------------------


def test_a_purchase_order_round_trips_through_xml() -> None:
    order = purchase_order()
    body = _codec.encode(order, "xml", root="PurchaseOrder")
    assert body.startswith(b"<?xml")
    assert etree.fromstring(body).tag == "PurchaseOrder"
    assert _codec.decode(body, PurchaseOrder, "xml") == order


def test_xml_and_json_read_the_same_document_alike() -> None:
    order = purchase_order()
    from_xml = _codec.decode(_codec.encode(order, "xml"), PurchaseOrder, "xml")
    from_json = _codec.decode(_codec.encode(order, "json"), PurchaseOrder, "json")
    assert from_xml == from_json


def test_the_writer_follows_concurs_conventions() -> None:
    page = VendorCollection(vendor=[
        Vendor(vendor_code="A", vendor_group_list=["Preferred", "Domestic"],
               status_list=[Status(code=0, type="INFO")]),
        Vendor(vendor_code="B & C <ltd>"),
    ])
    root = etree.fromstring(_codec.encode(page, "xml"))
    assert root.tag == "VendorCollection"
    assert [v.findtext("VendorCode") for v in root.findall("Vendor")] == ["A", "B & C <ltd>"]
    first = root.find("Vendor")
    assert first is not None
    assert [g.text for g in first.findall("VendorGroupList")] == ["Preferred", "Domestic"]
    assert first.findtext("StatusList/Code") == "0"
    assert root.find("Items") is None  # unset fields are left off, as in JSON
    assert _codec.decode(_codec.encode(page, "xml"), VendorCollection, "xml") == page


def test_values_are_written_as_concur_spells_them() -> None:
    root = etree.fromstring(_codec.encode(purchase_order(), "xml"))
    assert root.findtext("IsTest") == "false"
    assert root.findtext("LineItem/IsReceiptRequired") == "true"
    assert root.findtext("Shipping") == "0.00000000"  # not 0E-8
    assert root.findtext("Tax") == "10"
    assert root.findtext("LineItem/RequestedDeliveryDate") == "2024-02-29"
    assert root.findtext("OrderDate") == "2011-08-12T20:17:46.384000+00:00"


# -- values by field type -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("true", True), ("false", False), ("True", True), ("FALSE", False), ("1", True),
     ("0", False), (" true ", True)],
)
def test_booleans(text: str, value: bool) -> None:
    assert _codec.decode(xml(f"<F><Name>x</Name><Active>{text}</Active></F>"), Flags,
                         "xml").active is value


def test_integers_decimals_and_dates_are_converted_by_field_type() -> None:
    receipt = _codec.decode(xml(
        "<PurchaseOrderReceipt><LineItemExternalID>L1</LineItemExternalID>"
        "<PurchaseOrderNumber>PO1</PurchaseOrderNumber>"
        "<ReceivedQuantity>\n  12345678901234567890.123456789\n</ReceivedQuantity>"
        "<ReceivedDate>2024-01-31</ReceivedDate></PurchaseOrderReceipt>"
    ), PurchaseOrderReceipt, "xml")
    assert receipt.received_quantity == Decimal("12345678901234567890.123456789")
    assert type(receipt.received_quantity) is Decimal
    assert receipt.received_date == dt.date(2024, 1, 31)
    page = vendors("<TotalCount> 42 </TotalCount><Vendor><StatusList><Code>7</Code>"
                   "<RecordNumber>3</RecordNumber></StatusList></Vendor>")
    assert page.total_count == 42
    assert page.vendor
    assert page.vendor[0].status_list
    status = page.vendor[0].status_list[0]
    assert (status.code, status.record_number) == (7, 3)


def test_a_date_time_with_zone_and_text_fields_are_kept_exactly() -> None:
    order = _codec.decode(_codec.encode(purchase_order(), "xml"), PurchaseOrder, "xml")
    assert order.order_date == dt.datetime(2011, 8, 12, 20, 17, 46, 384000, tzinfo=dt.UTC)
    assert order.line_item[0].create_date == "2019-12-13 20:00:37.0"
    flags = _codec.decode(xml("<F><Name>  padded  </Name><Note>007</Note></F>"), Flags, "xml")
    assert (flags.name, flags.note) == ("  padded  ", "007")


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_any_decimal_survives_the_xml_round_trip_exactly(amount: Decimal) -> None:
    allocation = Allocation(amount=amount, gross_amount=amount, percentage=amount)
    back = _codec.decode(_codec.encode(allocation, "xml"), Allocation, "xml")
    assert back.amount == amount
    assert type(back.amount) is Decimal


# -- empty and missing elements -------------------------------------------------------------------


def test_empty_elements() -> None:
    flags = _codec.decode(xml("<F><Name/><Note></Note><Count/><Active>  </Active></F>"), Flags,
                          "xml")
    # A required text field reads as empty text; anything optional as absent.
    assert flags == Flags(name="", note=None, count=None, active=None)


def test_missing_elements_take_their_defaults_and_required_ones_are_named() -> None:
    assert _codec.decode(xml("<F><Name>x</Name></F>"), Flags, "xml") == Flags(name="x")
    with pytest.raises(DecodeError, match="Name") as caught:
        _codec.decode(xml("<F><Note>x</Note></F>"), Flags, "xml")
    assert caught.value.path == "$"


def test_an_empty_element_of_a_list_field_holds_no_item() -> None:
    page = vendors("<Items/><Vendor/><NextPage/><TotalCount>0</TotalCount>")
    assert (page.vendor, page.items, page.next_page, page.total_count) == (None, None, None, 0)
    page = vendors("<Vendor><VendorGroupList/><VendorGroupList>One</VendorGroupList>"
                   "<StatusList/></Vendor>")
    assert page.vendor == [Vendor(vendor_group_list=["One"])]


# -- tolerated input ------------------------------------------------------------------------------


def test_namespaces_on_input_are_ignored() -> None:
    body = xml(
        '<VendorCollection xmlns="http://www.concursolutions.com/api/invoice/vendor/2010/04"'
        ' xmlns:c="urn:concur"><Vendor><VendorCode>A</VendorCode><c:City>Paris</c:City>'
        "</Vendor><c:Vendor><c:VendorCode>B</c:VendorCode></c:Vendor></VendorCollection>"
    )
    page = _codec.decode(body, VendorCollection, "xml")
    assert [(v.vendor_code, v.city) for v in page.vendor or []] == [("A", "Paris"), ("B", None)]


def test_unknown_elements_comments_and_other_spellings() -> None:
    page = vendors("<!-- a comment --><Vendor><?pi x?><vendorcode>A</vendorcode>"
                   "<NewFieldConcurAddedLater><Deep>1</Deep></NewFieldConcurAddedLater>"
                   "<VENDORNAME>Acme</VENDORNAME></Vendor>")
    assert page.vendor == [Vendor(vendor_code="A", vendor_name="Acme")]


def test_an_untyped_field_reads_as_nested_dicts_and_lists() -> None:
    flags = _codec.decode(xml("<F><Name>x</Name><Extra><A>1</A><B>2</B><B>3</B></Extra></F>"),
                          Flags, "xml")
    assert flags.extra == {"A": "1", "B": ["2", "3"]}
    page = _codec.decode(xml("<VendorCollection><Items><Any>thing</Any></Items>"
                             "</VendorCollection>"), VendorCollectionV30, "xml")
    assert page.items == {"Any": "thing"}


# -- lists ---------------------------------------------------------------------------------------


def test_a_list_as_repeated_elements() -> None:
    page = vendors("<Vendor><VendorCode>A</VendorCode><VendorGroupList>One</VendorGroupList>"
                   "<VendorGroupList>Two</VendorGroupList></Vendor>"
                   "<Vendor><VendorCode>B</VendorCode></Vendor>")
    assert [v.vendor_code for v in page.vendor or []] == ["A", "B"]
    assert page.vendor
    assert page.vendor[0].vendor_group_list == ["One", "Two"]


def test_one_repeated_element_is_a_list_of_one() -> None:
    page = vendors("<Vendor><VendorCode>A</VendorCode><StatusList><Code>0</Code></StatusList>"
                   "<VendorGroupList>Only</VendorGroupList></Vendor>")
    assert page.vendor == [Vendor(vendor_code="A", status_list=[Status(code=0)],
                                  vendor_group_list=["Only"])]


def test_a_list_inside_a_wrapper_element() -> None:
    page = vendors("<Vendor><StatusList><Status><Code>1</Code></Status>"
                   "<Status><Code>2</Code></Status></StatusList>"
                   "<VendorGroupList><string>One</string><string>Two</string>"
                   "</VendorGroupList></Vendor>")
    assert page.vendor
    assert page.vendor[0].status_list == [Status(code=1), Status(code=2)]
    assert page.vendor[0].vendor_group_list == ["One", "Two"]


def test_an_item_starting_with_an_unknown_field_is_not_taken_for_a_wrapper() -> None:
    page = vendors("<Vendor><StatusList><Severity>high</Severity><Code>5</Code></StatusList>"
                   "<StatusList><Unknown>x</Unknown></StatusList></Vendor>")
    assert page.vendor
    assert page.vendor[0].status_list == [Status(code=5), Status()]


def test_a_top_level_list() -> None:
    body = xml("<StatusList><Status><Code>1</Code></Status><Status><Type>ERROR</Type>"
               "</Status></StatusList>")
    assert _codec.decode(body, list[Status], "xml") == [Status(code=1), Status(type="ERROR")]


# -- errors --------------------------------------------------------------------------------------


def test_a_type_error_names_the_field_path() -> None:
    with pytest.raises(DecodeError) as caught:
        vendors("<Vendor><VendorCode>A</VendorCode></Vendor>"
                "<Vendor><StatusList><Code>zero</Code></StatusList></Vendor>")
    assert caught.value.path == "$.Vendor[1].StatusList[0].Code"
    assert isinstance(caught.value, ConcurError)


def test_elements_where_text_belongs_are_refused_not_dropped() -> None:
    with pytest.raises(DecodeError) as caught:
        vendors("<Vendor><VendorName>\n  <First>A</First>\n</VendorName></Vendor>")
    assert caught.value.path == "$.Vendor[0].VendorName"


def test_money_holding_words_is_refused() -> None:
    with pytest.raises(DecodeError) as caught:
        _codec.decode(xml("<Allocation><Amount>a lot</Amount><GrossAmount>1</GrossAmount>"
                          "<Percentage>1</Percentage></Allocation>"), Allocation, "xml")
    assert caught.value.path == "$.Amount"


@pytest.mark.parametrize("body", [b"", b"<VendorCollection>", b"{}", b"<a></b>",
                                  b"<a>&undefined;</a>"])
def test_malformed_xml_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(DecodeError, match="malformed XML"):
        _codec.decode(body, VendorCollection, "xml")


# -- hostile documents ----------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<VendorCollection><Vendor><VendorName>&lol9;</VendorName></Vendor></VendorCollection>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE v [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<VendorCollection><Vendor><VendorName>&secret;</VendorName></Vendor></VendorCollection>"""

NETWORK_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE VendorCollection SYSTEM "http://127.0.0.1:9/evil.dtd">
<VendorCollection/>"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE v [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<VendorCollection/>"""


@pytest.mark.parametrize(
    "body", [BILLION_LAUGHS, EXTERNAL_ENTITY, NETWORK_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "network-dtd", "parameter-entity"],
)
def test_documents_with_a_doctype_or_entities_are_refused(body: bytes) -> None:
    with pytest.raises(DecodeError, match="DOCTYPE or entity"):
        _codec.decode(body, VendorCollection, "xml")


@pytest.mark.parametrize("document", [EXTERNAL_ENTITY, BILLION_LAUGHS],
                         ids=["external-entity", "billion-laughs"])
def test_a_doctype_in_an_encoding_the_byte_check_cannot_read_is_refused(document: bytes) -> None:
    body = document.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" '
                            b'encoding="UTF-16"?>').decode().encode("utf-16")
    assert b"<!DOCTYPE" not in body
    with pytest.raises(DecodeError) as caught:
        _codec.decode(body, VendorCollection, "xml")
    assert "root:" not in str(caught.value)
    assert "lollol" not in str(caught.value)


def test_an_oversized_nesting_is_refused_not_recursed() -> None:
    body = b"<VendorCollection>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</VendorCollection>"
    with pytest.raises(DecodeError, match="malformed XML"):
        _codec.decode(body, VendorCollection, "xml")


def test_a_decode_error_is_the_only_error_for_junk() -> None:
    for junk in (b"\x00\x01", b"<\xff>", HEAD + b"<F><Name>\xe9</Name></F>"):
        with pytest.raises(DecodeError):
            _codec.decode(junk, Flags, "xml")


def test_vendor_structs_stay_msgspec_structs() -> None:
    # The codec returns the generated structs, not dicts: attribute access and equality.
    page = vendors("<Vendor><VendorCode>A</VendorCode></Vendor>")
    assert isinstance(page, msgspec.Struct)
    assert page.vendor
    assert isinstance(page.vendor[0], Vendor)
