"""XML in Concur's conventions, read and written through the same structs as JSON.

Conventions (as the seeds show them): the root element is named after the schema
(``<VendorCollection>``, ``<PurchaseOrder>``); a list field is its element repeated (or, in
some APIs, a wrapper element holding the repeated items); a nested struct is a child element;
values are text converted by the field's type. Namespaces are ignored on input. An empty
element reads as ``""`` for a required text field and as absent (``None``) otherwise; in a
list field it holds no item.

The parser is hardened: a document with a DOCTYPE or entity declaration is refused before
parsing (and again after, whatever its encoding), and lxml is told not to load DTDs, resolve
entities or touch the network. An indented document is parsed without the whitespace between
elements, where that leaves what the walk reads unchanged (``_INDENTED_PARSER``).

Reading is the hot path (a 1,000-vendor page is ~45,000 elements), so each struct type is
compiled once into a ``_Plan``: a dict from element tag to what to do with it, and the sets of
tags that are plain text fields. The walk is one loop per struct element; a text field spelled
exactly takes two set lookups, other spellings are looked up once per plan and remembered. The
values it collects are text, and ``msgspec.convert(strict=False)`` turns them into bool, int,
Decimal and dates by field type. lxml stays the parser: of the parsers measured
(``benchmarks/xml_options.py``, docs/xml.md) none reads a page faster once its result is read
from Python, and none is hardened as lxml is (a depth limit among them).

Writing builds the document as text, escaped as lxml escapes element text (``&``, ``<``,
``>``, and ``\r`` as ``&#13;``), byte for byte what lxml writes for the same tree; a test holds
the two together. lxml still writes what the text writer leaves to it: namespaced or
non-ASCII names, and text XML cannot hold, which it refuses with ``ValueError``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from lxml import etree

from .._errors import DecodeError
from ._lenient import convert
from ._shape import NATIVE, Shape, error_path, shape_of

__all__ = ["RefusedXMLError", "decode", "document", "encode", "parse", "walked", "well_formed"]

T = TypeVar("T")


def _hardened(*, remove_blank_text: bool = False) -> etree.XMLParser:
    """No DTD, no entity expansion, no network; libxml2's own depth and size limits kept."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        remove_blank_text=remove_blank_text,
    )


_PARSER = _hardened()
#: The same parser for indented documents, leaving out the whitespace between elements that
#: the walk never reads (libxml2's "blank" text): parsing and walking an indented page is
#: faster without those nodes. libxml2 also takes for blank the whitespace before a comment,
#: CDATA, processing instruction or carriage return, even inside a leaf's text; so it is used
#: only for documents holding none of those, where what the walk reads is the same.
_INDENTED_PARSER = _hardened(remove_blank_text=True)
_INDENT = re.compile(rb">\n[ \t]")

# What a field's element holds, as the walk dispatches on it.
_TEXT, _STR, _STRUCT, _STRUCTS, _VALUES = range(5)
_Entry = tuple[str, int, Any]


class _Plan:
    """One struct type, compiled: element tag -> (wire name, kind, detail).

    The detail is the nested ``_Plan`` for structs and lists of structs, the item ``Shape``
    for other lists, and for text whether an empty element means ``""`` (a required str).
    ``strs`` holds the tags of text fields read as they are (the walk's fast path) and
    ``required`` those of them that read an empty element as ``""``.
    """

    __slots__ = ("by_lower", "fields", "required", "seen", "strs", "texts")

    def __init__(self) -> None:
        self.fields: dict[str, _Entry] = {}
        self.by_lower: dict[str, str] = {}
        self.strs: frozenset[str] = frozenset()
        self.required: frozenset[str] = frozenset()
        #: Tags of the other text fields (numbers, booleans, dates, untyped): read stripped.
        self.texts: frozenset[str] = frozenset()
        #: Tags the exact lookup missed, with what ``slow`` found (bounded: see _SEEN).
        self.seen: dict[str, _Entry | None] = {}

    def slow(self, tag: Any) -> _Entry | None:
        """A tag the exact lookup missed: namespaced, or spelled in another case."""
        if not isinstance(tag, str):
            return None  # an entity reference
        try:
            return self.seen[tag]
        except KeyError:
            pass
        local = tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag
        found = self.fields.get(local)
        if found is None and (wire := self.by_lower.get(local.lower())) is not None:
            found = self.fields[wire]
        if len(self.seen) < _SEEN:
            # A namespaced document spells every tag this way: look each up once.
            self.seen[tag] = found
        return found


#: Tags a plan remembers beyond its own: enough for a document's namespace and spellings,
#: not for a hostile one inventing a new tag per element.
_SEEN = 256

_plans: dict[int, tuple[Shape, _Plan]] = {}


def _plan(shape: Shape) -> _Plan:
    cached = _plans.get(id(shape))
    if cached is not None:
        return cached[1]
    plan = _Plan()
    # Registered before its fields are planned, so a recursive struct finds itself; kept
    # with its shape, so the id stays that shape's.
    _plans[id(shape)] = (shape, plan)
    for wire, field in (shape.fields or {}).items():
        entry: _Entry
        if field.fields is not None:
            entry = (wire, _STRUCT, _plan(field))
        elif field.is_list and field.item is not None and field.item.fields is not None:
            entry = (wire, _STRUCTS, _plan(field.item))
        elif field.is_list and field.item is not None:
            entry = (wire, _VALUES, field.item)
        elif field.is_str:
            entry = (wire, _STR, not field.optional)
        else:
            entry = (wire, _TEXT, False)
        plan.fields[wire] = entry
        plan.by_lower[wire.lower()] = wire
    plan.strs = frozenset(w for w, (_, kind, _) in plan.fields.items() if kind == _STR)
    plan.required = frozenset(w for w, (_, kind, req) in plan.fields.items()
                              if kind == _STR and req)
    plan.texts = frozenset(w for w, (_, kind, _) in plan.fields.items() if kind == _TEXT)
    return plan


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag


def _struct(el: Any, plan: _Plan) -> dict[str, Any]:
    strs = plan.strs
    texts = plan.texts
    fields = plan.fields
    out: dict[str, Any] = {}
    for child in el:
        tag = child.tag
        if tag in strs:
            # Most elements: a text field spelled exactly, holding text.
            text = child.text
            if text is None or text.isspace():
                # Nested elements where text belongs: hand them on, so the struct's type
                # check names the field rather than the walk dropping them.
                out[tag] = _generic(child) if len(child) else (
                    "" if tag in plan.required else None)
            else:
                out[tag] = text
            continue
        if tag in texts:
            # A number, boolean or date spelled exactly: the same, stripped.
            text = child.text
            if text is None or text.isspace():
                out[tag] = _generic(child) if len(child) else None
            else:
                out[tag] = text.strip()
            continue
        entry = fields.get(tag)
        if entry is None and (entry := plan.slow(tag)) is None:
            continue
        wire, kind, detail = entry
        if kind == _STR:
            text = child.text
            if text is None or text.isspace():
                out[wire] = _generic(child) if len(child) else ("" if detail else None)
            else:
                out[wire] = text
        elif kind == _TEXT:
            text = child.text
            if text is None or text.isspace():
                out[wire] = _generic(child) if len(child) else None
            else:
                out[wire] = text.strip()
        elif kind == _STRUCT:
            out[wire] = _struct(child, detail)
        elif kind == _STRUCTS:
            if not len(child):
                continue  # an empty element holds no item: <Items/> reads as "Items": null
            bucket = out.get(wire)
            if bucket is None:
                bucket = out[wire] = []
            item = _struct(child, detail)
            # A wrapper's children are none of the item's fields, so it reads as an empty
            # item: only then is it worth asking whether it is one.
            if item or not _is_wrapper(child, detail):
                bucket.append(item)
            else:
                bucket.extend([_struct(c, detail) for c in child])  # <List><Item/>...</List>
        elif len(child) or detail.is_list:
            if values := _values(child, detail):
                bucket = out.get(wire)
                if bucket is None:
                    out[wire] = values
                else:
                    bucket.extend(values)
        else:
            # One value of a list of values, repeated (``<VendorGroupList>A</...>``).
            text = child.text
            if text is not None and not text.isspace():
                value = text if detail.is_str else text.strip()
                bucket = out.get(wire)
                if bucket is None:
                    out[wire] = [value]
                else:
                    bucket.append(value)
    return out


def _is_wrapper(el: Any, plan: _Plan) -> bool:
    """Whether a list field's element holds the items rather than being one: its children
    all share one tag, and that tag is none of the item's fields."""
    first = el[0].tag
    return (first not in plan.fields and plan.slow(first) is None
            and all(c.tag == first for c in el))


def _values(el: Any, item: Shape) -> list[Any]:
    """One element of a list of values: a value, a wrapper holding the values, or empty."""
    if len(el):
        return [_scalar(c, item) for c in el if isinstance(c.tag, str)]
    text = el.text
    return [] if text is None or text.isspace() else [_scalar(el, item)]


def _scalar(el: Any, shape: Shape) -> Any:
    if shape.is_list and shape.item is not None:
        return _values(el, shape.item)
    text = el.text
    if text is None or text.isspace():
        if len(el):
            return _generic(el)
        return "" if (shape.is_str and not shape.optional) else None
    return text if shape.is_str else text.strip()


def _generic(el: Any) -> Any:
    """An element whose type the struct leaves open (``Any``): dicts, lists and text."""
    if not len(el):
        return el.text
    out: dict[str, Any] = {}
    for child in el:
        tag = _local(child.tag)
        value = _generic(child)
        if tag in out:
            prev = out[tag]
            out[tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[tag] = value
    return out


def parse(body: bytes) -> Any:
    """Parse untrusted XML, refusing DTDs and entities outright."""
    # XML spells both keywords in capitals; a lower-case one is a syntax error to lxml.
    marked = b"<!" in body
    if marked and (b"<!DOCTYPE" in body or b"<!ENTITY" in body):
        raise RefusedXMLError("XML with a DOCTYPE or entity declaration is refused")
    parser = _PARSER
    if (not marked and _INDENT.search(body, 0, 4096) and b"\r" not in body
            and body.find(b"<?", 5 if body.startswith(b"<?xml") else 0) == -1):
        parser = _INDENTED_PARSER
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        if _declares_entities(body):
            raise RefusedXMLError("XML whose entities break the parser's limits is refused") \
                from None
        raise DecodeError(f"malformed XML: {exc}") from None
    except ValueError as exc:
        raise DecodeError(f"malformed XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        # Only reachable in an encoding the byte check cannot read (UTF-16, UTF-32).
        raise RefusedXMLError("XML with a DOCTYPE or entity declaration is refused")
    return root


def document(body: bytes) -> Any:
    """The whole document as dicts and text, whatever the structs declare."""
    return _generic(parse(body))


class RefusedXMLError(DecodeError):
    """XML refused on purpose (a DTD or entity), not because it is damaged."""


def _declares_entities(body: bytes) -> bool:
    """Whether a body the byte check could not read (UTF-16, UTF-32) declares a DTD or an
    entity: a bomb, refused on purpose, rather than damage."""
    for encoding in ("utf-16", "utf-32"):
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            return True
    return False


def well_formed(body: bytes) -> bool:
    """Whether ``body`` is XML at all: refused on purpose counts as well-formed, since the
    same answer would come again."""
    try:
        parse(body)
    except RefusedXMLError:
        return True
    except DecodeError:
        return False
    return True


def decode(body: bytes, type_: type[T]) -> T:
    shape = shape_of(type_)
    data = walked(parse(body), shape)
    try:
        return convert(data, type_, shape)
    except msgspec.ValidationError as exc:
        raise DecodeError(
            f"{getattr(type_, '__name__', type_)}: {exc}", path=error_path(exc)
        ) from None


def walked(root: Any, shape: Shape) -> Any:
    """The parsed document ``root`` as the builtins ``msgspec.convert`` takes for ``shape``."""
    data: Any
    if shape.fields is not None:
        data = _struct(root, _plan(shape))
    elif shape.is_list and shape.item is not None and shape.item.fields is not None:
        plan = _plan(shape.item)
        data = [_struct(child, plan) for child in root if isinstance(child.tag, str)]
    elif shape.is_list and shape.item is not None:
        data = [v for child in root if isinstance(child.tag, str)
                for v in _values(child, shape.item)]
    else:
        data = _scalar(root, shape)
    return data


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # str() would write 0.00000000 as 0E-8
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def encode(obj: Any, *, root: str | None = None) -> bytes:
    """``obj`` as Concur's XML: written as text, byte for byte what lxml writes for the same
    tree (a test holds the two together); names only lxml can judge, and text XML cannot
    hold (which lxml refuses), go to lxml."""
    data = msgspec.to_builtins(obj, builtin_types=NATIVE)
    name = root or getattr(type(obj), "__xml_root__", None) or type(obj).__name__
    parts = [_DECLARATION]
    texts: list[str] = []
    try:
        if isinstance(data, list):
            item_name = type(obj[0]).__name__ if obj else "Item"
            _element(parts, texts, name, {item_name: data})
        else:
            _element(parts, texts, name, data)
    except _NeedsLxml:
        return _encode_lxml(data, obj, name)
    written = "".join(texts)
    if not written.isprintable() and _INVALID.search(written):
        return _encode_lxml(data, obj, name)  # raises ValueError, as it always did
    return "".join(parts).encode()


_DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
#: Element names written as they are; any other name is lxml's to accept or refuse.
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
#: Name -> (start tag, end tag, empty element), for the plain names met so far.
_tags: dict[str, tuple[str, str, str]] = {}
#: Characters XML 1.0 cannot hold at all (lxml refuses them).
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _NeedsLxml(Exception):
    """A name the writer leaves to lxml (namespaced, non-ASCII, or not a name at all)."""


def _tag(name: Any) -> tuple[str, str, str]:
    if not isinstance(name, str) or _PLAIN_NAME.fullmatch(name) is None:
        raise _NeedsLxml
    tags = (f"<{name}>", f"</{name}>", f"<{name}/>")
    if len(_tags) < 4096:  # names come from structs; a dict of made-up keys is not kept
        _tags[name] = tags
    return tags


def _escape(text: str) -> str:
    # What lxml escapes in element text; \r too, which a parser would turn into \n.
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _element(parts: list[str], texts: list[str], name: str, data: Any) -> None:
    """Append ``data`` as element ``name``; each text also goes in ``texts``, so the
    document's text can be checked for what XML cannot hold in one pass at the end."""
    start, end, empty = _tags.get(name) or _tag(name)
    if not isinstance(data, dict):
        text = data if type(data) is str else _text_of(data)
        texts.append(text)
        if "&" in text or "<" in text or ">" in text or "\r" in text:
            text = _escape(text)
        parts.append(start)
        parts.append(text)
        parts.append(end)
        return
    mark = len(parts)
    parts.append(start)
    for key, value in data.items():
        if value is None:
            continue
        if type(value) is str:
            # Most fields: text, written here rather than one call deeper.
            inner = _tags.get(key) or _tag(key)
            texts.append(value)
            if "&" in value or "<" in value or ">" in value or "\r" in value:
                value = _escape(value)
            parts.append(inner[0] + value + inner[1])
        elif isinstance(value, list):
            for item in value:
                _element(parts, texts, key, item)
        else:
            _element(parts, texts, key, value)
    if len(parts) == mark + 1:
        parts[mark] = empty  # no child element: lxml writes <Name/>
    else:
        parts.append(end)


def _fill(el: Any, data: Any) -> None:
    if isinstance(data, Mapping):
        for key, value in data.items():
            if value is None:
                continue
            if isinstance(value, list | tuple):
                for item in value:
                    _fill(etree.SubElement(el, key), item)
            else:
                _fill(etree.SubElement(el, key), value)
    else:
        el.text = _text_of(data)


def _encode_lxml(data: Any, obj: Any, name: str) -> bytes:
    """The writer for what ``encode`` leaves to lxml: namespaced or non-ASCII names, and
    text XML cannot hold (lxml raises ``ValueError``)."""
    top = etree.Element(name)
    if isinstance(data, list):
        item_name = type(obj[0]).__name__ if obj else "Item"
        for item in data:
            _fill(etree.SubElement(top, item_name), item)
    else:
        _fill(top, data)
    return bytes(etree.tostring(top, xml_declaration=True, encoding="UTF-8"))
