"""Concur's paging parameters: v3 opaque offsets with ``NextPage`` URLs, and v4 indexes.

A v3 ``offset`` token is opaque to clients but carries a store position, so the next page
starts where the last one stopped. ``NextPage`` is an absolute URL on the server's own base
URL that repeats every query parameter of the request with the new ``offset``.
"""

from __future__ import annotations

import base64
import binascii

from aiohttp import web
from yarl import URL

from ._wire import Failure

__all__ = ["decode_offset", "encode_offset", "int_param", "limit_param", "page_url"]

_PREFIX = b"lc1:"


def encode_offset(position: int) -> str:
    return base64.urlsafe_b64encode(_PREFIX + str(position).encode()).rstrip(b"=").decode()


def decode_offset(token: str | None) -> int:
    """The position an ``offset`` token names; 0 without one; 400 for a forged one."""
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if raw.startswith(_PREFIX):
            position = int(raw[len(_PREFIX):])
            if position >= 0:
                return position
    except (binascii.Error, ValueError):
        pass
    raise Failure(400, f"The offset {token!r} is not valid.", code="INVALID_OFFSET")


def int_param(
    request: web.Request,
    name: str,
    default: int,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    """An integer query parameter within bounds; 400 when it is not."""
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Failure(400, f"{name} must be an integer, not {raw!r}.",
                      code="INVALID_PARAMETER") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise Failure(400, f"{name} must be {bounds}; got {value}.", code="INVALID_PARAMETER",
                      details=[(name, f"must be {bounds}")])
    return value


def limit_param(request: web.Request, default: int, maximum: int) -> int:
    return int_param(request, "limit", default, minimum=1, maximum=maximum)


def page_url(base_url: str, request: web.Request, **changes: str | int) -> str:
    """This request's URL on ``base_url`` with some query parameters replaced."""
    query = dict(request.query)
    query.update({k: str(v) for k, v in changes.items()})
    return str(URL(base_url).with_path(request.path).with_query(query))
