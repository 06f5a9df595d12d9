"""Struct <-> wire: the same msgspec struct reads and writes JSON and XML.

JSON goes straight through msgspec. XML is parsed by a hardened lxml parser, turned into the
builtins msgspec would have seen in JSON (guided by the struct's own type info, so that a
repeated element becomes a list only where the field is a list), then converted with
``strict=False`` so ``"true"``, ``"42"`` and ``"106.74"`` become bool, int and Decimal.
Both read answers leniently (``_lenient``); ``raw`` keeps their documents on request.

The XML side (and lxml with it) is imported on the first XML call: most clients never make
one, and ``import concur_async`` should not pay for it.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from . import json as _json
from .raw import remember

__all__ = ["decode", "encode"]

T = TypeVar("T")
Format = Literal["json", "xml"]


def decode(body: bytes, type_: type[T], fmt: Format) -> T:
    """Decode ``body`` into ``type_``; any mismatch raises ``DecodeError``."""
    if fmt == "xml":
        from . import xml as _xml

        obj = _xml.decode(body, type_)
    else:
        obj = _json.decode(body, type_)
    remember(obj, body, fmt)
    return obj


def encode(obj: Any, fmt: Format, *, root: str | None = None) -> bytes:
    """Encode ``obj`` (a struct, or builtins) as JSON, or as XML under ``root``."""
    if fmt == "xml":
        from . import xml as _xml

        return _xml.encode(obj, root=root)
    return _json.encode(obj)
