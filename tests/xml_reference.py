"""The XML walk as it was before issue 16 (item 3), kept as the reference the new one must
match: ``test_codec_xml_reference`` and the corpus check decode every document both ways.

A frozen copy, not imported by the SDK: change it only to follow a deliberate change in the
documented XML semantics (the module docstring of ``concur_async._codec.xml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import msgspec
from lxml import etree

from concur_async._codec._shape import NATIVE, Shape, shape_of

__all__ = ["encoded", "parse", "walked"]

# What a field's element holds, as the walk dispatches on it.
_TEXT, _STR, _STRUCT, _STRUCTS, _VALUES = range(5)
_Entry = tuple[str, int, Any]


class _Plan:
    """One struct type, compiled: element tag -> (wire name, kind, detail).

    The detail is the nested ``_Plan`` for structs and lists of structs, the item ``Shape``
    for other lists, and for text whether an empty element means ``""`` (a required str).
    """

    __slots__ = ("by_lower", "fields")

    def __init__(self) -> None:
        self.fields: dict[str, _Entry] = {}
        self.by_lower: dict[str, str] = {}

    def slow(self, tag: Any) -> _Entry | None:
        """A tag the exact lookup missed: namespaced, or spelled in another case."""
        if not isinstance(tag, str):
            return None  # an entity reference
        local = tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag
        found = self.fields.get(local)
        if found is None and (wire := self.by_lower.get(local.lower())) is not None:
            found = self.fields[wire]
        return found


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
    return plan


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[1] if tag[:1] == "{" else tag


def _struct(el: Any, plan: _Plan) -> dict[str, Any]:
    get = plan.fields.get
    out: dict[str, Any] = {}
    for child in el:
        entry = get(child.tag)
        if entry is None and (entry := plan.slow(child.tag)) is None:
            continue
        wire, kind, detail = entry
        if kind == _STR:
            text = child.text
            if text is None or text.isspace():
                # Nested elements where text belongs: hand them on, so the struct's type
                # check names the field rather than the walk dropping them.
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
            if _is_wrapper(child, detail):
                bucket.extend(_struct(c, detail) for c in child)  # <List><Item/>...</List>
            else:
                bucket.append(_struct(child, detail))
        elif values := _values(child, detail):
            bucket = out.get(wire)
            if bucket is None:
                out[wire] = values
            else:
                bucket.extend(values)
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


_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)


def parse(body: bytes) -> Any:
    """The tree the old decoder walked (it refused DOCTYPEs before parsing, as now)."""
    return etree.fromstring(body, _PARSER)


def walked(root: Any, type_: Any) -> Any:
    """What the old decoder handed ``msgspec.convert`` for the parsed document ``root``."""
    shape = shape_of(type_)
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


def encoded(obj: Any, *, root: str | None = None) -> bytes:
    """What the old writer (an lxml tree, serialized) made of ``obj``."""
    data = msgspec.to_builtins(obj, builtin_types=NATIVE)
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
