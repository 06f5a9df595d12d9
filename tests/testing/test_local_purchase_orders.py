"""Purchase orders and receipts: the documented error codes, answered as 200 FAILURE."""

from __future__ import annotations

import copy
from typing import Any

import aiohttp
import pytest

from concur_async.testing import LocalConcur

POS = "/api/v3.0/invoice/purchaseorders"
RECEIPTS = "/api/v3.0/invoice/purchaseorderreceipts"

# The example of seed 001 ("Create a New Purchase Order").
EXAMPLE: dict[str, Any] = {
    "BillToAddress": {"Address1": "add1", "City": "city", "CountryCode": "US",
                      "ExternalID": "billtoapi", "Name": "billto", "PostalCode": "55426",
                      "StateProvince": "MN"},
    "CurrencyCode": "USD",
    "OrderDate": "2011-08-12T20:17:46.384Z",
    "ID": "API101",
    "IsTest": False,
    "LineItem": [{
        "Allocation": [{"Amount": "106.74", "Percentage": "100.00000000",
                        "GrossAmount": "106.74"}],
        "Description": "line 1", "ExpenseType": "Advertising", "ExternalID": "API100line1",
        "IsReceiptRequired": True, "LineNumber": "1", "Quantity": "1.00",
        "UnitOfMeasureCode": "DA", "UnitPrice": "106.74",
    }],
    "Name": "poName",
    "PolicyExternalID": "PO",
    "PurchaseOrderNumber": "API101",
    "ShipToAddress": {"Address1": "add1", "City": "cityship", "CountryCode": "US",
                      "ExternalID": "Shiptoapi", "Name": "shiptoapi", "PostalCode": "55426",
                      "StateProvince": "MN"},
    "Status": "Transmitted",
    "VendorCode": "VEN1",
    "VendorAddressCode": "VEN1ADDR1",
}


@pytest.fixture
def po(concur: LocalConcur) -> dict[str, Any]:
    concur.state.vendors.add([{"VendorCode": "VEN1", "AddressCode": "VEN1ADDR1",
                               "CountryCode": "US", "CurrencyCode": "USD"}])
    return copy.deepcopy(EXAMPLE)


async def save(session: aiohttp.ClientSession, concur: LocalConcur, headers: dict[str, str],
               body: Any, method: str = "POST", path: str = POS) -> dict[str, Any]:
    async with session.request(method, concur.base_url + path, json=body,
                               headers=headers) as resp:
        assert resp.status == 200
        answer: dict[str, Any] = await resp.json()
        return answer


async def test_create_get_and_update(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    po: dict[str, Any],
) -> None:
    answer = await save(session, concur, headers, po)
    assert answer["Status"] == "SUCCESS"
    assert answer["PurchaseOrderNumber"] == "API101"
    async with session.get(f"{concur.base_url}{POS}/API101", headers=headers) as resp:
        stored = await resp.json()
    assert stored["Name"] == "poName"
    assert stored["URI"] == f"{concur.base_url}{POS}/API101"
    answer = await save(session, concur, headers, {**po, "Name": "renamed"}, method="PUT")
    assert answer["Status"] == "SUCCESS"
    assert concur.state.collection("invoice/purchaseorders").get("API101")["Name"] == "renamed"
    assert [(w.op, w.key) for w in concur.state.write_log] == [
        ("create", "API101"), ("update", "API101")]
    async with session.get(f"{concur.base_url}{POS}/NOPE", headers=headers) as resp:
        assert resp.status == 404


def _without(po: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in po.items() if k != name}


def _line(po: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**po, "LineItem": [{**po["LineItem"][0], **changes}]}


CASES = [
    ("missing PO number", lambda po: _without(po, "PurchaseOrderNumber"), "1000", None),
    ("unknown vendor", lambda po: {**po, "VendorAddressCode": "ELSEWHERE"}, "2000", None),
    ("bad currency", lambda po: {**po, "CurrencyCode": "ZZZ"}, "3000", None),
    ("unknown policy", lambda po: {**po, "PolicyExternalID": "NOPE"}, "4000", None),
    ("no line items", lambda po: {**po, "LineItem": []}, "5000", None),
    ("both expense type and account", lambda po: _line(po, AccountCode="6000"), "5001",
     "API100line1"),
    ("neither expense type nor account", lambda po: _line(po, ExpenseType=""), "5001",
     "API100line1"),
    ("tax sign differs", lambda po: _line(po, Tax="-1.00"), "5004", "API100line1"),
    ("allocation over total", lambda po: _line(po, Allocation=[{"Amount": "500"}]), "5501",
     "API100line1"),
    ("zero allocation", lambda po: _line(po, Allocation=[{"Amount": "0"}]), "5503",
     "API100line1"),
    ("duplicate line id", lambda po: {**po, "LineItem": po["LineItem"] * 2}, "5600",
     "API100line1"),
    ("no ship-to", lambda po: _without(po, "ShipToAddress"), "6000", None),
    ("bill-to without city", lambda po: {**po, "BillToAddress": _without(po["BillToAddress"],
                                                                          "City")}, "6001", None),
    ("missing order date", lambda po: _without(po, "OrderDate"), "8000", None),
    ("missing quantity", lambda po: _line(po, Quantity=""), "8000", "API100line1"),
    ("quantity not a number", lambda po: _line(po, Quantity="many"), "8002", "API100line1"),
    ("bad country", lambda po: {**po, "ShipToAddress": {**po["ShipToAddress"],
                                                        "CountryCode": "XX"}}, "8005", None),
]


@pytest.mark.parametrize(("name", "change", "code", "line"), CASES, ids=[c[0] for c in CASES])
async def test_documented_error_codes(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    po: dict[str, Any], name: str, change: Any, code: str, line: str | None,
) -> None:
    answer = await save(session, concur, headers, change(po))
    assert answer["Status"] == "FAILURE", name
    assert answer["ErrorCode"] == code
    assert answer["ErrorMessage"]
    assert answer.get("LineItemExternalID") == line
    assert len(concur.state.write_log) == 0


async def test_update_of_unknown_order_fails(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    po: dict[str, Any],
) -> None:
    answer = await save(session, concur, headers, po, method="PUT")
    assert (answer["Status"], answer["ErrorCode"]) == ("FAILURE", "1000")


async def test_xml_failure_answer(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    po: dict[str, Any],
) -> None:
    xml = {**headers, "Accept": "application/xml"}
    async with session.post(concur.base_url + POS, json={**po, "CurrencyCode": ""},
                            headers=xml) as resp:
        text = await resp.text()
    assert text.startswith("<?xml")
    assert "<PurchaseOrderResult>" in text
    assert "<ErrorCode>3000</ErrorCode>" in text


async def test_receipts(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str],
    po: dict[str, Any],
) -> None:
    await save(session, concur, headers, po)
    receipt = {"PurchaseOrderNumber": "API101", "LineItemExternalID": "API100line1",
               "GoodsReceiptNumber": "GR1", "ReceivedQuantity": "1", "ReceivedDate": "2024-01-02"}
    answer = await save(session, concur, headers, receipt, path=RECEIPTS)
    assert answer["Status"] == "SUCCESS"
    answer = await save(session, concur, headers, {**receipt, "ReceivedQuantity": "2"},
                        method="PUT", path=RECEIPTS)
    assert answer["Status"] == "SUCCESS"
    bad = await save(session, concur, headers, {**receipt, "LineItemExternalID": "nope"},
                     path=RECEIPTS)
    assert (bad["Status"], bad["ErrorCode"]) == ("FAILURE", "8000")
    url = f"{concur.base_url}{RECEIPTS}"
    async with session.get(url, params={"purchaseOrderNumber": "API101"},
                           headers=headers) as resp:
        listed = await resp.json()
    assert listed["TotalCount"] == 1
    assert listed["Items"][0]["ReceivedQuantity"] == "2"
    async with session.get(url, params={"lineItemExternalID": "API100line1"},
                           headers=headers) as resp:
        assert resp.status == 400
    async with session.delete(url, params={"goodsReceiptNumber": "GR1"}, headers=headers) as resp:
        assert resp.status == 200
    async with session.delete(url, params={"goodsReceiptNumber": "GR1"}, headers=headers) as resp:
        assert resp.status == 404
    writes = concur.state.write_log.filter(resource="invoice/purchaseorderreceipts")
    assert [w.op for w in writes] == ["create", "update", "delete"]
