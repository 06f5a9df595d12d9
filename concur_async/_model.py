"""Base structs: the one naming rule for Concur's wire names, and the two readings of a struct.

Concur spells v3 fields in PascalCase (``VendorCode``) and v4 fields in camelCase
(``budgetItemHeaders``). A struct inherits the rule from its base; the few irregular
names (``ID``, ``URI``, ``IsLineItemVatIncld``) are spelled with ``msgspec.field(name=...)``.

One struct serves both directions, read two ways:

- **Answers are read leniently.** Every field may be missing or ``null``, enumerations are
  plain strings (Concur adds values before its docs do), and no input limit applies: Concur
  answers with IDs longer than it accepts. The struct's own annotations say only this much,
  so msgspec decodes answers at full speed with nothing to refuse.
- **Requests are checked strictly**, before anything is sent. What Concur demands of a field
  it receives (required, a maximum length, a range, one of the documented values) is written
  beside the field as ``Sent(...)``; msgspec ignores it when decoding, and ``sent_form``
  turns it into the strict struct a request body is checked against.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin, get_type_hints

import msgspec

__all__ = ["Sent", "Struct", "V3Struct", "V4Struct", "sent_form"]


class Struct(msgspec.Struct, kw_only=True, omit_defaults=True, gc=False):
    """Base for every Concur payload: keyword-only, defaults left off the wire.

    ``gc=False``: payloads are trees decoded from the wire and never form reference cycles, so
    the collector need not track the millions of them a sync decodes (a quarter faster).
    """


class V3Struct(Struct, rename="pascal", kw_only=True, omit_defaults=True):
    """A v3.x payload: wire names in PascalCase."""


class V4Struct(Struct, rename="camel", kw_only=True, omit_defaults=True):
    """A v4 payload: wire names in camelCase."""


@dataclass(frozen=True, slots=True)
class Sent:
    """What Concur demands of a field in a request; never applied to an answer."""

    required: bool = False
    max_length: int | None = None
    ge: int | None = None
    le: int | None = None
    #: The documented values, as a ``Literal``.
    one_of: Any = None

    def strict(self, hint: Any) -> Any:
        if self.one_of is not None:
            hint = self.one_of
        if get_origin(hint) in (Union, types.UnionType):
            # ``int | str``: the seeds' examples send another type too; limits fit their arm.
            return Union[tuple(self.strict(arm) for arm in get_args(hint))]  # noqa: UP007
        if self.max_length is not None and hint is str:
            hint = Annotated[hint, msgspec.Meta(max_length=self.max_length)]
        if (self.ge is not None or self.le is not None) and hint in (int, float, Decimal):
            hint = Annotated[hint, msgspec.Meta(ge=self.ge, le=self.le)]
        return hint


@cache
def sent_form(cls: type[msgspec.Struct]) -> type[msgspec.Struct]:
    """The strict struct a request body of type ``cls`` is checked against: its ``Sent``
    demands applied, under the same wire names."""
    if cls in _FORMS:
        return cls
    hints = get_type_hints(cls, include_extras=True)
    fields: list[tuple[str, Any, Any]] = []
    for f in msgspec.structs.fields(cls):
        hint, required = _strict(hints[f.name])
        if required:
            fields.append((f.name, hint, msgspec.field(name=f.encode_name)))
        else:
            fields.append((f.name, hint, msgspec.field(name=f.encode_name, default=None)))
    form = msgspec.defstruct(cls.__name__, fields, kw_only=True, module=cls.__module__,
                             gc=False)
    _FORMS.add(form)
    return form


_FORMS: set[type[msgspec.Struct]] = set()


def _strict(hint: Any) -> tuple[Any, bool]:
    """``hint`` with its ``Sent`` demands applied, and whether a request must carry it."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        arms = [_strict(a) for a in get_args(hint) if a is not type(None)]
        required = any(r for _, r in arms)
        joined = Union[tuple(a for a, _ in arms)] if len(arms) > 1 else arms[0][0]  # noqa: UP007
        return (joined if required else joined | None), required
    if origin is Annotated:
        base, *extras = get_args(hint)
        strict, required = _strict(base)
        for extra in extras:
            if isinstance(extra, Sent):
                strict = extra.strict(strict)
                required = required or extra.required
            else:  # msgspec.Meta of a hand-written struct: it applies both ways
                strict = Annotated[strict, extra]
        return strict, required
    if origin is list:
        return types.GenericAlias(list, (_strict(get_args(hint)[0])[0],)), False
    if origin is dict:
        key, value = get_args(hint)
        return types.GenericAlias(dict, (key, _strict(value)[0])), False
    if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
        return sent_form(hint), False
    return hint, False

