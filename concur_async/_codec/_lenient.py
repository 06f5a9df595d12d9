"""Reading answers the way Concur writes them, not only the way its reference says.

The structs leave every field optional and plain, so most answers decode on msgspec's fast
path. A type whose answers bring ``"true"``, ``"1"`` or ``"106.74"`` for bool, int and
Decimal is read in msgspec's lax mode (``strict=False``) from then on (the JSON codec keeps
that state). What lax mode cannot take is mended here, only after it failed:

- booleans written ``"Y"``/``"N"`` (or ``"yes"``/``"no"``);
- a date-time where a date is declared (the date part is kept), and a date, or a date-time
  without seconds, where a date-time is declared (midnight, naive);
- a boolean where text is declared (written ``"true"``/``"false"``);
- one object where a list is declared, a one-item list where one object is, and ``null``
  items in a list.

Mending is targeted: msgspec names the first place that fails (``$.Vendor[3].PostalCode``),
that field is mended in every item of the document (``Vendor[*].PostalCode``) and the
conversion is tried again. A type remembers the fields it needed mended, so the next page of
the same stream is mended before its first try, and while its answers keep needing mending
the JSON codec skips the fast decode that would only fail first. Anything mending cannot fix
raises as before.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ._shape import Shape, error_path

__all__ = ["convert", "expects_mending"]

T = TypeVar("T")

#: A field in every item: wire names, and None for "each item of this list".
_Pattern = tuple[str | None, ...]
_STEP = re.compile(r"\.([^.\[]+)|\[\d+\]")
#: Distinct fields one document may need mended before it is taken as wrong: each costs one
#: more conversion of the whole document, so a hostile answer cannot make it cost more.
_MAX_MENDS = 16
_learned: dict[Any, list[_Pattern]] = {}
#: Types whose last answer needed mending.
_mending: set[Any] = set()

_YES = frozenset({"y", "yes"})
_NO = frozenset({"n", "no"})


def convert(data: Any, type_: type[T], shape: Shape) -> T:
    """``data`` (JSON builtins, or the XML walk's dicts of text) as ``type_``, mended where
    lax conversion fails; raises ``msgspec.ValidationError`` for what mending cannot fix."""
    learned = _learned.setdefault(type_, [])
    mended = False
    for pattern in learned:
        data, changed = _mend_at(data, shape, pattern)
        mended = mended or changed
    tried: set[_Pattern] = set()
    while True:
        try:
            result = msgspec.convert(data, type_, strict=False)
        except msgspec.ValidationError as exc:
            pattern = _pattern(error_path(exc))
            if pattern in tried or len(tried) >= _MAX_MENDS:
                raise
            tried.add(pattern)
            data, changed = _mend_at(data, shape, pattern)
            if not changed:
                raise
            mended = True
            if pattern not in learned and len(learned) < _MAX_MENDS:
                learned.append(pattern)
        else:
            if mended:
                _mending.add(type_)
            else:
                _mending.discard(type_)  # a clean answer: back to the fast path
            return result


def expects_mending(type_: Any) -> bool:
    """Whether the last answer of ``type_`` needed mending (the next one likely will)."""
    return type_ in _mending


def _pattern(path: str) -> _Pattern:
    steps: list[str | None] = [m.group(1) for m in _STEP.finditer(path)]
    # A failing list item is mended by its list (a null item dropped, a scalar fixed).
    while steps and steps[-1] is None:
        steps.pop()
    return tuple(steps)


def _mend_at(node: Any, shape: Shape, pattern: _Pattern) -> tuple[Any, bool]:
    if not pattern:
        mended = _mend(node, shape)
        return mended, mended is not node
    step, rest = pattern[0], pattern[1:]
    if step is None:
        if not isinstance(node, list) or shape.item is None:
            return node, False
        changed = False
        for index, item in enumerate(node):
            mended, did = _mend_at(item, shape.item, rest)
            if did:
                node[index] = mended
                changed = True
        return node, changed
    found = shape.lookup(step)
    if found is None or not isinstance(node, dict) or step not in node:
        return node, False
    mended, changed = _mend_at(node[step], found[1], rest)
    if changed:
        node[step] = mended
    return node, changed


def _mend(value: Any, shape: Shape) -> Any:
    """``value`` fixed for ``shape`` one level deep; the same object when nothing changed."""
    if value is None:
        return None
    if shape.is_list and shape.item is not None:
        items = value if isinstance(value, list) else [value]
        fix = _SCALARS.get(shape.item.kind)
        mended = [fix(v) if fix else v for v in items if v is not None]
        same = len(mended) == len(items) and all(a is b for a, b in zip(mended, items, strict=True))
        return value if same and items is value else mended
    if shape.fields is not None:
        if isinstance(value, list):
            items = [v for v in value if v is not None]
            return items[0] if len(items) == 1 else (items or None)
        return value
    fix = _SCALARS.get(shape.kind)
    return value if fix is None else fix(value)  # each fixer hands back what it leaves alone


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return value


def _date(value: Any) -> Any:
    if isinstance(value, str) and len(value) > 10 and value[10] in "T ":
        return value[:10]
    return value


def _datetime(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return value


def _str(value: Any) -> Any:
    # Only booleans: a number where text is declared (an ID sent as 42) stays an error.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _int(value: Any) -> Any:
    if isinstance(value, Decimal | float):
        try:
            if value == int(value):
                return int(value)
        except (ValueError, OverflowError):  # NaN, infinity
            pass
    return value


_SCALARS = {"bool": _bool, "date": _date, "datetime": _datetime, "str": _str, "int": _int}
