"""What crosses the wire: origins, one HTTP exchange with its redirects, capped bodies.

The client's request loop decides when to send and retry; this module sends once. Redirects
are followed by hand so that the token is attached per hop, only where ``trusts`` allows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from ipaddress import ip_address
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp

from ._errors import APIError, ResponseTooLargeError, TransportError, redact_url
from ._secrets import MaskedHeaders, Secret

__all__ = [
    "CONCUR_SUFFIX",
    "Exchange",
    "clean_params",
    "describe",
    "exchange",
    "is_loopback",
    "origin",
    "read_capped",
]

#: Hosts under Concur's own domain may receive a token (over HTTPS): data centres, NextPage.
CONCUR_SUFFIX = ".concursolutions.com"
MAX_REDIRECTS = 5

#: status, body, response headers, and the URL that answered (after redirects).
Exchange = tuple[int, bytes, Mapping[str, str], str]


def is_loopback(host: str | None) -> bool:
    if host in (None, ""):
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` with the default port filled in."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:  # an impossible port: the origin of nothing, trusted by no rule
        return "", "", None
    return parts.scheme, (parts.hostname or "").lower(), port


async def exchange(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    params: dict[str, str] | None,
    data: Any,
    headers: dict[str, str],
    access_token: Secret,
    trusts: Callable[[str], bool],
    max_bytes: int,
    limits: aiohttp.ClientTimeout | None = None,
) -> Exchange:
    """One HTTP exchange; the token goes only to the hops that ``trusts`` names.

    ``limits`` are aiohttp's time limits for this exchange (the session's when None).
    """
    for _ in range(MAX_REDIRECTS + 1):
        send = MaskedHeaders(headers)  # masked: this frame's locals show no token
        if trusts(url):
            send["Authorization"] = f"Bearer {access_token.get_secret_value()}"
        try:
            async with session.request(
                method, url, params=params, data=data, headers=send, allow_redirects=False,
                timeout=limits or session.timeout,
            ) as resp:
                if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                    url = urljoin(url, resp.headers["Location"])
                    params = None  # the Location names the full target
                    if resp.status == 303:
                        method, data = "GET", None
                    continue
                body = await read_capped(resp, method, url, max_bytes)
                return resp.status, body, resp.headers, url
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(describe(exc), method=method, url=redact_url(url)) from None
    raise TransportError("too many redirects", method=method, url=redact_url(url))


async def read_capped(
    resp: aiohttp.ClientResponse, method: str, url: str, cap: int
) -> bytes:
    """The body, refused with ResponseTooLargeError past ``cap`` bytes without reading it all."""
    length = resp.content_length
    if length is not None and length > cap:
        raise _too_large(resp, method, url, cap)
    encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
    if length is not None and encoding in ("", "identity"):
        return await resp.read()
    # Unannounced or compressed: the length says nothing of what decompression yields
    # (a gzip bomb), so the decoded bytes are counted as they come.
    chunks = bytearray()
    async for chunk in resp.content.iter_any():
        chunks += chunk
        if len(chunks) > cap:
            raise _too_large(resp, method, url, cap)
    return bytes(chunks)


def _too_large(
    resp: aiohttp.ClientResponse, method: str, url: str, cap: int
) -> ResponseTooLargeError:
    return ResponseTooLargeError(
        f"response larger than max_response_bytes ({cap})",
        status=resp.status,
        method=method,
        url=redact_url(url),
        correlation_id=resp.headers.get("concur-correlationid"),
    )


def describe(exc: BaseException) -> str:
    """A failure in a few words, for logs and TransportError messages: never a URL or body."""
    if isinstance(exc, APIError):
        return f"HTTP {exc.status}"
    if isinstance(exc, TransportError):
        return exc.message
    if isinstance(exc, TimeoutError):
        return "timed out"
    return type(exc).__name__


def clean_params(params: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Drop unset parameters and spell values as Concur expects (``true``, not ``True``)."""
    if not params:
        return None
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[key] = ",".join(str(v) for v in value)
        else:
            out[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return out or None
