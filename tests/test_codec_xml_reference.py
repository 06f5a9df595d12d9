"""The XML codec against the one it replaced (``xml_reference``, a frozen copy): the same
documents read into the same builtins, and the same values written as the same bytes.

Documents are generated over the vocabulary of real structs (a vendor page, a purchase order,
a struct with a required text field and an untyped one): exact tags, other spellings,
namespaces, unknown elements, comments, empty and whitespace-only elements, wrappers and
repeated elements, text with padding and escapes. Writes are generated as builtins trees with
any text (control characters, lone surrogates, ``\\r``, non-BMP), names lxml takes or refuses,
and every scalar the codec spells. The corpus check is in ``tests/corpus``.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

import msgspec
import pytest
import xml_reference
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from concur_async import DecodeError, _codec
from concur_async._codec import xml as xml_codec
from concur_async._codec._shape import shape_of
from concur_async._model import V3Struct
from concur_async.invoice.purchase_orders import PurchaseOrder
from concur_async.invoice.vendor_models import Status, VendorBank
from concur_async.invoice.vendors import Vendor, VendorCollection
from concur_async.invoice.vendors_v3_0 import VendorCollection as VendorCollectionV30


class Flags(V3Struct, kw_only=True):
    """A required text field, optional ones, an untyped one and a list of numbers."""

    name: str
    note: str | None = None
    count: int | None = None
    active: bool | None = None
    extra: Any = None
    codes: list[int] | None = None
    status_list: list[Status] | None = None


TYPES: list[Any] = [VendorCollection, PurchaseOrder, Flags, VendorCollectionV30, list[Status],
                    list[str], str, int]


def _names(type_: Any) -> list[str]:
    """Every wire name the type's structs hold, however deep."""
    seen: set[int] = set()
    out: list[str] = []

    def visit(shape: Any) -> None:
        if id(shape) in seen:
            return
        seen.add(id(shape))
        if shape.item is not None:
            visit(shape.item)
        for name, field in (shape.fields or {}).items():
            out.append(name)
            visit(field)

    visit(shape_of(type_))
    return sorted(set(out))


VOCABULARY = [*sorted({n for t in TYPES for n in _names(t)}),
              "Unknown", "Status", "string", "Item", "a", "Deep"]
TEXTS = ["", " ", "\n  ", "\t", "\xa0", "\u3000", "x", " padded ", "42", " 7 ", "true", "FALSE",
         "2024-02-29", "2011-08-12T20:17:46.384000Z", "106.74", "1E+1", "a & b < c > d",
         "\"quoted\" 'single'", "\U0001f600 \u00e9", "line\nbreak", "Y", "no", "  \r\n x",
         "  \r\n  ", " \n  "]


def _spelled(draw: st.DrawFn, name: str) -> str:
    spelling = draw(st.sampled_from(["exact"] * 6 + ["lower", "upper", "prefix"]))
    return {"exact": name, "lower": name.lower(), "upper": name.upper(),
            "prefix": f"c:{name}"}[spelling]


def _text(draw: st.DrawFn) -> str:
    text = escape(draw(st.sampled_from(TEXTS)))
    if draw(st.integers(0, 4)) == 0:
        text = draw(st.sampled_from([f"<![CDATA[{text}]]>", f"{text}<!-- c -->",
                                     f"<?pi x?>{text}", f"&#x20;{text}", f"{text}&#xA0;",
                                     f"  <!-- c -->{text}", f"  <?pi x?>{text}",
                                     f"  <![CDATA[{text}]]>", f"  &#13;{text}"]))
    return text


@st.composite
def content(draw: st.DrawFn, shape: Any, depth: int = 0) -> str:
    """What an element holding a value of ``shape`` (None: unknown) may hold: mostly what the
    shape expects, sometimes something else (text for a struct, elements for text)."""
    form = draw(st.sampled_from(["expected"] * 5 + ["text", "empty", "children"]))
    if depth >= 4:
        form = draw(st.sampled_from(["text", "empty"]))
    if form == "expected" and shape is not None:
        if shape.fields is not None:
            return draw(children(shape, depth + 1))
        if shape.is_list and shape.item is not None:
            if draw(st.booleans()):  # a wrapper of items
                name = draw(st.sampled_from(["Status", "string", "Item", "Code"]))
                items = draw(st.lists(content(shape.item, depth + 1), max_size=3))
                return "".join(f"<{name}>{item}</{name}>" for item in items)
            return draw(content(shape.item, depth + 1))
        return _text(draw)
    if form == "children":
        return draw(children(None, depth + 1))
    return "" if form == "empty" else _text(draw)


@st.composite
def children(draw: st.DrawFn, shape: Any, depth: int) -> str:
    """The child elements of a struct of ``shape``: its fields (repeated, in any order),
    unknown elements, whitespace between them."""
    out = []
    for _ in range(draw(st.integers(0, 6))):
        if shape is not None and shape.fields and draw(st.integers(0, 9)) < 8:
            name = draw(st.sampled_from(sorted(shape.fields)))
            field = shape.fields[name]
        else:
            name, field = draw(st.sampled_from(VOCABULARY)), None
        tag = _spelled(draw, name)
        attributes = draw(st.sampled_from(["", "", ' xsi:nil="true"', ' id="1"']))
        inner = draw(content(field, depth))
        closing = draw(st.sampled_from(["long", "short"])) if not inner else "long"
        gap = draw(st.sampled_from(["", "", "\n  ", "\n\t"]))
        out.append(gap + (f"<{tag}{attributes}/>" if closing == "short"
                          else f"<{tag}{attributes}>{inner}</{tag}>"))
    return "".join(out)


@st.composite
def documents(draw: st.DrawFn) -> tuple[Any, bytes]:
    type_ = draw(st.sampled_from(TYPES))
    shape = shape_of(type_)
    root = draw(st.sampled_from(["VendorCollection", "PurchaseOrder", "F", "StatusList"]))
    namespaces = draw(st.sampled_from([
        ' xmlns:c="urn:c" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'] * 3 + [
        ' xmlns="http://www.concursolutions.com/api/invoice/vendor/2010/04" xmlns:c="urn:c"'
        ' xmlns:xsi="urn:xsi"',
    ]))
    inner = draw(children(shape, 1) if shape.fields is not None else content(shape))
    head = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8"?>\n']))
    return type_, f"{head}<{root}{namespaces}>{inner}</{root}>".encode()


def _both_ways(body: bytes, type_: Any) -> None:
    new = xml_codec.walked(xml_codec.parse(body), shape_of(type_))
    assert new == xml_reference.walked(xml_reference.parse(body), type_)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@example((VendorCollection, b"<VendorCollection><Vendor><StatusList><Status><Code>1</Code>"
                            b"</Status><Status><Code>2</Code></Status></StatusList><StatusList>"
                            b"<Unknown>x</Unknown></StatusList></Vendor></VendorCollection>"))
@example((Flags, b"<F><Name/><name>x</name><NAME>  </NAME><Codes><a>1</a><b> 2 </b></Codes>"
                 b"<Codes>3</Codes><Codes/><Extra><A>1</A><A>2</A></Extra></F>"))
def test_generated_documents_read_as_they_always_did(case: tuple[Any, bytes]) -> None:
    type_, body = case
    _both_ways(body, type_)


def test_the_benchmark_page_and_its_spellings_read_as_they_always_did() -> None:
    from benchmarks import codec_bench

    _, page = codec_bench.page(50)
    namespaced = page.replace(b"<VendorCollection>", b'<VendorCollection xmlns="urn:v">', 1)
    shouting = page.replace(b"<VendorCode>", b"<VENDORCODE>").replace(b"</VendorCode>",
                                                                     b"</VENDORCODE>")
    for body in (page, namespaced, shouting):
        _both_ways(body, VendorCollection)
        assert _codec.decode(body, VendorCollection, "xml") == _codec.decode(
            page, VendorCollection, "xml")


def test_a_plan_reads_the_same_whatever_it_met_before() -> None:
    # The walk remembers spellings per struct; a document must not read differently for
    # what came before it, nor once the memory is full.
    rng = random.Random(16)
    bodies = [f'<F xmlns="urn:{i}"><Name>n{i}</Name><NAME>m</NAME><Count>{i}</Count></F>'
              .encode() for i in range(300)]
    rng.shuffle(bodies)
    for body in bodies:
        _both_ways(body, Flags)
        decoded = _codec.decode(body, Flags, "xml")
        assert decoded.name == "m"


# -- writing ----------------------------------------------------------------------------------

NAMES = st.one_of(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True),
                  st.sampled_from(["\u00e9t\u00e9", "a:b", "1a", "a b", "", "{urn:x}A", "xml"]))
ANY_TEXT = st.one_of(st.text(), st.text(st.characters(codec=None, exclude_categories=())),
                     st.sampled_from(["\r", "a\r\nb", "\x01", "\ud800", "\ufffe", "\uffff",
                                      "\U0001f600", "&<>\"'", "\t\n", "]]>", "&amp;"]))
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), ANY_TEXT,
    st.decimals(allow_nan=False), st.dates(), st.datetimes(), st.times(),
    st.datetimes(timezones=st.just(dt.UTC)),
)
TREES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(NAMES, inner, max_size=5)), max_leaves=25)


def _same_output(write: Any) -> None:
    try:
        expected: Any = write(xml_reference.encoded)
    except Exception as exc:  # whatever the old writer raised, the new one must raise too
        with pytest.raises(type(exc)):
            write(xml_codec.encode)
        return
    assert write(xml_codec.encode) == expected


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(TREES, st.one_of(st.none(), NAMES))
def test_generated_writes_are_the_same_bytes(tree: Any, root: str | None) -> None:
    _same_output(lambda encode: encode(tree, root=root))


@given(st.lists(st.builds(
    Vendor, vendor_code=ANY_TEXT, vendor_name=st.none() | ANY_TEXT, payment_terms=st.integers(),
    vendor_group_list=st.none() | st.lists(ANY_TEXT, max_size=3),
    vendor_bank_list=st.none() | st.lists(st.builds(VendorBank, bank_name=ANY_TEXT),
                                          max_size=2),
), max_size=4))
def test_vendor_batches_are_the_same_bytes(vendors: list[Vendor]) -> None:
    _same_output(lambda encode: encode(VendorCollection(vendor=vendors)))
    _same_output(lambda encode: encode(vendors))


def test_a_purchase_order_and_a_page_are_the_same_bytes() -> None:
    from benchmarks import codec_bench, xml_options

    order = xml_options.purchase_order()
    page = VendorCollection(vendor=[codec_bench._vendor(i) for i in range(20)])
    for obj in (order, page, [order, order], []):
        assert xml_codec.encode(obj) == xml_reference.encoded(obj)
    assert xml_codec.encode(order, root="PurchaseOrder") == xml_reference.encoded(
        order, root="PurchaseOrder")


def test_text_xml_cannot_hold_is_refused_as_before() -> None:
    for text in ("\x00", "a\x1fb", "\ud800", "\uffff"):
        with pytest.raises(ValueError):
            xml_codec.encode({"Name": text})
    with pytest.raises(DecodeError):  # and what reads back refuses the same way
        _codec.decode(b"<F><Name>&#1;</Name></F>", Flags, "xml")


def test_escaped_text_reads_back_exactly() -> None:
    text = "a & b <c> \r\n d \U0001f600 ]]> &amp;"
    body = _codec.encode(Flags(name=text), "xml")
    assert b"&#13;" in body
    assert _codec.decode(body, Flags, "xml").name == text
    assert msgspec.json.decode(_codec.encode(Flags(name=text), "json"))["Name"] == text
    assert Decimal(1) == _codec.decode(_codec.encode(Flags(name="x", count=1), "xml"), Flags,
                                       "xml").count
