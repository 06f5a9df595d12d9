"""Every error class, raised with its fields, from each of Concur's error shapes."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from concur_async import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConcurClient,
    ConcurError,
    DecodeError,
    LocalError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    StaticToken,
    TransportError,
    ValidationError,
)
from concur_async._errors import error_for_status
from concur_async._model import V3Struct

if TYPE_CHECKING:
    from conftest import MockConcur

PATH = "/api/v3.0/expense/reports/R1"
NO_RETRY = RetryPolicy(max_attempts=1)
XML = "application/xml"

CASES: list[tuple[str, int, str, bytes, type[APIError], str | None, str, tuple[str, ...]]] = [
    (
        "v3 json",
        404,
        "application/json",
        b'{"Error": {"Message": "Report not found", "Server-Time": "2024-05-01T10:00:00",'
        b' "Id": "A1B2C3"}}',
        NotFoundError, None, "Report not found", (),
    ),
    (
        "v3 xml",
        400,
        XML,
        b"<?xml version='1.0' encoding='utf-8'?><Error><Message>Invalid VendorCode</Message>"
        b"<Server-Time>2024-05-01T10:00:00</Server-Time><Id>X9</Id></Error>",
        BadRequestError, None, "Invalid VendorCode", (),
    ),
    (
        "v3 xml with namespace",
        403,
        XML,
        b'<Error xmlns="http://www.concursolutions.com/api/error/2011/02">'
        b"<Message>Not authorized for this company</Message><Id>N1</Id></Error>",
        PermissionDeniedError, None, "Not authorized for this company", (),
    ),
    (
        "budget errorMessageList",
        400,
        "application/json",
        b'{"errorMessageList": [{"errorCode": "1001", "errorMessage": "Budget not found"},'
        b' {"errorCode": "1002", "errorMessage": "Fiscal year is closed"}]}',
        BadRequestError, "1001", "Budget not found", ("Fiscal year is closed",),
    ),
    (
        "quick expense errorId",
        400,
        "application/json",
        b'{"errorId": "e-77", "errorMessage": "Validation failed", "httpStatus": "400",'
        b' "path": "/quickexpense/v4/users/u/context/TRAVELER/quickexpenses",'
        b' "timestamp": "2016-10-04T00:53:25.931+0000", "validationErrors":'
        b' [{"source": "transactionAmount.value", "message": "must not be null"}]}',
        BadRequestError, None, "Validation failed",
        ("transactionAmount.value: must not be null",),
    ),
    (
        "travel request named code",
        404,
        "application/json",
        b'{"errorCode": "REQUEST_NOT_FOUND", "errorMessage": "The request does not exist"}',
        NotFoundError, "REQUEST_NOT_FOUND", "The request does not exist", (),
    ),
    (
        "travel request ErrorResponse",
        500,
        "application/json",
        b'{"errors": [{"message": "lookup failed"}], "exception": "InternalException",'
        b' "message": "Unexpected error", "path": "/travelrequest/v4/requests", "timestamp": 0}',
        ServerError, "InternalException", "Unexpected error", ("lookup failed",),
    ),
    (
        "purchase request error",
        400,
        "application/json",
        b'{"error": {"errorCode": "PR-12", "errorMessage": "Unknown currency",'
        b' "dataPath": "/lineItems/0/currency"}}',
        BadRequestError, "PR-12", "Unknown currency", ("at /lineItems/0/currency",),
    ),
    ("too many requests", 429, "application/json", b"", RateLimitError, None, "HTTP 429", ()),
    ("plain text", 409, "text/plain", b"Conflict: edited elsewhere", APIError, None,
     "Conflict: edited elsewhere", ()),
    ("unprocessable", 422, "application/json", b'{"Message": "bad date"}', BadRequestError,
     None, "bad date", ()),
    ("bad gateway", 502, "text/html", b"", ServerError, None, "HTTP 502", ()),
]


@pytest.mark.parametrize(
    ("status", "content_type", "body", "kind", "code", "message", "details"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_error_shapes_become_api_errors_with_their_fields(
    concur: MockConcur,
    status: int,
    content_type: str,
    body: bytes,
    kind: type[APIError],
    code: str | None,
    message: str,
    details: tuple[str, ...],
) -> None:
    concur.route(
        "GET", PATH,
        concur.reply(body=body, status=status, content_type=content_type,
                     headers={"concur-correlationid": "corr-1234"}),
    )
    async with concur.client(retry=NO_RETRY) as client:
        with pytest.raises(APIError) as info:
            await client.request("GET", PATH, params={"user": "ALL", "token": "q-SECRET-1"})
    error = info.value
    assert type(error) is kind
    assert isinstance(error, ConcurError)
    assert error.status == status
    assert error.code == code
    assert error.message == message
    assert error.details == details
    assert error.method == "GET"
    assert error.url == concur.base + PATH  # the query (and any secret in it) left off
    assert error.correlation_id == "corr-1234"
    text = str(error)
    assert f"HTTP {status}" in text
    assert message in text
    assert "corr-1234" in text
    assert "q-SECRET-1" not in text


@pytest.mark.parametrize(
    ("body", "error_id"),
    [(CASES[0][3], "A1B2C3"), (CASES[1][3], "X9"), (CASES[4][3], "e-77")],
    ids=["v3 json", "v3 xml", "quick expense"],
)
async def test_an_error_instance_id_is_never_a_code_but_identifies_the_error(
    concur: MockConcur, body: bytes, error_id: str
) -> None:
    # Concur's v3 "Id" and Quick Expense's "errorId" name this occurrence, not a kind of error:
    # with no correlation header, they are what support needs.
    concur.route("GET", PATH, concur.reply(body=body, status=400,
                                           content_type="application/json"))
    async with concur.client(retry=NO_RETRY) as client:
        with pytest.raises(APIError) as info:
            await client.request("GET", PATH)
    assert info.value.code is None
    assert info.value.correlation_id == error_id


async def test_token_error_is_an_authentication_error_with_its_fields(concur: MockConcur) -> None:
    concur.token_reply = concur.reply(
        {"error": "invalid_client", "error_description": "Client secret is wrong", "code": 104},
        status=401, headers={"concur-correlationid": "corr-tok"},
    )
    async with concur.client() as client:
        with pytest.raises(AuthenticationError) as info:
            await client.request("GET", PATH)
    assert (info.value.status, info.value.code, info.value.message) == (
        401, "104", "Client secret is wrong",
    )
    assert (info.value.method, info.value.url, info.value.correlation_id) == (
        "POST", concur.token_url, "corr-tok",
    )


async def test_error_without_correlation_header(concur: MockConcur) -> None:
    concur.route("GET", PATH, concur.reply({"Error": {"Message": "gone"}}, status=404))
    async with concur.client() as client:
        with pytest.raises(NotFoundError) as info:
            await client.request("GET", PATH)
    assert info.value.correlation_id is None
    assert "correlation_id" not in str(info.value)


class Report(V3Struct):
    id: str = msgspec.field(name="ID")
    name: str


async def test_body_that_does_not_match_its_struct_is_a_decode_error(concur: MockConcur) -> None:
    concur.route("GET", PATH, concur.reply({"ID": 42, "Name": "Trip"}))
    async with concur.client() as client:
        with pytest.raises(DecodeError) as info:
            await client.request("GET", PATH, response_type=Report)
    assert isinstance(info.value, ConcurError)
    assert info.value.path is not None
    assert "ID" in info.value.path


async def test_malformed_json_is_a_decode_error(concur: MockConcur) -> None:
    concur.route("GET", PATH, concur.reply(body=b'{"ID": "1", "Na'))
    async with concur.client() as client:
        with pytest.raises(DecodeError):
            await client.request("GET", PATH, response_type=Report)


@pytest.mark.parametrize("announced", [True, False], ids=["content-length", "streamed"])
async def test_response_over_the_cap_is_refused(concur: MockConcur, announced: bool) -> None:
    body = b"[" + b"1," * 1500 + b"1]"
    headers = {"Content-Length": str(len(body))} if announced else {}
    concur.route("GET", PATH, concur.reply(body=body, headers=headers))
    async with concur.client(max_response_bytes=1024) as client:
        with pytest.raises(APIError, match="max_response_bytes") as info:
            await client.request("GET", PATH)
        assert info.value.url == concur.base + PATH
        concur.route("GET", "/small", concur.reply(body=b"[1]"))
        assert await client.request("GET", "/small") == [1]


async def test_local_validation_error_says_nothing_was_sent() -> None:
    error = ValidationError("page_size 5000 exceeds the maximum of 1000")
    assert not hasattr(error, "status")  # no server answered it: no status, not even 0
    assert str(error) == "invalid input: page_size 5000 exceeds the maximum of 1000"
    assert not isinstance(error, APIError)
    assert isinstance(error, LocalError)
    assert isinstance(error, ValueError)


# -- real sockets on 127.0.0.1: a refused connection and a timeout ------------------------


@pytest.fixture
async def hanging_server() -> AsyncIterator[str]:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    app = web.Application()
    app.router.add_get("/{tail:.*}", hang)
    async with TestServer(app, host="127.0.0.1") as server:
        yield str(server.make_url("")).rstrip("/")


async def test_timeout_is_a_transport_error(hanging_server: str) -> None:
    client = ConcurClient(
        base_url=hanging_server, auth=StaticToken("st"), timeout=0.2, retry=NO_RETRY
    )
    async with client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", PATH, params={"q": "x"})
    assert info.value.method == "GET"
    assert info.value.url == hanging_server + PATH
    assert "timed out" in info.value.message


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_refused_connection_is_a_transport_error() -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    retry = RetryPolicy(max_attempts=2, backoff_base=0.001)
    async with ConcurClient(base_url=base, auth=StaticToken("st"), retry=retry) as client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", PATH)
        assert client.stats.retries == 1
    assert info.value.url == base + PATH
    assert isinstance(info.value, ConcurError)
    assert "GET" in str(info.value)


def test_status_to_class() -> None:
    table: dict[int, Any] = {
        400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
        404: NotFoundError, 409: APIError, 422: BadRequestError, 429: RateLimitError,
        500: ServerError, 503: ServerError,
    }
    assert {status: error_for_status(status) for status in table} == table


async def test_bad_options_raise_the_sdks_own_errors_which_are_also_value_errors() -> None:
    from concur_async import ConfigurationError, RateLimit, ValidationError
    from concur_async._concurrency import ordered_map
    from concur_async.bulk import sync_vendors
    from concur_async.testing import LocalConcur

    refused: list[BaseException] = []
    for make in (lambda: RetryPolicy(max_attempts=0), lambda: RateLimit(0, 1),
                 lambda: ordered_map([], asyncio.sleep, concurrency=0)):
        with pytest.raises((ConfigurationError, ValidationError)) as info:
            make()
        refused.append(info.value)
    async with LocalConcur() as concur, concur.client() as client:
        with pytest.raises(ValidationError, match="prefetch"):
            client.invoice.vendors.list(prefetch=-1)
        with pytest.raises(ValidationError, match="batch_size"):
            await sync_vendors(client, [], batch_size=0)
        assert concur.stats.total == 0  # refused before any request, the token's included
    assert all(isinstance(e, ConcurError) and isinstance(e, ValueError) for e in refused)
