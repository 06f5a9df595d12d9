"""JSON: msgspec straight through, with a slow path for Concur's documented quirks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from .._errors import DecodeError
from ._shape import error_path, shape_of, wrap_singletons

__all__ = ["decode", "encode"]

T = TypeVar("T")

_encoder = msgspec.json.Encoder(decimal_format="string")
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}
_untyped = msgspec.json.Decoder(float_hook=Decimal)


def _decoder(type_: Any) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get(type_)
    if decoder is None:
        # float_hook keeps untyped numbers exact: money must never pass through float.
        decoder = _decoders[type_] = msgspec.json.Decoder(type_, float_hook=Decimal)
    return decoder


def decode(body: bytes, type_: type[T]) -> T:
    try:
        return _decoder(type_).decode(body)  # type: ignore[no-any-return]
    except msgspec.ValidationError as exc:
        first = exc
    except msgspec.DecodeError as exc:
        raise DecodeError(f"malformed JSON: {exc}") from None
    # Slow path, only after the strict decode failed: a single object where the schema
    # says list (Concur's docs render one-element arrays that way).
    try:
        data = _untyped.decode(body)
        return msgspec.convert(wrap_singletons(data, shape_of(type_)), type_)
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError):
        raise DecodeError(
            f"{getattr(type_, '__name__', type_)}: {first}", path=error_path(first)
        ) from None


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj)
