"""Exactly once when answers are lost: purpose-built servers that apply a write and then cut
the connection, and that leave a lookup's answer unknown. (LocalConcur's faults are ours; these
servers are written for the one misbehaviour each test is about.)"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from aiohttp import web
from servers import loopback_server

from concur_async import ConcurClient, RetryPolicy, StaticToken
from concur_async.bulk import sync_purchase_orders, sync_vendors
from concur_async.invoice.purchase_orders import (
    BillToAddress,
    LineItem,
    PurchaseOrder,
    ShipToAddress,
)
from concur_async.invoice.vendors import Vendor

POS = "/api/v3.0/invoice/purchaseorders"
VENDORS = "/api/v3.1/invoice/vendors"
#: No retry of the client's own: the sync's rounds are what is tested.
ONCE = RetryPolicy(max_attempts=1)


async def _cut_off(request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
    """Half the answer, then the connection closed: the write happened, its answer is lost."""
    payload = web.json_response(body).body
    assert isinstance(payload, bytes)
    stream = web.StreamResponse(headers={"Content-Type": "application/json"})
    stream.content_length = len(payload)
    await stream.prepare(request)
    await stream.write(payload[: len(payload) // 2])
    assert request.transport is not None
    request.transport.close()
    return stream


@asynccontextmanager
async def _client(handler: Any) -> AsyncIterator[ConcurClient]:
    async with loopback_server(handler) as base, ConcurClient(
        auth=StaticToken("t0ken-lost-answers"), base_url=base, retry=ONCE
    ) as client:
        yield client


async def test_a_write_that_landed_in_the_last_round_is_not_reported_failed() -> None:
    stored: dict[str, dict[str, Any]] = {}
    hits: Counter[str] = Counter()

    async def handler(request: web.Request) -> web.StreamResponse:
        hits[request.method] += 1
        if request.method == "GET":
            number = request.path.rsplit("/", 1)[1]
            if number not in stored:
                return web.json_response({"Error": {"Message": "not found"}}, status=404)
            return web.json_response(stored[number])
        order = await request.json()
        stored[order["PurchaseOrderNumber"]] = order
        return await _cut_off(request, {"Status": "SUCCESS"})  # every answer lost

    address = {"address1": "1 Main St", "city": "Minneapolis", "country_code": "US",
               "postal_code": "55401", "state_province": "MN"}
    order = PurchaseOrder(
        purchase_order_number="PO1", name="Order 1", currency_code="USD",
        order_date=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC), policy_external_id="PO",
        vendor_code="V1", vendor_address_code="MAIN",
        bill_to_address=BillToAddress(external_id="bill", **address),
        ship_to_address=ShipToAddress(external_id="ship", **address),
        line_item=[LineItem(external_id="PO1-1", line_number="1", quantity=Decimal("2.00"),
                            unit_price=Decimal("149.50"), expense_type="Furniture")],
    )
    async with _client(handler) as client:
        report = await sync_purchase_orders(client, [order], retry_rounds=0)
    assert (report.created, report.failed) == (1, 0)  # it is in Concur: so says the report
    assert hits["POST"] == 1


async def test_a_lookup_whose_answer_is_unknown_is_never_taken_for_not_found() -> None:
    stored: dict[str, dict[str, Any]] = {}
    lookups: Counter[str] = Counter()
    created: Counter[str] = Counter()
    answers_lost = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal answers_lost
        if request.method == "GET":
            code = request.query.get("vendorCode")
            if code is None:  # the sync's first pass: everything Concur holds
                return web.json_response({"Vendor": list(stored.values()), "NextPage": None})
            lookups[code] += 1
            if code == "A" and lookups[code] == 1:
                return web.json_response({"Error": {"Message": "busy"}}, status=503)
            found = [v for v in stored.values() if v["VendorCode"] == code]
            return web.json_response({"Vendor": found, "NextPage": None})
        statuses = []
        for n, vendor in enumerate((await request.json())["Vendor"], 1):
            if vendor["VendorCode"] in stored:
                statuses.append({"Type": "ERROR", "Message": "The vendor already exists.",
                                 "RecordNumber": n})
                continue
            stored[vendor["VendorCode"]] = vendor
            created[vendor["VendorCode"]] += 1
            statuses.append({"Type": "SUCCESS", "RecordNumber": n})
        answer = {"Vendor": [{"StatusList": [s]} for s in statuses]}
        if not answers_lost:
            answers_lost += 1
            return await _cut_off(request, answer)
        return web.json_response(answer)

    desired = [Vendor(vendor_code=code, address_code="MAIN", vendor_name=f"Vendor {code}")
               for code in ("A", "B")]
    async with _client(handler) as client:
        report = await sync_vendors(client, desired, retry_rounds=3, retry_backoff=0.001)
    assert report.failures == []
    assert (report.created, report.failed) == (2, 0)
    assert created == Counter({"A": 1, "B": 1})  # each written once, none refused as a dupe
    assert lookups["A"] == 2  # looked up again, not sent again
