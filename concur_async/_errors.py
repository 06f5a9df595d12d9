"""One exception hierarchy for every failure, and the parsing of Concur's error bodies.

Concur answers errors in several shapes: v3 ``{"Error": {"Message", "Server-Time", "Id"}}``
(or the same in XML), the token endpoint ``{"error", "error_description", "code"}``, and v4
APIs each their own (Budget ``errorMessageList``, Quick Expense ``errorId``/``errorMessage``/
``validationErrors``, Travel Request ``errorCode``/``errorMessage``). ``parse_error_body``
reduces all of them to a code and a message so that callers see one ``APIError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import msgspec

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConcurError",
    "ConfigurationError",
    "CoordinationError",
    "DecodeError",
    "NotFoundError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "api_error",
    "ErrorBody",
    "error_for_status",
    "parse_error_body",
    "redact_url",
    "scrub",
]


class ConcurError(Exception):
    """Root of every error this SDK raises."""


class ConfigurationError(ConcurError, ValueError):
    """The client was configured in a way that cannot work (e.g. plain HTTP to a remote host)."""


class TransportError(ConcurError):
    """The request did not complete: connection refused or dropped, or a timeout."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(f"{message} ({method} {url})")
        self.message = message
        self.method = method
        self.url = url


class CoordinationError(ConcurError):
    """The store shared by the processes of one identity (Redis) failed or could not be reached.

    Raised rather than carrying on alone: uncoordinated refreshes would lock the others out."""


class DecodeError(ConcurError):
    """A body did not match the struct it should decode into."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{message} (at {path})")
        self.message = message
        self.path = path


class APIError(ConcurError):
    """Concur answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        method: str = "",
        url: str = "",
        correlation_id: str | None = None,
        details: tuple[str, ...] = (),
    ) -> None:
        self.message = message
        self.status = status
        self.code = code
        self.method = method
        self.url = url
        self.correlation_id = correlation_id
        self.details = details
        super().__init__(str(self))

    def __str__(self) -> str:
        code = f" [{self.code}]" if self.code else ""
        where = f" ({self.method} {self.url})" if self.method else ""
        corr = f" correlation_id={self.correlation_id}" if self.correlation_id else ""
        extra = f": {'; '.join(self.details)}" if self.details else ""
        return f"HTTP {self.status}{code}: {self.message}{extra}{where}{corr}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


class ValidationError(APIError, ValueError):
    """Invalid input: a 400 from Concur, or caller input refused before any request was sent.

    Also a ``ValueError``, as Python code expects of a refused argument."""

    def __init__(self, message: str, *, status: int = 0, **kwargs: Any) -> None:
        super().__init__(message, status=status, **kwargs)

    def __str__(self) -> str:
        if self.status == 0:  # refused locally: nothing was sent
            return f"invalid input: {self.message}"
        return super().__str__()


class AuthenticationError(APIError):
    """401/403 from an API call, or a failed token request."""


class NotFoundError(APIError):
    """404: the resource does not exist."""


class RateLimitError(APIError):
    """429 that persisted after the retries allowed."""


class ServerError(APIError):
    """5xx from Concur that persisted after the retries allowed (or was not retryable)."""


class ResponseTooLargeError(APIError):
    """The answer was larger than ``max_response_bytes``; it was refused before being read
    whole, and is not retried (the same request would bring the same answer)."""


def error_for_status(status: int) -> type[APIError]:
    if status in (401, 403):
        return AuthenticationError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitError
    if status >= 500:
        return ServerError
    if status in (400, 422):
        return ValidationError
    return APIError


def redact_url(url: str) -> str:
    """The URL without its query string or user info: query values may carry secrets."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
    except ValueError:  # an impossible port or bracket: nothing of it is worth repeating
        return "<unparseable URL>"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def api_error(
    status: int, body: bytes, headers: Mapping[str, str], method: str, url: str,
    *, hide: Iterable[str] = (), kind: type[APIError] | None = None, fallback: str | None = None,
) -> APIError:
    """The error for a refused call: its class by status (or ``kind``), its fields from
    Concur's body (``fallback`` when the body gives no message), every secret in ``hide``
    blanked."""
    hide = tuple(hide)
    parsed = parse_error_body(body)
    return (kind or error_for_status(status))(
        scrub(parsed.message or fallback or f"HTTP {status}", hide),
        status=status,
        code=None if parsed.code is None else scrub(parsed.code, hide),
        details=tuple(scrub(d, hide) for d in parsed.details),
        method=method,
        url=redact_url(url),
        # Concur's error bodies name the error instance; the header, when sent, is the same id.
        correlation_id=headers.get("concur-correlationid") or (
            None if parsed.error_id is None else scrub(parsed.error_id, hide)
        ),
    )


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with each secret in it replaced by ``***``: error messages are written by the
    server, and a server (or a proxy) may echo back the token or the form it was sent."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class ErrorBody(NamedTuple):
    """What an error body says: Concur's code (never an instance id), message, details, and the
    id of this occurrence (v3 ``Id``, Quick Expense ``errorId``) for Concur support."""

    code: str | None = None
    message: str | None = None
    details: tuple[str, ...] = ()
    error_id: str | None = None


def parse_error_body(body: bytes) -> ErrorBody:
    """Any of Concur's error shapes, read; empty fields when unrecognised. Never raises."""
    text = body.strip()
    if not text:
        return ErrorBody()
    if text[:1] == b"<":
        return _parse_xml_error(text)
    try:
        data = msgspec.json.decode(text)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return ErrorBody(message=text[:200].decode("utf-8", "replace"))
    except RecursionError:  # nested past msgspec's depth: no message worth showing
        return ErrorBody()
    if isinstance(data, Mapping):
        return _parse_json_error(data)
    return ErrorBody()


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


_CODE_KEYS = ("errorCode", "ErrorCode", "code", "Code", "exception")
_MESSAGE_KEYS = ("errorMessage", "ErrorMessage", "message", "Message", "error_description")


def _first(data: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = data.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _detail(item: Any) -> str:
    if not isinstance(item, Mapping):
        return str(item)
    where = item.get("source") or item.get("dataPath") or item.get("path") or ""
    what = _first(item, _MESSAGE_KEYS) or _first(item, _CODE_KEYS) or ""
    return f"{where}: {what}" if where else what


def _parse_json_error(data: Mapping[str, Any]) -> ErrorBody:
    error = data.get("Error")
    if isinstance(error, Mapping):  # v3
        return ErrorBody(_first(error, ("Code", "ErrorCode")), _s(error.get("Message")),
                         error_id=_s(error.get("Id")))
    error = data.get("error")
    if isinstance(error, str):  # token endpoint: the numeric code is the precise one
        code = data.get("code")
        return ErrorBody(str(code) if code is not None else error,
                         _s(data.get("error_description") or error))
    if isinstance(error, Mapping):  # Purchase Request v4
        path = error.get("dataPath")
        return ErrorBody(_first(error, _CODE_KEYS), _first(error, _MESSAGE_KEYS),
                         (f"at {path}",) if path else ())
    listed = data.get("errorMessageList")
    if isinstance(listed, list) and listed:  # Budget v4
        first = listed[0] if isinstance(listed[0], Mapping) else {}
        return ErrorBody(_first(first, _CODE_KEYS), _first(first, _MESSAGE_KEYS),
                         tuple(_detail(m) for m in listed[1:]))
    details: tuple[str, ...] = ()
    for key in ("validationErrors", "errors"):  # Quick Expense, Travel Request
        items = data.get(key)
        if isinstance(items, list):
            details += tuple(d for d in (_detail(i) for i in items) if d)
    return ErrorBody(_first(data, _CODE_KEYS), _first(data, _MESSAGE_KEYS), details,
                     _s(data.get("errorId")))


def _parse_xml_error(text: bytes) -> ErrorBody:
    # The stdlib parser suffices here: error bodies are tiny, and a DOCTYPE is refused
    # up front so no entity is ever expanded.
    if b"<!DOCTYPE" in text.upper() or b"<!ENTITY" in text.upper():
        return ErrorBody()
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - DOCTYPE refused above
    # LookupError: an unknown encoding named; ValueError: one expat cannot read (UTF-7).
    except (ElementTree.ParseError, LookupError, ValueError):
        return ErrorBody()

    def find(name: str) -> str | None:
        for el in root.iter():
            if el.tag.rsplit("}", 1)[-1] == name and el.text:
                return el.text.strip()
        return None

    return ErrorBody(find("Code") or find("ErrorCode"), find("Message") or find("ErrorMessage"),
                     error_id=find("Id"))
