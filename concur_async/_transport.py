"""What crosses the wire: origins, one HTTP exchange with its redirects, capped bodies.

The client's request loop decides when to send and retry; this module sends once. Redirects
are followed by hand so that the token is attached per hop, only where ``trusts`` allows it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from ipaddress import ip_address
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp

from ._answer import Answer
from ._errors import (
    APIStatusError,
    ConnectError,
    ResponseTooLargeError,
    TimeoutError,
    TransportError,
    UntrustedURLError,
    redact_url,
)
from ._secrets import MaskedHeaders, Secret

__all__ = [
    "CONCUR_SUFFIX",
    "clean_params",
    "describe",
    "exchange",
    "is_loopback",
    "origin",
    "over_https",
    "read_capped",
    "transport_error",
]

#: Hosts under Concur's own domain may receive a token (over HTTPS): data centres, NextPage.
CONCUR_SUFFIX = ".concursolutions.com"
MAX_REDIRECTS = 5

def is_loopback(host: str | None) -> bool:
    if host in (None, ""):
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def over_https(url: str) -> str:
    """``http://<host>.concursolutions.com/...`` as ``https://`` on the same host (Concur's
    documents and some answers write its own hosts with ``http://``); any other URL as it is,
    for the trust check to judge."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and host.endswith(CONCUR_SUFFIX) and port in (None, 80):
        return urlunsplit(("https", host, parts.path, parts.query, parts.fragment))
    return url


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
) -> Answer:
    """One HTTP exchange; the token goes only to the hops that ``trusts`` names.

    A redirect is followed only within the origin it was sent to: one that leaves it would
    resend the body and the headers hooks added, and hand back a foreign answer as Concur's,
    so it raises ``UntrustedURLError`` instead. ``limits`` are aiohttp's time limits for this
    exchange (the session's when None).
    """
    limits = limits or session.timeout
    home: tuple[str, str, int | None] | None = None  # parsed only if a redirect comes
    for _ in range(MAX_REDIRECTS + 1):
        send = MaskedHeaders(headers)  # masked: this frame's locals show no token
        if trusts(url):
            send["Authorization"] = f"Bearer {access_token.get_secret_value()}"
        try:
            async with session.request(
                method, url, params=params, data=data, headers=send, allow_redirects=False,
                timeout=limits,
            ) as resp:
                if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                    target = urljoin(url, resp.headers["Location"])
                    if home is None:
                        home = origin(url)  # every hop so far stayed within it
                    if origin(target) != home:
                        raise UntrustedURLError(
                            f"refusing to follow a redirect (HTTP {resp.status}) from "
                            f"{redact_url(url)} to another origin; nothing was sent there",
                            method=method, url=redact_url(target),
                        )
                    url, params = target, None  # the Location names the full target
                    if resp.status == 303:
                        method, data = "GET", None
                    continue
                body = await read_capped(resp, method, url, max_bytes)
                return Answer(resp.status, body, resp.headers, url)
        except (aiohttp.ClientError, builtins.TimeoutError) as exc:
            raise transport_error(exc, method, url, limits) from None
    raise TransportError("too many redirects", method=method, url=redact_url(url))


def transport_error(
    exc: BaseException, method: str, url: str, limits: aiohttp.ClientTimeout | None = None
) -> TransportError:
    """aiohttp's failure as the SDK's own: which kind, and why, in words a person can act on."""
    url = redact_url(url)
    if isinstance(exc, builtins.TimeoutError):
        return TimeoutError(_timeout_reason(exc, limits), method=method, url=url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectError(describe(exc), method=method, url=url)
    return TransportError(describe(exc), method=method, url=url)


def _timeout_reason(exc: BaseException, limits: aiohttp.ClientTimeout | None) -> str:
    if limits is None:
        return "timed out"
    if isinstance(exc, aiohttp.ConnectionTimeoutError) and limits.connect is not None:
        return f"timed out connecting (connect limit {limits.connect:g}s)"
    if isinstance(exc, aiohttp.SocketTimeoutError) and limits.sock_read is not None:
        return f"timed out reading (read limit {limits.sock_read:g}s)"
    if limits.total is not None:
        return f"timed out (limit {limits.total:g}s per attempt)"
    return "timed out"


async def read_capped(
    resp: aiohttp.ClientResponse, method: str, url: str, cap: int
) -> bytes:
    """The body, refused with ResponseTooLargeError past ``cap`` bytes without reading it all."""
    length = resp.content_length
    if length is not None and length > cap:
        raise _too_large(resp, method, url, cap)
    encoding = resp.headers.get("Content-Encoding")
    if length is not None and (encoding is None or encoding.strip().lower() in ("", "identity")):
        return await resp.read()
    # Unannounced or compressed: the length says nothing of what decompression yields
    # (a gzip bomb), so the decoded bytes are counted as they come.
    chunks = bytearray()
    async for chunk in resp.content.iter_any():
        chunks += chunk
        if len(chunks) > cap:
            del chunks  # the refusal's traceback keeps this frame: not the body with it
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
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status}"
    if isinstance(exc, TransportError):
        return exc.message
    if isinstance(exc, builtins.TimeoutError):
        return "timed out"
    if isinstance(exc, aiohttp.ClientConnectorError):
        # The operating system's words ("Connection refused"), not just the class name.
        reason = exc.os_error.strerror or type(exc.os_error).__name__
        return f"cannot connect to {exc.host}:{exc.port}: {reason}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the server closed the connection before answering"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return "the answer was cut off while being read"
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
