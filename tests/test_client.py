"""ConcurClient.request: lifecycle, headers, parameters, bodies and answers in JSON and XML."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    AuthenticationError,
    ClientClosedError,
    ClientCredentialsGrant,
    ConcurClient,
    ConcurError,
    ConfigurationError,
    PermissionDeniedError,
    StaticToken,
)
from concur_async._model import V3Struct

if TYPE_CHECKING:
    from conftest import MockConcur

REPORTS = "/api/v3.0/expense/reports"
XML_MEDIA = "application/xml"


class Report(V3Struct):
    id: str = msgspec.field(name="ID")
    name: str
    total: Decimal | None = None
    approved: bool | None = None


async def test_creating_a_client_does_no_io(concur: MockConcur) -> None:
    client = concur.client()
    assert concur.requests_sent == 0
    with pytest.raises(RuntimeError, match="not open"):
        _ = client.session
    assert "state=new" in repr(client)


async def test_closing_releases_the_session_and_a_closed_client_stays_closed(
    concur: MockConcur,
) -> None:
    concur.route("GET", REPORTS)
    client = concur.client()
    async with client:
        session = client.session
        await client.request("GET", REPORTS)
    assert session.closed
    assert "state=closed" in repr(client)
    with pytest.raises(RuntimeError, match="closed"):
        await client.open()


async def test_a_shared_client_is_entered_once_and_serves_many_tasks(concur: MockConcur) -> None:
    reports = concur.route("GET", REPORTS, concur.reply({"Items": []}))
    client = concur.client()
    await client.open()
    await client.open()  # idempotent: the same session
    first = client.session
    await asyncio.gather(*(client.request("GET", REPORTS) for _ in range(20)))
    assert client.session is first
    await client.aclose()
    assert len(reports.hits) == 20


async def test_json_request_headers_and_parameters(concur: MockConcur) -> None:
    reports = concur.route("GET", REPORTS, concur.reply({"ok": 1}))
    async with concur.client() as client:
        answer = await client.request(
            "get",
            REPORTS,
            params={
                "user": "ALL",
                "approvalStatusCode": None,
                "hasImages": True,
                "isTest": False,
                "modifiedDateAfter": dt.date(2024, 1, 31),
                "ids": ["a", "b"],
                "limit": 25,
            },
        )
    assert answer == {"ok": 1}
    hit = reports.hits[0]
    assert hit.method == "GET"
    assert dict(hit.url.query) == {
        "user": "ALL",
        "hasImages": "true",
        "isTest": "false",
        "modifiedDateAfter": "2024-01-31",
        "ids": "a,b",
        "limit": "25",
    }
    assert hit.headers["Accept"] == "application/json"
    assert hit.authorization == f"Bearer {concur.access_token(1)}"
    assert hit.headers["User-Agent"].startswith("concur-async/")


async def test_path_without_leading_slash_joins_the_base(concur: MockConcur) -> None:
    reports = concur.route("GET", REPORTS)
    async with concur.client() as client:
        await client.request("GET", REPORTS.lstrip("/"))
    assert len(reports.hits) == 1


async def test_struct_body_encoded_as_json_and_answer_decoded(concur: MockConcur) -> None:
    created = concur.route(
        "POST", REPORTS, concur.reply({"ID": "R1", "Name": "Trip", "Total": "10.50"})
    )
    async with concur.client() as client:
        report = await client.request(
            "POST", REPORTS, body=Report(id="R0", name="Trip", approved=False),
            response_type=Report,
        )
    assert report == Report(id="R1", name="Trip", total=Decimal("10.50"))
    assert isinstance(report.total, Decimal)
    hit = created.hits[0]
    assert hit.headers["Content-Type"] == "application/json"
    assert msgspec.json.decode(hit.data) == {"ID": "R0", "Name": "Trip", "Approved": False}


async def test_json_argument_sends_builtins(concur: MockConcur) -> None:
    created = concur.route("POST", REPORTS, concur.reply({}))
    async with concur.client() as client:
        await client.request("POST", REPORTS, json={"Name": "x", "Amount": Decimal("1.10")})
    assert created.hits[0].data == b'{"Name":"x","Amount":1.10}'
    assert created.hits[0].headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("where", ["client", "call"])
async def test_xml_wire_format(concur: MockConcur, where: str) -> None:
    xml = (
        b"<Report><ID>R9</ID><Name>Trip</Name><Total>99.95</Total>"
        b"<Approved>true</Approved></Report>"
    )
    created = concur.route(
        "POST", REPORTS, concur.reply(body=xml, content_type="application/xml")
    )
    client_format = "xml" if where == "client" else "json"
    call_format = "xml" if where == "call" else None
    async with concur.client(wire_format=client_format) as client:
        report = await client.request(
            "POST", REPORTS, body=Report(id="R0", name="A & B"), root="Report",
            response_type=Report, wire_format=call_format,
        )
    assert report == Report(id="R9", name="Trip", total=Decimal("99.95"), approved=True)
    hit = created.hits[0]
    assert hit.headers["Accept"] == "application/xml"
    assert hit.headers["Content-Type"] == "application/xml"
    assert b"<Report><ID>R0</ID><Name>A &amp; B</Name></Report>" in hit.data


async def test_answer_forms_for_response_type(concur: MockConcur) -> None:
    concur.route("GET", "/raw", concur.reply(body=b"%PDF-1.7 ...", content_type="application/pdf"))
    concur.route("GET", "/empty", concur.reply(body=b"", status=204))
    concur.route("GET", "/xml", concur.reply(body=b"<A/>", content_type="application/xml"))
    concur.route("GET", "/money", concur.reply(body=b'{"Amount": 12.30}'))
    async with concur.client() as client:
        assert await client.request("GET", "/raw", response_type=bytes) == b"%PDF-1.7 ..."
        assert await client.request("GET", "/empty") is None
        assert await client.request("GET", "/xml") == b"<A/>"
        money = await client.request("GET", "/money")
    # Untyped JSON keeps numbers exact: money never passes through float.
    assert money == {"Amount": Decimal("12.30")}
    assert isinstance(money["Amount"], Decimal)


async def test_same_origin_redirect_is_followed_with_the_token(concur: MockConcur) -> None:
    concur.route("GET", "/old", concur.reply(status=307, headers={"Location": "/new?x=1"}))
    new = concur.route("GET", "/new", concur.reply({"moved": True}))
    async with concur.client() as client:
        assert await client.request("GET", "/old") == {"moved": True}
    assert new.hits[0].authorization == f"Bearer {concur.access_token(1)}"
    assert new.hits[0].url.query["x"] == "1"


async def test_303_redirect_turns_into_get(concur: MockConcur) -> None:
    concur.route("POST", "/submit", concur.reply(status=303, headers={"Location": "/result"}))
    result = concur.route("GET", "/result", concur.reply({"done": True}))
    async with concur.client() as client:
        assert await client.request("POST", "/submit", json={"a": 1}) == {"done": True}
    assert result.hits[0].data is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"wire_format": "yaml"},
        {"max_response_bytes": 10},
        {"max_concurrency": 0},
        {"base_url": "ftp://127.0.0.1"},
        {"base_url": "/relative"},
    ],
)
def test_impossible_configuration_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises((ConfigurationError, ValueError)):
        ConcurClient(auth=StaticToken("x"), **kwargs)  # type: ignore[arg-type]


async def test_stats_count_requests(concur: MockConcur) -> None:
    concur.route("GET", REPORTS, concur.reply(status=503), concur.reply({}))
    async with concur.client() as client:
        await client.request("GET", REPORTS)
        assert client.stats.requests == 2
        assert client.stats.retries == 1
        assert client.stats.token_refreshes == 1


async def test_with_options_is_a_view_sharing_the_owners_session(concur: MockConcur) -> None:
    vendors = "/api/v3.1/invoice/vendors"
    xml = b"<VendorCollection><Vendor><VendorCode>V1</VendorCode></Vendor></VendorCollection>"
    route = concur.route("GET", vendors, concur.reply(body=xml, content_type="application/xml"))
    async with concur.client() as client:
        as_xml = client.with_options(wire_format="xml")
        async with as_xml:  # entering or closing a view leaves the owner's session alone
            assert as_xml.session is client.session
        found = [v.vendor_code async for v in as_xml.invoice.vendors.list()]
        assert found == ["V1"]
        assert route.hits[0].headers["Accept"] == "application/xml"
        assert client.wire_format == "json"
        assert client.stats.requests == as_xml.stats.requests == 1
        assert not client.session.closed
    with pytest.raises(ConfigurationError, match="wire_format"):
        client.with_options(wire_format="yaml")  # type: ignore[arg-type]


def test_every_api_family_is_a_lazy_attribute_kept_per_client() -> None:
    from concur_async import _client

    names = _client._Family.names(ConcurClient)
    assert set(names) == {"invoice", "expense", "common", "insights", "budget",
                          "travel_request", "invoice_pay", "purchase_request", "quick_expense",
                          "image"}
    client = ConcurClient(auth=StaticToken("t"), base_url="http://127.0.0.1:9")
    for name in names:
        family = getattr(client, name)
        assert getattr(client, name) is family  # built once
        assert type(family).__name__.replace("_", "").lower() == name.replace("_", "")


async def test_an_xml_client_still_speaks_json_to_the_v4_apis(concur: MockConcur) -> None:
    category = {"id": "C1", "name": "Travel", "expenseTypes": []}
    route = concur.route("GET", "/budget/v4/budgetCategory/C1", concur.reply(category))
    async with concur.client(wire_format="xml") as client:
        got = await client.budget.categories.get(id="C1")
    assert got.name == "Travel"
    assert route.hits[0].headers["Accept"] == "application/json"


async def test_with_options_timeout_and_retry_apply_to_the_view_only() -> None:
    from concur_async import RetryPolicy, TransportError
    from concur_async.testing import LocalConcur

    async with LocalConcur(vendors=5, latency_ms=200) as concur, concur.client() as client:
        await client.invoice.vendors.list().collect()  # the token, and a slow page that is fine
        hasty = client.with_options(timeout=0.05, retry=RetryPolicy(max_attempts=1))
        with pytest.raises(TransportError, match="timed out"):
            await hasty.invoice.vendors.list().collect()
        assert len(await client.invoice.vendors.list().collect()) == 5
    with pytest.raises(ConfigurationError, match="timeout"):
        client.with_options(timeout=0)


async def test_proxies_from_the_environment_only_when_asked(concur: MockConcur) -> None:
    async with concur.client() as client:
        assert not client.session.trust_env
    async with concur.client(trust_env=True) as client:
        assert client.session.trust_env


@pytest.mark.parametrize("how", ["struct", "text", "bytes"])
async def test_xml_argument_sends_xml_and_asks_for_it(concur: MockConcur, how: str) -> None:
    answer = b"<Report><ID>R9</ID><Name>Trip</Name></Report>"
    created = concur.route("POST", REPORTS, concur.reply(body=answer, content_type=XML_MEDIA))
    document = {
        "struct": Report(id="R1", name="Trip"),
        "text": "<Report><ID>R1</ID><Name>Trip</Name></Report>",
        "bytes": b"<Report><ID>R1</ID><Name>Trip</Name></Report>",
    }[how]
    async with concur.client() as client:
        got = await client.request("POST", REPORTS, xml=document, root="Report",
                                   response_type=Report)
    assert got == Report(id="R9", name="Trip")
    hit = created.hits[0]
    assert hit.headers["Content-Type"] == hit.headers["Accept"] == XML_MEDIA
    assert b"<ID>R1</ID>" in hit.data


async def test_two_bodies_are_refused_before_sending(concur: MockConcur) -> None:
    from concur_async import ValidationError

    async with concur.client() as client:
        with pytest.raises(ValidationError, match="one body"):
            await client.request("POST", REPORTS, json={"a": 1}, xml=b"<a/>")
    assert concur.requests_sent == 0


# -- 403: one refresh and one retry, then PermissionDeniedError ----------------------------------


def _token_server(refuse_with: dict[str, int]) -> Any:
    """A server on 127.0.0.1 issuing tokens ``at-SECRET-n``, answering the API with the status
    ``refuse_with`` names for a token (200 otherwise); counts token requests."""
    issued: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        if request.path == "/oauth2/v0/token":
            issued.append(f"at-SECRET-{len(issued) + 1}")
            return web.json_response({"access_token": issued[-1], "expires_in": 3600,
                                      "refresh_token": f"rt-SECRET-{len(issued)}"})
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        status = refuse_with.get(token, refuse_with.get("*", 200))
        if status != 200:
            return web.json_response({"Error": {"Message": "Forbidden"}}, status=status)
        return web.json_response({"ok": token})

    return loopback_server(handler), issued


async def test_a_403_refreshes_the_token_once_and_retries() -> None:
    server, issued = _token_server({"at-SECRET-1": 403})  # an expired token, as Concur says
    async with server as base, ConcurClient(
        auth=ClientCredentialsGrant("id", "cs-SECRET"), base_url=base
    ) as client:
        assert await client.request("GET", "/api/v3.0/common/users") == {"ok": "at-SECRET-2"}
    assert len(issued) == 2


async def test_a_403_that_persists_is_a_permission_denied_error() -> None:
    server, issued = _token_server({"*": 403})
    async with server as base, ConcurClient(
        auth=ClientCredentialsGrant("id", "cs-SECRET"), base_url=base
    ) as client:
        with pytest.raises(PermissionDeniedError) as info:
            await client.request("GET", "/api/v3.0/common/users")
    assert info.value.status == 403
    assert not isinstance(info.value, AuthenticationError)  # 401 and 403 are two classes
    assert len(issued) == 2  # one refresh, not a loop


# -- a client used while not open ----------------------------------------------------------------


async def test_a_client_used_before_open_or_after_aclose_raises_a_concur_error() -> None:
    client = ConcurClient(auth=StaticToken("t0ken-123"), base_url="http://127.0.0.1:9")
    with pytest.raises(ClientClosedError, match="not open"):
        await client.request("GET", "/x")
    await client.open()
    await client.aclose()
    with pytest.raises(ClientClosedError, match="closed") as info:
        await client.request("GET", "/x")
    assert isinstance(info.value, ConcurError)
    with pytest.raises(ClientClosedError):
        await client.open()
