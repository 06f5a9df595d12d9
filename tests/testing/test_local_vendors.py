"""Vendors: paging, filters, batch writes with per-vendor status, delete, banks and groups."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from lxml import etree

from concur_async.testing import (
    STATUS_DUPLICATE,
    STATUS_INVALID_CURRENCY,
    STATUS_MISSING_FIELD,
    STATUS_NOT_FOUND,
    STATUS_OK,
    LocalConcur,
    seeded_vendor,
)

V30, V31 = "/api/v3.0/invoice/vendors", "/api/v3.1/invoice/vendors"


def vendor(code: str, **fields: Any) -> dict[str, Any]:
    return {"VendorCode": code, "AddressCode": "HQ", "VendorName": f"{code} Ltd",
            "CountryCode": "US", "CurrencyCode": "USD", **fields}


async def get(session: aiohttp.ClientSession, url: str, headers: dict[str, str],
              **params: Any) -> tuple[int, Any]:
    async with session.get(url, params=params, headers=headers) as resp:
        return resp.status, await resp.json()


async def send(session: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str],
               body: Any) -> tuple[int, Any]:
    async with session.request(method, url, json=body, headers=headers) as resp:
        return resp.status, await resp.json()


async def test_pages_follow_next_page_until_the_end(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(2500)
    url: str | None = concur.base_url + V31 + "?limit=1000"
    codes: list[str] = []
    totals = set()
    while url:
        status, page = await get(session, url, headers)
        assert status == 200
        assert page["Items"] is None
        codes += [v["VendorCode"] for v in page["Vendor"]]
        totals.add(page["TotalCount"])
        url = page["NextPage"]
        if url:
            assert url.startswith(concur.base_url + V31 + "?")
            assert "limit=1000" in url
    assert codes == [seeded_vendor(i)["VendorCode"] for i in range(2500)]
    assert totals == {2500}
    assert concur.stats.count("GET", V31) == 3


async def test_default_limit_and_limit_bounds(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(30)
    status, page = await get(session, concur.base_url + V30, headers)
    assert (status, len(page["Vendor"])) == (200, 25)
    for limit in (1001, 0, "ten"):
        status, body = await get(session, concur.base_url + V30, headers, limit=limit)
        assert status == 400, limit
        assert "limit" in body["Error"]["Message"]
    status, body = await get(session, concur.base_url + V30, headers, offset="forged")
    assert status == 400


async def test_deleted_and_created_vendors_page_correctly(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(5)
    concur.state.vendors.delete(("V0000001", "MAIN"))
    concur.state.vendors.add([vendor("NEW1"), vendor("NEW2")])
    concur.state.vendors.delete(("V0000004", "MAIN"))
    seen = []
    url: str | None = concur.base_url + V30 + "?limit=2"
    while url:
        _, page = await get(session, url, headers)
        seen += [v["VendorCode"] for v in page["Vendor"]]
        url = page["NextPage"]
    assert seen == ["V0000000", "V0000002", "V0000003", "NEW1", "NEW2"]
    assert len(concur.state.vendors) == 5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"vendorName": "vendor 0000012"}, []),  # exact is the default
        ({"vendorName": "Vendor 0000012 Logistics", "searchType": "exact"}, ["V0000012"]),
        ({"vendorName": "vendor 000001", "searchType": "begins"},
         [f"V{i:07d}" for i in range(10, 20)]),
        ({"vendorName": "0000013", "searchType": "contains"}, ["V0000013"]),
        ({"vendorName": "consulting", "searchType": "ends", "city": "Berlin"}, ["V0000019"]),
        ({"vendorCode": "V0000007"}, ["V0000007"]),
        ({"vendorCode": "V0000007", "city": "Paris"}, []),
        ({"country": "DE", "approved": "false"}, ["V0000019"]),
        ({"country": "Germany", "approved": "FALSE"}, ["V0000019"]),
        ({"paymentMethodType": "CHECK", "state": "NY"}, [f"V{i:07d}" for i in (1, 9, 17, 25)]),
    ],
)
async def test_filters_and_search_types(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    params: dict[str, str], expected: list[str],
) -> None:
    concur.state.seed_vendors(32)
    status, page = await get(session, concur.base_url + V31, headers, limit=100, **params)
    assert status == 200
    assert [v["VendorCode"] for v in page["Vendor"]] == expected
    assert page["TotalCount"] == len(expected)


async def test_filtered_listing_pages_through_matches(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(400)
    url: str | None = concur.base_url + V31 + "?limit=7&city=Tokyo"
    found = []
    while url:
        _, page = await get(session, url, headers)
        found += [v["VendorCode"] for v in page["Vendor"]]
        assert page["TotalCount"] == 50
        url = page["NextPage"]
    assert found == [f"V{i:07d}" for i in range(6, 400, 8)]


async def test_bad_search_type_is_400(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    status, _ = await get(session, concur.base_url + V31, headers, vendorName="x",
                          searchType="fuzzy")
    assert status == 400


async def test_batch_create_reports_each_vendor(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.vendors.add([vendor("OLD")])
    batch = [
        vendor("A1"),
        vendor("B2", CurrencyCode="XXX"),
        {"VendorCode": "C3", "AddressCode": "HQ", "CountryCode": "US"},
        vendor("OLD"),
        vendor("A1"),
        vendor("D4", PaymentTerms=45),
    ]
    status, answer = await send(session, "POST", concur.base_url + V31, headers,
                                {"Vendor": batch})
    assert status == 200
    statuses = [(v["StatusList"][0]["Code"], v["StatusList"][0]["Type"],
                 v["StatusList"][0]["RecordNumber"]) for v in answer["Vendor"]]
    assert statuses == [
        (STATUS_OK, "SUCCESS", 1),
        (STATUS_INVALID_CURRENCY, "ERROR", 2),
        (STATUS_MISSING_FIELD, "ERROR", 3),
        (STATUS_DUPLICATE, "ERROR", 4),
        (STATUS_DUPLICATE, "ERROR", 5),
        (STATUS_OK, "SUCCESS", 6),
    ]
    assert "CurrencyCode" in answer["Vendor"][2]["StatusList"][0]["Message"]
    assert concur.state.vendors.get(("D4", "HQ"))["PaymentTerms"] == "45"
    created = concur.state.write_log.keys("create", "invoice/vendors")
    assert created == {("A1", "HQ"): 1, ("D4", "HQ"): 1}
    assert concur.state.write_log.duplicates() == {}


async def test_batch_update_merges_and_reports_unknown(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(3)
    batch = [{"VendorCode": "V0000002", "AddressCode": "MAIN", "City": "Oslo"},
             {"VendorCode": "NOPE", "AddressCode": "MAIN", "City": "Oslo"}]
    status, answer = await send(session, "PUT", concur.base_url + V30, headers, {"Vendor": batch})
    assert status == 200
    assert [v["StatusList"][0]["Code"] for v in answer["Vendor"]] == [STATUS_OK, STATUS_NOT_FOUND]
    updated = concur.state.vendors.get(("V0000002", "MAIN"))
    assert updated["City"] == "Oslo"
    assert updated["VendorName"] == seeded_vendor(2)["VendorName"]
    assert [w.op for w in concur.state.write_log] == ["update"]


async def test_batch_limits(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    status, _ = await send(session, "POST", concur.base_url + V31, headers, {"Vendor": []})
    assert status == 400
    too_many = [vendor(f"X{i}") for i in range(1001)]
    status, _ = await send(session, "POST", concur.base_url + V31, headers, {"Vendor": too_many})
    assert status == 400
    assert len(concur.state.vendors) == 0


async def test_xml_batch_create(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    body = (b"<VendorCollection><Vendor><VendorCode>X1</VendorCode><AddressCode>HQ</AddressCode>"
            b"<CountryCode>DE</CountryCode><CurrencyCode>EUR</CurrencyCode></Vendor>"
            b"</VendorCollection>")
    xml_headers = {**headers, "Accept": "application/xml", "Content-Type": "application/xml"}
    async with session.post(concur.base_url + V31, data=body, headers=xml_headers) as resp:
        assert resp.status == 200
        assert resp.content_type == "application/xml"
        root = etree.fromstring(await resp.read())
    assert root.tag == "VendorCollection"
    assert root.findtext("Vendor/StatusList/Type") == "SUCCESS"
    assert concur.state.vendors.get(("X1", "HQ"))["CurrencyCode"] == "EUR"


async def test_delete_vendor(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(2)
    url = concur.base_url + V31
    params = {"vendorCode": "V0000001", "addressCode": "MAIN"}
    async with session.delete(url, params=params, headers=headers) as resp:
        assert resp.status == 200
    async with session.delete(url, params=params, headers=headers) as resp:
        assert resp.status == 404
    async with session.delete(url, params={"vendorCode": "V0000001"}, headers=headers) as resp:
        assert resp.status == 400
    assert len(concur.state.vendors) == 1
    assert concur.state.write_log.keys("delete") == {("V0000001", "MAIN"): 1}


async def test_banks_and_groups(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(1)
    base = concur.base_url + "/api/v3.1/invoice/vendor"
    bank = {"VendorCode": "V0000000", "AddressCode": "MAIN", "AccountNumber": "123",
            "AccountType": "CHCK", "NameOnAccount": "Vendor", "IsActive": "true"}
    status, answer = await send(session, "PUT", f"{base}/banks", headers,
                                {"VendorBank": [bank, {**bank, "AccountType": "GOLD"}]})
    assert status == 200
    assert [b["StatusList"][0]["Type"] for b in answer["VendorBank"]] == ["SUCCESS", "ERROR"]
    where = "?vendorCode=V0000000&addressCode=MAIN"
    status, answer = await send(session, "PUT", f"{base}/groups{where}", headers,
                                {"VendorGroup": [{"Name": "Preferred"}, {"Name": ""}]})
    assert [g["StatusList"][0]["Type"] for g in answer["VendorGroup"]] == ["SUCCESS", "ERROR"]
    stored = concur.state.vendors.get(("V0000000", "MAIN"))
    assert stored["VendorGroupList"] == ["Preferred"]
    assert stored["VendorBankList"][0]["AccountNumber"] == "123"
    async with session.delete(f"{base}/groups{where}&groupName=Preferred",
                              headers=headers) as resp:
        assert resp.status == 200
    async with session.delete(f"{base}/groups{where}&groupName=Preferred",
                              headers=headers) as resp:
        assert resp.status == 404
    assert concur.state.vendors.get(("V0000000", "MAIN"))["VendorGroupList"] == []


async def test_a_million_lazy_vendors_cost_nothing_until_written(
    session: aiohttp.ClientSession,
) -> None:
    from localconcur_helpers import bearer

    async with LocalConcur(vendors=1_000_000) as concur:
        headers = await bearer(session, concur)
        status, page = await get(session, concur.base_url + V31, headers,
                                 vendorCode="V0999999")
        assert status == 200
        assert page["Vendor"] == [seeded_vendor(999_999)]
        concur.state.vendors.delete(("V0500000", "MAIN"))
        assert len(concur.state.vendors) == 999_999
        assert concur.state.vendors.get(("V0500000", "MAIN")) is None
        assert concur.state.vendors.get(("V0500001", "MAIN")) == seeded_vendor(500_001)
