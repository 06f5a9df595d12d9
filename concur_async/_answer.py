"""An answer off the wire, and the one place any answer (single call or page) is decoded.

Decoding sorts what can go wrong into three kinds, because each asks for a different response:

- a 200 whose body is one of Concur's error shapes (``{"Error": {...}}``, Budget's
  ``errorMessageList``, ``<Error>`` in XML): Concur refused the call, so it raises the
  ``APIStatusError`` the body describes, never a struct with every field None;
- a body that cannot be parsed at all (truncated, not JSON or XML): ``MalformedAnswerError``,
  which says nothing of the outcome and is retried like a dropped connection;
- a body that parses but does not fit its struct: ``DecodeError``, retried by nobody, since
  the same answer would come again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from . import _codec
from ._errors import DecodeError, MalformedAnswerError, api_error, parse_error_body
from ._secrets import SecretRegistry

__all__ = ["Answer", "decode_answer"]


@dataclass(slots=True)
class Answer:
    """One HTTP answer: its status, body, headers, and the URL that gave it (after redirects).
    Read, never changed, once made (not frozen: a frozen dataclass costs every call more to
    build).

    Body and headers stay out of the repr: a server may echo a token in either, and error
    trackers print every frame's locals with repr.
    """

    status: int
    body: bytes = field(repr=False)
    headers: Mapping[str, str] = field(repr=False)
    url: str

    @property
    def format(self) -> _codec.Format:
        return "xml" if "xml" in self.headers.get("Content-Type", "") else "json"


# Only the opening bytes are looked at, so a normal answer costs one failed regex match.
_JSON_ERROR = re.compile(rb'\s*\{\s*"(?:Error|errorMessageList|message)"\s*:\s*[\[{]')
_XML_ERROR = re.compile(rb"\s*(?:<\?xml[^>]{0,200}\?>\s*)?<Error[\s>]")


def decode_answer(
    answer: Answer, response_type: Any, *, method: str, secrets: SecretRegistry | None = None
) -> Any:
    """``answer`` decoded into ``response_type`` (``bytes``: the raw body; None: plain JSON
    values, or XML text). Raises as the module docstring says; ``secrets`` are blanked in an
    error's text. (Passed as the registry, whose repr is masked: a traceback captured with its
    frames' locals must not show the values.)"""
    body = answer.body
    if response_type is bytes:
        return body
    fmt = answer.format
    if response_type is None and not body.strip():
        return None
    if (_XML_ERROR if fmt == "xml" else _JSON_ERROR).match(body, 0, 300):
        _raise_embedded_error(answer, fmt, method, secrets)
    if response_type is None and fmt == "xml":
        return body
    try:
        return _codec.decode(body, Any if response_type is None else response_type, fmt)
    except MalformedAnswerError:
        raise
    except DecodeError as exc:
        # An empty body is whole, just not a document (Concur answers some writes so): the
        # same call would bring it again, so it is not retried.
        if body.strip() and not _parses(body, fmt):
            raise MalformedAnswerError(
                f"the answer could not be read ({len(body)} bytes of {fmt.upper()}, cut short "
                "or damaged)"
            ) from None
        raise exc from None


def _raise_embedded_error(
    answer: Answer, fmt: _codec.Format, method: str, secrets: SecretRegistry | None
) -> None:
    """Raise the error a body that looks like one of Concur's error shapes describes."""
    if fmt == "json":
        try:
            data = msgspec.json.decode(answer.body)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            return  # not an error shape after all: the decode says what it is
        if not _is_error_document(data):
            return
    parsed = parse_error_body(answer.body)
    if parsed.message is None and parsed.code is None:
        return
    raise api_error(parsed.status or answer.status, answer.body, answer.headers, method,
                    answer.url, hide=secrets.values() if secrets is not None else ())


def _is_error_document(data: Any) -> bool:
    """Whether a JSON answer is nothing but one of Concur's error shapes."""
    if not isinstance(data, Mapping):
        return False
    if isinstance(data.get("Error"), Mapping):
        return set(data) <= {"Error"}
    if isinstance(data.get("errorMessageList"), list):
        return True
    message = data.get("message")
    return isinstance(message, Mapping) and isinstance(message.get("errorMessageList"), list)


def _parses(body: bytes, fmt: _codec.Format) -> bool:
    """Whether ``body`` is well-formed at all (only asked after a decode failed)."""
    if fmt == "xml":
        from ._codec import xml as _xml

        return _xml.well_formed(body)
    try:
        msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return False
    return True
