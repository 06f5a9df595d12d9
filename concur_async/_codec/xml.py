"""XML in Concur's conventions, read and written through the same structs as JSON.

Conventions (as the seeds show them): the root element is named after the schema
(``<VendorCollection>``, ``<PurchaseOrder>``); a list field is its element repeated (or, in
some APIs, a wrapper element holding the repeated items); a nested struct is a child element;
values are text converted by the field's type. Namespaces are ignored on input.

The parser is hardened: a document with a DOCTYPE or entity declaration is refused before
parsing, and lxml is told not to load DTDs, resolve entities or touch the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from lxml import etree

from .._errors import DecodeError
from ._shape import Shape, error_path, shape_of

__all__ = ["decode", "encode"]

T = TypeVar("T")

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
_NATIVE = (datetime, date, time, Decimal)


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""  # comments and processing instructions
    return tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag


def _text(el: Any, shape: Shape) -> Any:
    text = el.text
    if text is None or not text.strip():
        return "" if (shape.is_str and not shape.optional) else None
    return text if shape.is_str else text.strip()


def _value(el: Any, shape: Shape) -> Any:
    if shape.fields is not None:
        return _struct(el, shape)
    if shape.is_list and shape.item is not None:
        return [_value(child, shape.item) for child in el if isinstance(child.tag, str)]
    if len(el):
        return _generic(el)
    return _text(el, shape)


def _struct(el: Any, shape: Shape) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in el:
        found = shape.lookup(_local(child.tag))
        if found is None:
            continue
        wire, field = found
        if field.is_list and field.item is not None:
            bucket = out.setdefault(wire, [])
            if _is_wrapper(child, field.item):
                bucket.extend(_value(g, field.item) for g in child if isinstance(g.tag, str))
            else:
                bucket.append(_value(child, field.item))
        else:
            out[wire] = _value(child, field)
    return out


def _is_wrapper(el: Any, item: Shape) -> bool:
    """A list written as ``<List><Item/><Item/></List>`` rather than repeated ``<List>``."""
    if not len(el):
        return False
    if item.fields is None:
        return True  # scalars inside an element: each child is one value
    tags = {_local(c.tag) for c in el if isinstance(c.tag, str)}
    return len(tags) == 1 and item.lookup(next(iter(tags))) is None


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
    head = body[:4096].upper()
    if b"<!DOCTYPE" in head or b"<!ENTITY" in body.upper():
        raise DecodeError("XML with a DOCTYPE or entity declaration is refused")
    try:
        return etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise DecodeError(f"malformed XML: {exc}") from None


def decode(body: bytes, type_: type[T]) -> T:
    root = parse(body)
    shape = shape_of(type_)
    if shape.is_list and shape.item is not None:
        data: Any = [_value(c, shape.item) for c in root if isinstance(c.tag, str)]
    else:
        data = _value(root, shape)
    try:
        return msgspec.convert(data, type_, strict=False)
    except msgspec.ValidationError as exc:
        raise DecodeError(
            f"{getattr(type_, '__name__', type_)}: {exc}", path=error_path(exc)
        ) from None


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


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


def encode(obj: Any, *, root: str | None = None) -> bytes:
    data = msgspec.to_builtins(obj, builtin_types=_NATIVE)
    name = root or getattr(type(obj), "__xml_root__", None) or type(obj).__name__
    if isinstance(data, list):
        top = etree.Element(name)
        item_name = type(obj[0]).__name__ if obj else "Item"
        for item in data:
            _fill(etree.SubElement(top, item_name), item)
    else:
        top = etree.Element(name)
        _fill(top, data)
    return bytes(etree.tostring(top, xml_declaration=True, encoding="UTF-8"))
