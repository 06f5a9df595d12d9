"""One exception hierarchy for every failure, and the parsing of Concur's error bodies.

Concur answers errors in several shapes: v3 ``{"Error": {"Message", "Server-Time", "Id"}}``
(or the same in XML), the token endpoint ``{"error", "error_description", "code"}``, and v4
APIs each their own (Budget ``errorMessageList``, Quick Expense ``errorId``/``errorMessage``/
``validationErrors``, Travel Request ``errorCode``/``errorMessage``). ``parse_error_body``
reduces all of them to a code and a message so that callers see one ``APIStatusError``.

Two branches under ``ConcurError``: ``APIStatusError`` and its status classes for calls
Concur answered, and ``LocalError`` (also a ``ValueError``, with no status) for what the SDK
refused before sending. Transport and decode failures sit beside them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit, urlunsplit

import msgspec

__all__ = [
    "APIError",
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConcurError",
    "ConfigurationError",
    "ConnectError",
    "CoordinationError",
    "DecodeError",
    "ErrorBody",
    "LocalError",
    "MalformedAnswerError",
    "NotFoundError",
    "PagingLoopError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TimeoutError",
    "TransportError",
    "UntrustedURLError",
    "ValidationError",
    "api_error",
    "error_for_status",
    "parse_error_body",
    "redact_url",
    "scrub",
]


class ConcurError(Exception):
    """Root of every error this SDK raises."""


# -- refused here: nothing was sent, so there is no status -----------------------------------


class LocalError(ConcurError, ValueError):
    """Refused by the SDK itself before (or instead of) sending: a bad argument, option or
    URL. It carries no HTTP status because no server answered it."""


class ConfigurationError(LocalError):
    """The client was configured in a way that cannot work (e.g. plain HTTP to a remote host)."""


class ValidationError(LocalError):
    """Caller input refused before any request was sent: a wrong type, a value over its
    documented limit, a missing key. (Concur's own 400 is ``BadRequestError``.)"""

    def __init__(self, message: str) -> None:
        super().__init__(f"invalid input: {message}")
        self.message = message


class UntrustedURLError(LocalError):
    """A URL the token must not travel to: a foreign absolute URL or ``NextPage``, or a
    redirect of an API call to another origin. Nothing was sent to it."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(f"{message} ({method} {url})" if method else f"{message} ({url})")
        self.message = message
        self.method = method
        self.url = url


class ClientClosedError(ConcurError, RuntimeError):
    """The client was used before ``open()`` (or ``async with``) or after ``aclose()``."""


class CoordinationError(ConcurError):
    """The store shared by the processes of one identity (Redis) failed or could not be reached.

    Raised rather than carrying on alone: uncoordinated refreshes would lock the others out."""


# -- the call did not complete ---------------------------------------------------------------


class TransportError(ConcurError):
    """The request did not complete: connection refused or dropped, or a timeout.
    ``attempts`` says how many were made before giving up."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int = 1) -> None:
        self.message = message
        self.method = method
        self.url = url
        self.attempts = attempts
        super().__init__(message)

    def __str__(self) -> str:
        tries = f", after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.message} ({self.method} {self.url}{tries})"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"


class ConnectError(TransportError):
    """No connection to the server: refused, unreachable, a name that does not resolve, or a
    failed TLS handshake. The message says which, as the operating system put it."""


class TimeoutError(TransportError):
    """The request took longer than its time limit (the message names the limit and the
    attempts made)."""


# -- an answer that could not be read --------------------------------------------------------


class DecodeError(ConcurError):
    """A body did not match the struct it should decode into."""

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message if path is None else f"{message} (at {path})")
        self.message = message
        self.path = path


class PagingLoopError(DecodeError):
    """Concur named a page already read as the next one: followed, the stream would never
    end (or repeat items), so it stops with this error."""


class MalformedAnswerError(DecodeError):
    """The answer could not be parsed at all (truncated, or not JSON/XML): like a dropped
    connection, it says nothing of the outcome, so an idempotent call is tried again."""


# -- Concur answered with an error -----------------------------------------------------------


class APIStatusError(ConcurError):
    """Concur answered the call with an error status (or a 200 carrying an error body)."""

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


#: The name this class had before local refusals left it; kept for existing ``except`` clauses.
APIError = APIStatusError


class BadRequestError(APIStatusError):
    """400 or 422: Concur refused the input."""


class AuthenticationError(APIStatusError):
    """401 from an API call (after one refresh and retry), or a failed token request."""


class PermissionDeniedError(APIStatusError):
    """403 that persisted after one token refresh and retry: this token may not do this."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class RateLimitError(APIStatusError):
    """429 that persisted after the retries allowed, or whose ``Retry-After`` is beyond what
    the retry policy waits. ``retry_after`` is the wait Concur asked for, in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(APIStatusError):
    """5xx from Concur that persisted after the retries allowed (or was not retryable)."""


class ResponseTooLargeError(APIStatusError):
    """The answer was larger than ``max_response_bytes``; it was refused before being read
    whole, and is not retried (the same request would bring the same answer)."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError, 422: BadRequestError, 401: AuthenticationError,
    403: PermissionDeniedError, 404: NotFoundError, 429: RateLimitError,
}


def error_for_status(status: int) -> type[APIStatusError]:
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, APIStatusError)


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
    *, hide: Iterable[str] = (), kind: type[APIStatusError] | None = None,
    fallback: str | None = None, retry_after: float | None = None,
) -> APIStatusError:
    """The error for a refused call: its class by status (or ``kind``), its fields from
    Concur's body (``fallback`` when the body gives no message), every secret in ``hide``
    blanked wherever the server may have echoed it (body and headers alike)."""
    hide = tuple(hide)
    parsed = parse_error_body(body)
    cls = kind or error_for_status(status)
    extra: dict[str, Any] = {"retry_after": retry_after} if issubclass(cls, RateLimitError) else {}
    # Concur's error bodies name the error instance; the header, when sent, is the same id.
    correlation = headers.get("concur-correlationid") or parsed.error_id
    return cls(
        scrub(parsed.message or fallback or f"HTTP {status}", hide),
        status=status,
        code=None if parsed.code is None else scrub(parsed.code, hide),
        details=tuple(scrub(d, hide) for d in parsed.details),
        method=method,
        url=redact_url(url),
        correlation_id=None if correlation is None else scrub(correlation, hide),
        **extra,
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
    #: The HTTP status the body itself names (Quick Expense ``httpStatus``), if any.
    status: int | None = None


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
        parsed = _parse_json_error(data)
        named = data.get("httpStatus")  # Quick Expense, and some gateways, name the status
        if isinstance(named, int | str) and str(named).isdigit() and 400 <= int(named) < 600:
            parsed = parsed._replace(status=int(named))
        return parsed
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
    message = data.get("message")
    if listed is None and isinstance(message, Mapping):
        # Budget also nests the list: {"message": {"errorMessageList": [...]}}
        listed = message.get("errorMessageList")
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
