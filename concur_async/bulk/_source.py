"""Reading desired records: any (async) iterable of structs or dicts, and their digests.

A digest is 16 hex digits of BLAKE2b over a canonical JSON encoding, stable across processes
(unlike ``hash()``), so a checkpoint written by one run is understood by the next.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from typing import Any, TypeVar

import anyio.lowlevel
import msgspec

from .._codec._shape import NATIVE
from .._errors import ValidationError
from .._resource import check_body

__all__ = ["as_struct", "canonical", "contains", "digest", "records"]

S = TypeVar("S", bound=msgspec.Struct)

#: Fields Concur sets itself; a desired value for them is not compared.
SERVER_OWNED = frozenset({"ID", "URI", "StatusList"})
_YIELD_EVERY = 500


async def records(desired: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    """Every desired record in order, letting other tasks run while a long list is read."""
    if isinstance(desired, AsyncIterable):
        async for item in desired:
            yield item
        return
    for count, item in enumerate(desired, 1):
        yield item
        if count % _YIELD_EVERY == 0:
            await anyio.lowlevel.checkpoint()


def as_struct(item: Any, kind: type[S]) -> S:
    """``item`` as a ``kind`` struct (dicts use Concur's wire names), checked like a request
    body; ``ValidationError`` (nothing sent) when it cannot be one."""
    if isinstance(item, kind):
        struct = item
    elif isinstance(item, Mapping):
        try:
            struct = msgspec.convert(dict(item), kind, builtin_types=NATIVE)
        except msgspec.ValidationError as exc:
            raise ValidationError(f"{kind.__name__}: {exc}") from None
    else:
        raise ValidationError(f"expected a {kind.__name__} or a dict, got {type(item).__name__}")
    check_body(struct)
    return struct


def canonical(struct: msgspec.Struct) -> dict[str, Any]:
    """The struct as builtins under wire names, without server-owned fields; numbers, dates
    and times stay objects so ``1.0`` and ``1.00`` compare equal."""
    data: dict[str, Any] = msgspec.to_builtins(struct, builtin_types=NATIVE)
    for name in SERVER_OWNED:
        data.pop(name, None)
    return data


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def contains(current: Any, desired: Any) -> bool:
    """Whether ``current`` already holds every value ``desired`` gives (recursively).

    Fields the desired record leaves out are not compared: Concur adds its own (status,
    dates), and a sync only answers for what it was asked to set. Lists compare item by item.
    """
    if isinstance(desired, Mapping):
        if not isinstance(current, Mapping):
            return False
        return all(
            contains(current.get(name), value)
            for name, value in desired.items()
            if _given(value) and name not in SERVER_OWNED
        )
    if isinstance(desired, list):
        return (
            isinstance(current, list)
            and len(current) == len(desired)
            and all(contains(c, d) for c, d in zip(current, desired, strict=True))
        )
    if isinstance(desired, str) and not isinstance(current, str):
        return current is not None and str(current) == desired
    return bool(current == desired)


def digest(value: Any) -> str:
    """A stable digest of any builtins value (dict keys sorted)."""
    encoded = msgspec.json.encode(value, order="sorted")
    return hashlib.blake2b(encoded, digest_size=8).hexdigest()
