"""One exception hierarchy for every failure, and the parsing of Concur's error bodies.

Concur answers errors in several shapes: v3 ``{"Error": {"Message", "Server-Time", "Id"}}``
(or the same in XML), the token endpoint ``{"error", "error_description", "code"}``, and v4
APIs each their own (Budget ``errorMessageList``, Quick Expense ``errorId``/``errorMessage``/
``validationErrors``, Travel Request ``errorCode``/``errorMessage``). ``parse_error_body``
reduces all of them to a code and a message so that callers see one ``APIError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import msgspec

__all__ = [
    "APIError",
    "AuthenticationError",
    "ConcurError",
    "ConfigurationError",
    "DecodeError",
    "NotFoundError",
    "RateLimitError",
    "ServerError",
    "TransportError",
    "ValidationError",
    "error_for_status",
    "parse_error_body",
    "redact_url",
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


class ValidationError(APIError):
    """Invalid input: a 400 from Concur, or caller input refused before any request was sent."""

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
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def parse_error_body(body: bytes) -> tuple[str | None, str | None, tuple[str, ...]]:
    """(code, message, details) from any of Concur's error shapes; Nones when unrecognised."""
    text = body.strip()
    if not text:
        return None, None, ()
    if text[:1] == b"<":
        return _parse_xml_error(text)
    try:
        data = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return None, text[:200].decode("utf-8", "replace"), ()
    if isinstance(data, Mapping):
        return _parse_json_error(data)
    return None, None, ()


def _s(value: Any) -> str | None:
    return None if value is None else str(value)


def _parse_json_error(data: Mapping[str, Any]) -> tuple[str | None, str | None, tuple[str, ...]]:
    error = data.get("Error")
    if isinstance(error, Mapping):  # v3
        return _s(error.get("Code") or error.get("Id")), _s(error.get("Message")), ()
    if "error" in data and isinstance(data["error"], str):  # token endpoint
        code = data.get("code")
        message = data.get("error_description") or data["error"]
        return (_s(code) if code is not None else data["error"]), _s(message), ()
    messages = data.get("errorMessageList")
    if isinstance(messages, list) and messages:  # Budget v4
        first = messages[0] if isinstance(messages[0], Mapping) else {}
        details = tuple(
            str(m.get("errorMessage") or m.get("message") or m)
            for m in messages[1:]
            if isinstance(m, Mapping)
        )
        msg = first.get("errorMessage") or first.get("message")
        return _s(first.get("errorCode") or first.get("code")), _s(msg), details
    validation = data.get("validationErrors")
    details = ()
    if isinstance(validation, list):  # Quick Expense v4
        details = tuple(
            f"{v.get('source', '')}: {v.get('message', '')}".strip(": ")
            for v in validation
            if isinstance(v, Mapping)
        )
    for code_key, msg_key in (
        ("errorId", "errorMessage"),
        ("errorCode", "errorMessage"),
        ("code", "message"),
        ("ErrorCode", "ErrorMessage"),
        ("Code", "Message"),
    ):
        if code_key in data or msg_key in data:
            return _s(data.get(code_key)), _s(data.get(msg_key) or data.get("message")), details
    if "message" in data or "Message" in data:
        return None, _s(data.get("message") or data.get("Message")), details
    return None, None, details


def _parse_xml_error(text: bytes) -> tuple[str | None, str | None, tuple[str, ...]]:
    # The stdlib parser suffices here: error bodies are tiny, and a DOCTYPE is refused
    # up front so no entity is ever expanded.
    if b"<!DOCTYPE" in text.upper() or b"<!ENTITY" in text.upper():
        return None, None, ()
    from xml.etree import ElementTree

    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - DOCTYPE refused above
    except ElementTree.ParseError:
        return None, None, ()

    def find(name: str) -> str | None:
        for el in root.iter():
            if el.tag.rsplit("}", 1)[-1] == name and el.text:
                return el.text.strip()
        return None

    return find("Code") or find("Id") or find("ErrorCode"), find("Message") or find(
        "ErrorMessage"
    ), ()
