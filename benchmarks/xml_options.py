"""The ways to read (and write) Concur's XML that issue 16 asked to weigh, as contenders.

Each decoder reads the same 1,000-vendor page as ``codec_bench.page()`` and returns how many
vendors it handled. The complete ones end in ``VendorCollection`` structs; the rest stop at a
stage that any complete decoder on their route must pass, so they are floors: if a floor is
already slower than the SDK, that route cannot win.

- ``the page indented``: the SDK on the same page written one element a line, as the API
  explorer shows Concur's answers (the parser leaves out the whitespace between elements).
- ``hand-written lxml walk``: what an integration without the SDK writes for this one page
  (the SDK's hardened parser, a loop per vendor, ``msgspec.convert``); the SDK must not be
  slower than it.
- ``lxml iterparse + clear``: the page parsed incrementally, each vendor read by the SDK's
  walk as soon as it is complete and then cleared.
- ``lxml parse + XSLT to JSON + msgspec``: the only conversion that runs in C after lxml's
  parse (libxslt), with a stylesheet for this page; it leaves out the JSON escaping a real one
  needs, so it is a floor.
- ``ElementTree parse + SDK walk``: the standard library's C parser (expat) builds a tree of
  plain objects that a Python walk reads faster than lxml's proxies.
- ``pyexpat parse only``: expat with no callbacks at all, the least any expat-based reader
  pays.
- ``xmltodict-rs``, ``rxml``, ``pugixml`` (the ``bench`` extra): maintained Rust and C++
  parsers, up to the dicts they build or through reading each node's name and text once; each
  would still need the SDK's reshaping (lists only where the field is one, wrappers,
  spellings) and ``msgspec.convert`` after.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
from lxml import etree

from concur_async import _codec
from concur_async._codec import xml as xml_codec
from concur_async._codec._shape import shape_of
from concur_async.invoice.purchase_orders import (
    Allocation,
    BillToAddress,
    LineItem,
    PurchaseOrder,
    ShipToAddress,
)
from concur_async.invoice.vendors import VendorCollection

__all__ = ["HAND", "SDK", "SDK_INDENTED", "decoders", "encoders", "missing", "purchase_order"]

SDK = "codec xml -> structs"
SDK_INDENTED = "codec xml -> structs, the page indented"
HAND = "hand-written lxml walk -> structs"

_HARDENED = {"resolve_entities": False, "no_network": True, "load_dtd": False,
             "huge_tree": False, "remove_comments": True, "remove_pis": True,
             "collect_ids": False}

# The page as JSON, from XML, by libxslt: a member per element, the three lists as arrays.
_XSLT = b"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="/*">{"":0<xsl:apply-templates select="*[not(self::Vendor)]" mode="t"/>
<xsl:if test="Vendor">,"Vendor":[<xsl:for-each select="Vendor"><xsl:if
 test="position()!=1">,</xsl:if>{"":0<xsl:apply-templates select="*" mode="v"/>}</xsl:for-each>
]</xsl:if>}</xsl:template>
<xsl:template match="*" mode="t">,"<xsl:value-of select="local-name()"/>":"<xsl:value-of
 select="."/>"</xsl:template>
<xsl:template match="*" mode="v">,"<xsl:value-of select="local-name()"/>":"<xsl:value-of
 select="."/>"</xsl:template>
<xsl:template match="StatusList|VendorBankList" mode="v">,"<xsl:value-of
 select="local-name()"/>":[{"":0<xsl:apply-templates select="*" mode="t"/>}]</xsl:template>
<xsl:template match="VendorGroupList" mode="v">,"VendorGroupList":["<xsl:value-of
 select="."/>"]</xsl:template>
</xsl:stylesheet>"""


def _hand_walk(body: bytes) -> VendorCollection:
    root = etree.fromstring(body, xml_codec._PARSER)
    vendors = []
    for element in root.iterchildren("Vendor"):
        vendor: dict[str, Any] = {}
        for child in element:
            tag = child.tag
            if tag == "VendorBankList" or tag == "StatusList":
                vendor.setdefault(tag, []).append({c.tag: c.text for c in child})
            elif tag == "VendorGroupList":
                vendor.setdefault(tag, []).append(child.text)
            else:
                vendor[tag] = child.text
        vendors.append(vendor)
    page = {"Vendor": vendors, "NextPage": root.findtext("NextPage"),
            "TotalCount": root.findtext("TotalCount")}
    return msgspec.convert(page, VendorCollection, strict=False)


def _iterparse(body: bytes) -> VendorCollection:
    plan = xml_codec._plan(shape_of(VendorCollection)).fields["Vendor"][2]
    vendors = []
    parsed = etree.iterparse(io.BytesIO(body), events=("end",), tag="Vendor", **_HARDENED)
    for _, element in parsed:
        vendors.append(xml_codec._struct(element, plan))
        element.clear(keep_tail=True)
    root = parsed.root
    page = {"Vendor": vendors, "NextPage": root.findtext("NextPage"),
            "TotalCount": root.findtext("TotalCount")}
    return msgspec.convert(page, VendorCollection, strict=False)


def _element_tree(body: bytes) -> VendorCollection:
    root = ET.fromstring(body)
    data = xml_codec._struct(root, xml_codec._plan(shape_of(VendorCollection)))
    return msgspec.convert(data, VendorCollection, strict=False)


def _pyexpat(body: bytes) -> int:
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.Parse(body, True)
    return 1


def decoders(as_xml: bytes) -> dict[str, Callable[[], int]]:
    """Name -> a function decoding the page once and returning the vendors it read."""
    size = len(xml_codec.parse(as_xml).findall("Vendor"))
    transform = etree.XSLT(etree.fromstring(_XSLT))
    to_json = msgspec.json.Decoder(VendorCollection, strict=False)

    def xslt() -> int:
        return len(to_json.decode(bytes(transform(xml_codec.parse(as_xml)))).vendor or [])

    # The page as the API explorer shows Concur's answers: one element a line, indented.
    indented = etree.tostring(xml_codec.parse(as_xml), pretty_print=True,
                              xml_declaration=True, encoding="UTF-8")
    found: dict[str, Callable[[], int]] = {
        SDK: lambda: len(_codec.decode(as_xml, VendorCollection, "xml").vendor or []),
        SDK_INDENTED: lambda: len(_codec.decode(indented, VendorCollection, "xml").vendor
                                  or []),
        HAND: lambda: len(_hand_walk(as_xml).vendor or []),
        "lxml iterparse + clear, SDK walk per vendor": lambda: len(
            _iterparse(as_xml).vendor or []),
        "lxml parse + XSLT to JSON + msgspec (floor)": xslt,
        "ElementTree (expat) parse + SDK walk": lambda: len(
            _element_tree(as_xml).vendor or []),
        "pyexpat parse only, no callbacks (floor)": lambda: _pyexpat(as_xml) and size,
    }
    text = as_xml.decode()
    optional = {
        "xmltodict_rs": ("xmltodict-rs parse -> dicts only (floor)",
                         lambda m: m.parse(as_xml) and size),
        "rxml": ("rxml parse + read each element's tag and text (floor)",
                 lambda m: _rxml(m, text) and size),
        "pugixml": ("pugixml parse + read each element's tag and text (floor)",
                    lambda m: _pugixml(m, as_xml) and size),
    }
    parse_only = {
        "pugixml": ("pugixml parse only (floor)",
                    lambda m: m.pugi.XMLDocument().load_buffer(as_xml, len(as_xml)) and size),
    }
    for table in (optional, parse_only):
        for module, (name, run) in table.items():
            try:
                loaded = importlib.import_module(module)
            except ImportError:
                continue
            found[name] = (lambda r, m: lambda: r(m))(run, loaded)
    return found


def missing() -> list[str]:
    """The optional parsers this run could not measure (not installed)."""
    out = []
    for module in ("xmltodict_rs", "rxml", "pugixml"):
        try:
            importlib.import_module(module)
        except ImportError:
            out.append(module)
    return out


def _rxml(module: Any, text: str) -> int:
    count = 0
    stack = [module.read_string(text, "VendorCollection")]
    while stack:
        node = stack.pop()
        for child in node.children:
            count += (child.name, child.text) is not None
            stack.append(child)
    return count


def _pugixml(module: Any, body: bytes) -> int:
    document = module.pugi.XMLDocument()
    document.load_buffer(body, len(body))
    count = 0
    stack = [document.document_element()]
    while stack:
        node = stack.pop()
        for child in node.children():
            if child.name():
                count += child.child_value() is not None
                stack.append(child)
    return count


def purchase_order() -> PurchaseOrder:
    """One order as the purchase-order sync sends it: addresses, a line, its allocation."""
    address = {"address1": "1 Main St", "city": "Minneapolis", "country_code": "US",
               "external_id": "HQ", "postal_code": "55401", "state_province": "MN"}
    line = LineItem(external_id="L1", line_number="1", expense_type="Office Supplies",
                    quantity=Decimal(2), unit_price=Decimal("106.74"),
                    requested_delivery_date=dt.date(2024, 3, 4), is_receipt_required=True,
                    allocation=[Allocation(amount=Decimal("213.48"),
                                           gross_amount=Decimal("213.48"),
                                           percentage=Decimal(100))])
    return PurchaseOrder(
        purchase_order_number="PO0000001", name="Office chairs & desks <rush>",
        currency_code="USD", order_date=dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC),
        policy_external_id="PO", vendor_code="V0000001", vendor_address_code="MAIN",
        bill_to_address=BillToAddress(**address), ship_to_address=ShipToAddress(**address),
        line_item=[line], is_test=False,
    )


def encoders(batch: Any, order: Any) -> dict[str, Callable[[], int]]:
    """Name -> a function encoding once (a 100-vendor batch, a purchase order)."""
    return {
        "codec json <- 100-vendor batch": lambda: len(_codec.encode(batch, "json")) and 1,
        "codec xml <- 100-vendor batch": lambda: len(_codec.encode(batch, "xml")) and 1,
        "codec json <- purchase order": lambda: len(_codec.encode(order, "json")) and 1,
        "codec xml <- purchase order": lambda: len(_codec.encode(order, "xml")) and 1,
    }
