"""The shape of a type as the decoders need it: which wire fields are lists or structs.

Built once per type from ``msgspec.inspect`` and cached; the XML walk and the lenient reading
(``_lenient``) both read it, so the rule for "this field is a list" lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import msgspec
from msgspec import inspect as mi

__all__ = ["NATIVE", "Shape", "error_path", "holds_decimal", "shape_of"]

#: Values msgspec keeps as themselves when a struct becomes builtins (and takes back as they
#: are): they compare by value and are spelt on the wire by the codec's own rules.
NATIVE = (datetime, date, time, Decimal)


@dataclass(eq=False)
class Shape:
    """``fields`` for a struct (wire name -> shape), ``item`` for a list, neither for a scalar."""

    is_list: bool = False
    item: Shape | None = None
    fields: dict[str, Shape] | None = None
    optional: bool = False
    is_str: bool = False
    #: A scalar that may hold a ``Decimal`` (a Decimal field, or an untyped one).
    decimal: bool = False
    #: A scalar's type: ``bool``, ``date``, ``datetime``, ``str``, ``int``, or ``""``.
    kind: str = ""
    name: str = ""
    _by_lower: dict[str, str] = dc_field(default_factory=dict)

    def lookup(self, tag: str) -> tuple[str, Shape] | None:
        if self.fields is None:
            return None
        found = self.fields.get(tag)
        if found is not None:
            return tag, found
        wire = self._by_lower.get(tag.lower())
        return (wire, self.fields[wire]) if wire else None


def _build(info: mi.Type, seen: dict[Any, Shape]) -> Shape:
    optional = False
    if isinstance(info, mi.UnionType):
        members = [t for t in info.types if not isinstance(t, mi.NoneType)]
        optional = len(members) != len(info.types)
        # A union of struct/list and scalars is decoded by its richest member.
        members.sort(key=lambda t: 0 if isinstance(t, mi.StructType | mi.ListType) else 1)
        info = members[0] if members else mi.AnyType()
    if isinstance(info, mi.Metadata):
        info = info.type
    if isinstance(info, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        return Shape(is_list=True, item=_build(info.item_type, seen), optional=optional)
    if isinstance(info, mi.StructType):
        cached = seen.get(info.cls)
        if cached is not None:
            return cached
        shape = Shape(fields={}, optional=optional, name=info.cls.__name__)
        seen[info.cls] = shape  # recursive structs refer back to the same shape
        for f in info.fields:
            shape.fields[f.encode_name] = _build(f.type, seen)  # type: ignore[index]
        shape._by_lower = {k.lower(): k for k in shape.fields}  # type: ignore[union-attr]
        return shape
    return Shape(
        optional=optional,
        is_str=isinstance(info, mi.StrType),
        decimal=isinstance(info, mi.DecimalType | mi.AnyType | mi.DictType),
        kind=_KINDS.get(type(info), ""),
    )


_KINDS = {mi.BoolType: "bool", mi.DateType: "date", mi.DateTimeType: "datetime",
          mi.StrType: "str", mi.IntType: "int"}


_shapes: dict[Any, Shape] = {}


def shape_of(type_: Any) -> Shape:
    shape = _shapes.get(type_)
    if shape is None:
        shape = _shapes[type_] = _build(mi.type_info(type_), {})
    return shape


_decimals: dict[Any, bool] = {}


def holds_decimal(type_: Any) -> bool:
    """Whether a value of ``type_`` can hold a ``Decimal`` anywhere inside it."""
    found = _decimals.get(type_)
    if found is None:
        found = _decimals[type_] = _any_decimal(shape_of(type_), set())
    return found


def _any_decimal(shape: Shape, seen: set[int]) -> bool:
    if id(shape) in seen:
        return False
    seen.add(id(shape))
    if shape.item is not None:
        return _any_decimal(shape.item, seen)
    if shape.fields is not None:
        return any(_any_decimal(f, seen) for f in shape.fields.values())
    return shape.decimal


def error_path(exc: msgspec.ValidationError) -> str:
    """Where a validation error is, as msgspec spells it (``$.Vendor[1].Code``); msgspec
    leaves the location off for the document itself, which is ``$``."""
    text = str(exc)
    marker = " - at `"
    if marker in text:
        return text.split(marker, 1)[1].rstrip("`")
    return "$"
