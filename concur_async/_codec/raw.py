"""The documents answers were decoded from, kept on request, for the fields the SDK lacks.

A struct holds only the fields it declares: anything else Concur sends is dropped by the
decoder. Inside ``keep_raw()`` every answer decoded (single calls and pages) is remembered
with its body, and ``raw(obj)`` gives the decoded document of that answer, or of the part of
it ``obj`` was read from (an item of a page, a nested struct). Outside it nothing is kept, so
the data path pays one context-variable read per answer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

import msgspec

__all__ = ["keep_raw", "raw", "remember"]

_kept: ContextVar[deque[tuple[Any, bytes, str]] | None] = ContextVar("concur_raw", default=None)
_document = msgspec.json.Decoder(float_hook=Decimal)


@contextmanager
def keep_raw(limit: int | None = 100) -> Iterator[None]:
    """Remember the last ``limit`` answers decoded in this context (``None``: all of them),
    so that ``raw()`` can reach their documents. Paginators started inside remember their
    pages too; the answers are held in memory until the block ends or ``limit`` drops them."""
    token = _kept.set(deque(maxlen=limit))
    try:
        yield
    finally:
        _kept.reset(token)


def remember(obj: Any, body: bytes, fmt: str) -> None:
    """Called by the codec for each answer it decodes."""
    kept = _kept.get()
    if kept is not None:
        kept.append((obj, body, fmt))


def raw(obj: Any) -> Any:
    """The decoded document (dicts, lists, strings, ``Decimal`` numbers) that ``obj``, an
    answer or any struct inside one, was read from, with every field Concur sent.

    Raises ``LookupError`` if ``obj`` was not decoded inside a ``keep_raw()`` block that is
    still open, or if it is more recent than the block's ``limit`` allows.
    """
    kept = _kept.get()
    if kept is None:
        raise LookupError("raw() needs the answer to be decoded inside concur_async.keep_raw()")
    for answer, body, fmt in reversed(kept):
        path = _path_to(obj, answer)
        if path is not None:
            return _follow(_decode(body, fmt), path)
    raise LookupError(f"{type(obj).__name__} is not among the answers kept by keep_raw()")


def _decode(body: bytes, fmt: str) -> Any:
    if fmt == "xml":
        from .xml import document

        return document(body)
    return _document.decode(body)


def _path_to(target: Any, here: Any) -> list[str | int] | None:
    """Wire names and list positions leading from ``here`` to ``target`` (by identity)."""
    if here is target:
        return []
    if isinstance(here, msgspec.Struct):
        for field in msgspec.structs.fields(here):
            found = _path_to(target, getattr(here, field.name))
            if found is not None:
                return [field.encode_name, *found]
    elif isinstance(here, list):
        for index, item in enumerate(here):
            if isinstance(item, msgspec.Struct | list):
                found = _path_to(target, item)
                if found is not None:
                    return [index, *found]
    return None


def _follow(document: Any, path: list[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            if isinstance(document, list):
                document = document[step]
            # else one object where the struct holds a list of one: it is the item.
        elif isinstance(document, list) and len(document) == 1:
            document = document[0].get(step) if isinstance(document[0], dict) else None
        elif isinstance(document, dict):
            document = _get(document, step)
        else:
            return None
    return document


def _get(document: dict[str, Any], name: str) -> Any:
    if name in document:
        return document[name]
    lower = name.lower()
    return next((v for k, v in document.items() if k.lower() == lower), None)
