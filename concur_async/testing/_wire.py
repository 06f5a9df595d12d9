"""What goes over the wire: content negotiation, request bodies and the error shapes.

Each Concur API family answers errors in its own shape, and the seeds document them:

- v3 (``/api/...``): ``{"Error": {"Message", "Server-Time", "Id"}}``, or ``<Error>`` in XML;
- the token endpoint: ``{"error", "error_description", "code"}``;
- Budget v4: ``{"errorMessageList": [{"errorCode", "errorMessage"}]}``;
- Quick Expense v4: ``{"errorId", "errorMessage", "httpStatus", "path", "timestamp",
  "validationErrors"}``;
- Travel Request v4: ``{"errors", "exception", "message", "path", "timestamp"}``;
- Purchase Request v4: ``{"error": {"errorCode", "errorMessage", "dataPath"}}``;
- Invoice Pay v4 documents none, so it answers ``{"errorCode", "errorMessage"}``.

Only v3 routes speak XML; v4 routes answer JSON whatever the ``Accept`` header says.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import msgspec
from aiohttp import web

from . import _xml

__all__ = [
    "JSON",
    "XML",
    "Failure",
    "as_list",
    "empty",
    "error_response",
    "family",
    "read_body",
    "reply",
    "server_time",
    "wants_xml",
]

JSON = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"

_FAMILIES = (
    ("/oauth2/", "token"),
    ("/api/", "v3"),
    ("/budget/", "budget"),
    ("/quickexpense/", "quick_expense"),
    ("/travelrequest/", "travel_request"),
    ("/purchaserequest/", "purchase_request"),
    ("/invoice/provider-payment/", "invoice_pay"),
)


class Failure(Exception):
    """An error answer; raised by handlers and rendered in the shape of the route's family.

    ``error`` is the short machine name (token endpoint, v4 exceptions), ``code`` the numeric
    or symbolic code, ``details`` (field, message) pairs for validation errors. ``shape``
    forces a family's error shape whatever the route (token checks answer in v3's).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | int | None = None,
        error: str | None = None,
        details: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        shape: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.error = error
        self.details = tuple(details)
        self.headers = dict(headers or {})
        self.shape = shape


def family(path: str) -> str:
    for prefix, name in _FAMILIES:
        if path.startswith(prefix):
            return name
    return "v3"


def wants_xml(request: web.Request) -> bool:
    if family(request.path) != "v3":
        return False
    accept = request.headers.get("Accept", "").lower()
    xml = accept.find("xml")
    if xml < 0:
        return False
    json = accept.find("json")
    return json < 0 or xml < json


def server_time() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def as_list(value: Any) -> list[Any]:
    """A list from a JSON array, a single XML element or nothing."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def reply(
    request: web.Request, data: Any, *, status: int = 200, root: str = "Response"
) -> web.Response:
    """``data`` encoded as the client asked: XML under ``root`` or JSON."""
    if wants_xml(request):
        return web.Response(body=_xml.dumps(root, data), status=status,
                            headers={"Content-Type": XML})
    return web.Response(body=msgspec.json.encode(data), status=status,
                        headers={"Content-Type": JSON})


def empty(status: int = 200) -> web.Response:
    """Concur's ``Void`` answer: a status and no body."""
    return web.Response(status=status)


async def read_body(request: web.Request) -> Any:
    """The request body decoded from JSON or XML (by ``Content-Type``); 400 when it is not."""
    raw = await request.read()
    if not raw.strip():
        raise Failure(400, "The request body is missing.", code="EMPTY_BODY")
    ctype = request.content_type.lower()
    try:
        if "xml" in ctype or ("json" not in ctype and raw.lstrip()[:1] == b"<"):
            return _xml.loads(raw)[1]
        return msgspec.json.decode(raw)
    except (ValueError, msgspec.DecodeError) as exc:
        raise Failure(400, f"The request body could not be read: {exc}",
                      code="MALFORMED_BODY") from None


def error_response(request: web.Request, failure: Failure, correlation_id: str) -> web.Response:
    path = request.path
    kind = failure.shape or family(path)
    status = failure.status
    headers = dict(failure.headers)
    if kind == "v3" and wants_xml(request):  # only v3 routes ever ask for XML
        body = _xml.dumps(
            "Error",
            {"Message": failure.message, "Server-Time": server_time(), "Id": correlation_id},
        )
        headers["Content-Type"] = XML
        return web.Response(body=body, status=status, headers=headers)
    headers["Content-Type"] = JSON
    data = _error_data(kind, failure, correlation_id, path)
    return web.Response(body=msgspec.json.encode(data), status=status, headers=headers)


def _error_data(kind: str, failure: Failure, correlation_id: str, path: str) -> Any:
    status = failure.status
    code = failure.code if failure.code is not None else str(status)
    name = _status_name(status)
    if kind == "token":
        return {
            "error": failure.error or "invalid_request",
            "error_description": failure.message,
            "code": failure.code,
        }
    if kind == "budget":
        return {"errorMessageList": [{"errorCode": str(code), "errorMessage": failure.message}]}
    if kind == "quick_expense":
        return {
            "errorId": correlation_id,
            "errorMessage": failure.message,
            "httpStatus": name,
            "path": path,
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000",
            "validationErrors": [{"source": s, "message": m} for s, m in failure.details],
        }
    if kind == "travel_request":
        return {
            "errors": [{"errorCode": str(code), "errorMessage": failure.message}]
            + [{"errorCode": str(code), "errorMessage": m, "field": s} for s, m in failure.details],
            "exception": failure.error or name,
            "message": failure.message,
            "path": path,
            "timestamp": int(time.time() * 1000),
        }
    if kind == "purchase_request":
        data_path = failure.details[0][0] if failure.details else ""
        return {"error": {"errorCode": str(code), "errorMessage": failure.message,
                          "dataPath": data_path}}
    if kind == "invoice_pay":
        return {"errorCode": str(code), "errorMessage": failure.message}
    return {"Error": {"Message": failure.message, "Server-Time": server_time(),
                      "Id": correlation_id}}


def _status_name(status: int) -> str:
    try:
        return HTTPStatus(status).name
    except ValueError:
        return str(status)
