"""JSON: msgspec straight through in lax mode, mended (``_lenient``) only when that fails."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from .._errors import DecodeError, ValidationError
from ._lenient import convert, expects_mending
from ._shape import NATIVE, error_path, holds_decimal, shape_of

__all__ = ["decode", "encode", "plain_decimal"]

T = TypeVar("T")

# Concur declares amounts as numbers; "number" writes the exact digits, never through float.
_encoder = msgspec.json.Encoder(decimal_format="number")
_decoders: dict[tuple[Any, bool], msgspec.json.Decoder[Any]] = {}
_untyped = msgspec.json.Decoder(float_hook=Decimal)
#: Types whose answers brought booleans or numbers as strings: read in lax mode from then on.
_lax: set[Any] = set()


def _decoder(type_: Any, lax: bool) -> msgspec.json.Decoder[Any]:
    decoder = _decoders.get((type_, lax))
    if decoder is None:
        # float_hook keeps untyped numbers exact: money must never pass through float.
        # strict=False reads "true" and "42" as bool and int but decodes about a tenth
        # slower, so it is used only for the types whose answers have needed it.
        decoder = _decoders[type_, lax] = msgspec.json.Decoder(type_, strict=not lax,
                                                               float_hook=Decimal)
    return decoder


def decode(body: bytes, type_: type[T]) -> T:
    first: msgspec.ValidationError | None = None
    if not expects_mending(type_):
        lax = type_ in _lax
        try:
            return _decoder(type_, lax).decode(body)  # type: ignore[no-any-return]
        except msgspec.ValidationError as exc:
            first = exc
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:  # bad UTF-8 in a string
            raise DecodeError(f"malformed JSON: {exc}") from None
        except RecursionError:  # msgspec gives up on deep nesting with the interpreter's error
            raise DecodeError("malformed JSON: nested too deeply") from None
        if not lax:
            try:
                result: T = _decoder(type_, True).decode(body)
            except msgspec.ValidationError:
                pass
            else:
                _lax.add(type_)
                return result
    # Slow path: what lax mode cannot read, mended. Taken directly while the type's answers
    # keep needing it (the fast decode would only fail first).
    try:
        data = _untyped.decode(body)
        return convert(data, type_, shape_of(type_))
    except msgspec.ValidationError as exc:
        wrong = first or exc
        raise DecodeError(
            f"{getattr(type_, '__name__', type_)}: {wrong}", path=error_path(wrong)
        ) from None
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise DecodeError(f"malformed JSON: {exc}") from None
    except (RecursionError, TypeError):
        raise DecodeError("malformed JSON: nested too deeply") from None


def plain_decimal(value: Decimal) -> str:
    """``Decimal("0.00000000")`` as ``"0.00000000"``: ``str()`` would give ``"0E-8"``, which
    Concur's number parsing need not accept."""
    return format(value, "f")


def encode(obj: Any) -> bytes:
    if not _may_hold_decimals(obj):
        return _encoder.encode(obj)
    # msgspec writes a Decimal as str() does ("1E+2"); only structs that can hold one take
    # this path, which writes its plain digits as a JSON number.
    return _encoder.encode(_plain(msgspec.to_builtins(obj, builtin_types=NATIVE)))


def _may_hold_decimals(obj: Any) -> bool:
    if isinstance(obj, msgspec.Struct):
        return holds_decimal(type(obj))
    if isinstance(obj, list | tuple) and obj and isinstance(obj[0], msgspec.Struct):
        return any(holds_decimal(t) for t in {type(item) for item in obj})
    return not isinstance(obj, str | bytes | int | float | bool | None)


def _plain(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _plain(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_plain(value) for value in data]
    if isinstance(data, Decimal):
        if not data.is_finite():  # JSON has no NaN or Infinity
            raise ValidationError(f"{data} is not a JSON number")
        return msgspec.Raw(plain_decimal(data).encode())
    return data
