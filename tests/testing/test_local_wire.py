"""Content negotiation, correlation ids and each family's error shape."""

from __future__ import annotations

import uuid

import aiohttp
from lxml import etree

from concur_async.testing import LocalConcur

REPORTS = "/api/v3.0/expense/reports"


async def test_json_or_xml_by_accept(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_reports(3)
    url = concur.base_url + REPORTS
    async with session.get(url, headers=headers) as resp:
        assert resp.content_type == "application/json"
        as_json = await resp.json()
    async with session.get(url, headers={**headers, "Accept": "application/xml"}) as resp:
        assert resp.content_type == "application/xml"
        root = etree.fromstring(await resp.read())
    assert root.tag == "ReportCollection"
    items = root.findall("Items")  # a list is the element repeated
    assert [i.findtext("ID") for i in items] == [r["ID"] for r in as_json["Items"]]
    assert items[0].findtext("URI") == f"{url}/{as_json['Items'][0]['ID']}"
    async with session.get(f"{url}/RPT00000001", headers={**headers,
                                                          "Accept": "text/xml"}) as resp:
        root = etree.fromstring(await resp.read())
    assert root.tag == "ReportGet"
    assert root.findtext("Name") == "Trip report 00001"


async def test_xml_request_bodies_are_read(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    body = b"<Report><Name>From XML</Name><CurrencyCode>EUR</CurrencyCode></Report>"
    send = {**headers, "Content-Type": "application/xml", "Accept": "application/xml"}
    async with session.post(concur.base_url + REPORTS, data=body, headers=send) as resp:
        assert resp.status == 200
        created = etree.fromstring(await resp.read())
    assert created.tag == "CreateResponse"
    record = concur.state.collection("expense/reports").get(created.findtext("ID") or "")
    assert record is not None
    assert record["Name"] == "From XML"
    hostile = b'<!DOCTYPE r [<!ENTITY x "y">]><Report><Name>&x;</Name></Report>'
    async with session.post(concur.base_url + REPORTS, data=hostile, headers=send) as resp:
        assert resp.status == 400


async def test_v3_errors_in_json_and_xml(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = f"{concur.base_url}{REPORTS}/missing"
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 404
        error = (await resp.json())["Error"]
    assert set(error) == {"Message", "Server-Time", "Id"}
    assert error["Id"] == resp.headers["concur-correlationid"]
    async with session.get(url, headers={**headers, "Accept": "application/xml"}) as resp:
        root = etree.fromstring(await resp.read())
    assert root.tag == "Error"
    assert root.findtext("Message")


async def test_correlation_id_on_every_answer(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    given = str(uuid.uuid4())
    async with session.get(concur.base_url + REPORTS,
                           headers={**headers, "concur-correlationid": given}) as resp:
        assert resp.headers["concur-correlationid"] == given
    for path in ("/nowhere", REPORTS):
        async with session.get(concur.base_url + path) as resp:
            uuid.UUID(resp.headers["concur-correlationid"])
    async with session.post(concur.token_url, data={}) as resp:
        uuid.UUID(resp.headers["concur-correlationid"])
    async with session.patch(concur.base_url + REPORTS, headers=headers) as resp:
        assert resp.status == 405
        uuid.UUID(resp.headers["concur-correlationid"])


async def test_v4_error_shapes(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    base = concur.base_url
    async with session.post(f"{base}/budget/v4/budgetCategory", json={"name": "x"},
                            headers=headers) as resp:
        assert resp.status == 400
        budget = await resp.json()
    assert budget["errorMessageList"][0]["errorMessage"].startswith("Required field")
    qe = f"{base}/quickexpense/v4/users/u1/context/TRAVELER/quickexpenses"
    async with session.post(qe, json={"transactionDate": "yesterday"}, headers=headers) as resp:
        assert resp.status == 400
        quick = await resp.json()
    assert {"errorId", "errorMessage", "httpStatus", "path", "timestamp"} <= set(quick)
    assert {v["source"] for v in quick["validationErrors"]} == {
        "transactionDate", "transactionAmount.value"}
    async with session.get(f"{base}/travelrequest/v4/requests/not-a-guid",
                           headers=headers) as resp:
        assert resp.status == 400
        travel = await resp.json()
    assert {"errors", "exception", "message", "path", "timestamp"} <= set(travel)
    assert travel["errors"][0]["errorCode"] == "invalidGuid"
    async with session.post(f"{base}/purchaserequest/v4/purchaserequests/",
                            json={"currencyCode": "USD"}, headers=headers) as resp:
        assert resp.status == 400
        purchase = await resp.json()
    assert purchase["error"]["dataPath"] == "userId"
    async with session.post(f"{base}/invoice/provider-payment/v4/payments/none", json={},
                            headers=headers) as resp:
        assert resp.status == 404
        assert set(await resp.json()) == {"errorCode", "errorMessage"}


async def test_v4_routes_answer_json_even_when_xml_is_asked(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with session.get(concur.base_url + "/budget/v4/budgetCategory/expenseTypes",
                           headers={**headers, "Accept": "application/xml"}) as resp:
        assert resp.content_type == "application/json"
        assert [t["expenseTypeCode"] for t in await resp.json()] == [
            "AIRFR", "LODNG", "MEALS", "TAXI", "MISCL"]


async def test_unreadable_body_is_400(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    send = {**headers, "Content-Type": "application/json"}
    async with session.post(concur.base_url + REPORTS, data=b"{nope", headers=send) as resp:
        assert resp.status == 400
    async with session.post(concur.base_url + REPORTS, data=b"", headers=send) as resp:
        assert resp.status == 400
