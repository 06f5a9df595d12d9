"""The one decode: error bodies inside a 200, damaged answers (retried), answers that do not fit
their struct (not retried), against real servers on 127.0.0.1 that misbehave on purpose."""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec
import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    APIStatusError,
    BadRequestError,
    ConcurClient,
    DecodeError,
    MalformedAnswerError,
    RetryPolicy,
    StaticToken,
)
from concur_async._answer import Answer, decode_answer
from concur_async._model import V3Struct, V4Struct

FAST = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002)
JSON = {"Content-Type": "application/json"}
XML = {"Content-Type": "application/xml"}


class Vendor(V3Struct):
    vendor_code: str | None = None
    vendor_name: str | None = None


class Budget(V4Struct):
    name: str | None = None
    budget_amount: int | None = None


def answer(body: bytes, headers: dict[str, str] = JSON, status: int = 200) -> Answer:
    return Answer(status, body, headers, "https://us.api.concursolutions.com/x")


# -- units: what kind of failure each body is ---------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"VendorCode": "V1", "VendorName": "Ac',  # cut off mid-string
        b'{"VendorCode": "V1"',
        b"<html><body>502 Bad Gateway</body></html>",  # a proxy's page, sent as JSON
        b"\x00\x01\x02",
    ],
)
def test_a_body_that_cannot_be_parsed_is_a_malformed_answer(body: bytes) -> None:
    with pytest.raises(MalformedAnswerError, match="could not be read"):
        decode_answer(answer(body), Vendor, method="GET")


def test_a_cut_off_xml_answer_is_a_malformed_answer() -> None:
    with pytest.raises(MalformedAnswerError):
        decode_answer(answer(b"<Vendor><VendorCode>V1</Vendor", XML), Vendor, method="GET")


def test_a_body_that_parses_but_does_not_fit_is_a_plain_decode_error() -> None:
    with pytest.raises(DecodeError) as info:
        decode_answer(answer(b'{"VendorCode": 5}'), Vendor, method="GET")
    assert not isinstance(info.value, MalformedAnswerError)


@pytest.mark.parametrize(
    ("body", "headers", "code", "message"),
    [
        (b'{"Error": {"Message": "Vendor code is not valid", "Id": "E1"}}', JSON, None,
         "Vendor code is not valid"),
        (b"<?xml version='1.0'?><Error><Message>Not allowed</Message><Id>E2</Id></Error>", XML,
         None, "Not allowed"),
        (b'{"errorMessageList": [{"errorCode": "B12", "errorMessage": "Closed year"}]}', JSON,
         "B12", "Closed year"),
        (b'{"message": {"errorMessageList": [{"errorCode": "B7", "errorMessage": "No budget"}]}}',
         JSON, "B7", "No budget"),
    ],
    ids=["v3 json", "v3 xml", "budget", "budget nested"],
)
def test_a_200_carrying_an_error_body_raises_it(
    body: bytes, headers: dict[str, str], code: str | None, message: str
) -> None:
    with pytest.raises(APIStatusError) as info:
        decode_answer(answer(body, headers), Vendor, method="GET")
    assert (info.value.code, info.value.message) == (code, message)
    assert info.value.status == 200


def test_a_200_error_body_naming_its_status_raises_that_class() -> None:
    body = b'{"errorMessageList": [{"errorMessage": "bad"}], "httpStatus": "400"}'
    with pytest.raises(BadRequestError) as info:
        decode_answer(answer(body), Budget, method="POST")
    assert info.value.status == 400


@pytest.mark.parametrize(
    "body",
    [
        b'{"VendorCode": "Error", "VendorName": "message"}',
        b'{"message": "created", "name": "FY"}',  # a plain "message" field is data
        b'{"Error": {"Message": "x"}, "VendorCode": "V1"}',  # more than the error shape
    ],
)
def test_answers_that_merely_mention_errors_decode_as_data(body: bytes) -> None:
    decoded = decode_answer(answer(body), Any, method="GET")
    assert isinstance(decoded, dict)


def test_an_error_shape_is_recognised_only_at_the_start_so_large_pages_pay_nothing() -> None:
    page = b'{"Items": [' + b",".join(b'{"Error": {"Message": "x"}}' for _ in range(3)) + b"]}"
    assert decode_answer(answer(page), Any, method="GET")["Items"][0] == {
        "Error": {"Message": "x"}
    }


def test_bytes_and_empty_answers_pass_through() -> None:
    assert decode_answer(answer(b"\x89PNG"), bytes, method="GET") == b"\x89PNG"
    assert decode_answer(answer(b"  "), None, method="DELETE") is None


# -- servers that answer 200 with damaged bodies -----------------------------------------------


async def test_a_truncated_200_on_a_get_is_retried_like_a_dropped_connection() -> None:
    hits: Counter[str] = Counter()
    good = msgspec.json.encode({"VendorCode": "V1", "VendorName": "Acme"})

    async def handler(request: web.Request) -> web.Response:
        hits[request.method] += 1
        body = good if hits[request.method] > 1 else good[: len(good) // 2]
        return web.Response(body=body, content_type="application/json")

    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-1234"), base_url=base, retry=FAST
    ) as client:
        got = await client.request("GET", "/api/v3.0/vendors/V1", response_type=Vendor)
        assert got == Vendor(vendor_code="V1", vendor_name="Acme")
        assert client.stats.retries == 1
        # A POST's truncated answer says nothing of whether it was applied: not replayed.
        hits.clear()
        with pytest.raises(MalformedAnswerError):
            await client.request("POST", "/api/v3.0/vendors", response_type=Vendor, json={})
    assert hits["POST"] == 1


async def test_a_truncated_page_is_fetched_again() -> None:
    page = msgspec.json.encode({"Items": [{"VendorCode": "V0"}], "NextPage": None})
    served: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        served.append(1)
        body = page if len(served) > 2 else page[:17]  # cut off twice, then whole
        return web.Response(body=body, content_type="application/json")

    class Page(V3Struct):
        items: list[Vendor] | None = None
        next_page: str | None = None

    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-1234"), base_url=base, retry=FAST
    ) as client:
        got = await client.fetch_page("/api/v3.0/vendors", Page)
    assert got.items == [Vendor(vendor_code="V0")]
    assert len(served) == 3


async def test_an_answer_that_does_not_fit_is_not_retried() -> None:
    hits: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        hits.append(request.path)
        return web.json_response({"VendorCode": 42})

    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-1234"), base_url=base, retry=FAST
    ) as client:
        with pytest.raises(DecodeError) as info:
            await client.request("GET", "/api/v3.0/vendors/V1", response_type=Vendor)
    assert not isinstance(info.value, MalformedAnswerError)
    assert len(hits) == 1  # the same answer would come again


async def test_a_200_with_a_v3_error_body_raises_instead_of_an_empty_struct() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(
            {"Error": {"Message": "The user has no access to this vendor", "Id": "X1"}},
            headers={"concur-correlationid": "c-1"},
        )

    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-1234"), base_url=base, retry=FAST
    ) as client:
        with pytest.raises(APIStatusError, match="no access to this vendor") as info:
            await client.request("GET", "/api/v3.0/vendors/V1", response_type=Vendor)
    assert info.value.correlation_id == "c-1"
    assert info.value.url.endswith("/api/v3.0/vendors/V1")


def test_an_empty_body_is_not_taken_for_a_damaged_one() -> None:
    # Whole but no document: the same call would bring it again, so it is not retried.
    with pytest.raises(DecodeError) as info:
        decode_answer(answer(b""), Vendor, method="PUT")
    assert not isinstance(info.value, MalformedAnswerError)
