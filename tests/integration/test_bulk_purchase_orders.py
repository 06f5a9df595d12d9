"""sync_purchase_orders and sync_purchase_order_receipts against LocalConcur over sockets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import anyio
import pytest

from concur_async import AuthenticationError, RetryPolicy, StaticToken
from concur_async.bulk import SyncProgress, sync_purchase_order_receipts, sync_purchase_orders
from concur_async.invoice.po_errors import describe_po_error
from concur_async.invoice.purchase_order_receipts import PurchaseOrderReceipt
from concur_async.invoice.purchase_orders import (
    BillToAddress,
    LineItem,
    PurchaseOrder,
    ShipToAddress,
)
from concur_async.testing import LocalConcur, seed_code

pytestmark = pytest.mark.integration

POS = "/api/v3.0/invoice/purchaseorders"
RECEIPTS = "/api/v3.0/invoice/purchaseorderreceipts"
SEEDED = 50


def order(i: int, *, vendor: str | None = None, description: str = "office chairs",
          currency: str = "USD") -> PurchaseOrder:
    address = {"address1": "1 Main St", "city": "Minneapolis", "country_code": "US",
               "postal_code": "55401", "state_province": "MN"}
    return PurchaseOrder(
        purchase_order_number=f"PO{i:05d}",
        name=f"Order {i}",
        currency_code=currency,
        order_date=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC),
        policy_external_id="PO",
        vendor_code=vendor or seed_code(i % SEEDED),
        vendor_address_code="MAIN",
        bill_to_address=BillToAddress(external_id="bill", **address),
        ship_to_address=ShipToAddress(external_id="ship", **address),
        line_item=[
            LineItem(external_id=f"PO{i:05d}-1", line_number="1", quantity=Decimal("2.00"),
                     unit_price=Decimal("149.50"), expense_type="Furniture",
                     description=description),
            LineItem(external_id=f"PO{i:05d}-2", line_number="2", quantity=Decimal("1"),
                     unit_price=Decimal("20"), account_code="6100"),
        ],
    )


def writes(concur: LocalConcur, path: str = POS) -> int:
    return concur.stats.count("POST", path) + concur.stats.count("PUT", path)


async def test_orders_created_then_unchanged_then_one_updated() -> None:
    count = 300
    async with LocalConcur(vendors=SEEDED) as concur, concur.client() as client:
        first = await sync_purchase_orders(client, [order(i) for i in range(count)])
        assert (first.created, first.unchanged, first.failed) == (count, 0, 0)
        assert concur.stats.count("POST", POS) == count
        assert len(concur.state.collection("invoice/purchaseorders")) == count

        before = writes(concur)
        second = await sync_purchase_orders(client, (order(i) for i in range(count)))
        assert (second.unchanged, second.created, second.updated) == (count, 0, 0)
        assert writes(concur) == before
        assert second.requests == count  # one GET per order, nothing else

        changed = [order(i, description="standing desks" if i == 7 else "office chairs")
                   for i in range(count)]
        third = await sync_purchase_orders(client, changed, concurrency=8)
        assert (third.updated, third.unchanged) == (1, count - 1)
        assert concur.state.write_log.keys("update") == {"PO00007": 1}
        stored = concur.state.collection("invoice/purchaseorders").get("PO00007")
        assert stored is not None
        assert stored["LineItem"][0]["Description"] == "standing desks"
        assert not concur.state.write_log.duplicates()
        assert not concur.errors


async def test_refused_orders_are_reported_with_the_documented_meaning() -> None:
    broken = dict(json.loads(json.dumps({"PurchaseOrderNumber": "PO99999", "Name": "x"})))
    async with LocalConcur(vendors=SEEDED) as concur, concur.client() as client:
        report = await sync_purchase_orders(client, [
            order(1),
            order(2, vendor="NOSUCHVENDOR"),
            order(3, currency="XYZ"),
            broken,  # not a valid PurchaseOrder: refused before sending
        ])
        assert (report.created, report.failed) == (1, 3)
        by_key = {f.key: f for f in report.failures}
        vendor = by_key["PO00002"]
        assert (vendor.code, vendor.action, vendor.retried) == ("2000", "create", False)
        assert vendor.meaning == describe_po_error(2000)
        assert "no vendor found" in (vendor.meaning or "")
        currency = by_key["PO00003"]
        assert currency.code == "3000"
        assert currency.meaning == describe_po_error("3000")
        assert currency.field_code == "Header CurrencyCode"
        local = by_key["PO99999"]
        assert local.code is None
        assert local.message
        assert set(concur.state.write_log.keys("create")) == {"PO00001"}


async def test_dry_run_fetches_but_never_writes() -> None:
    async with LocalConcur(vendors=SEEDED) as concur, concur.client() as client:
        await sync_purchase_orders(client, [order(0)])
        before = writes(concur)
        report = await sync_purchase_orders(
            client, [order(0, description="changed"), order(1)], dry_run=True)
        assert report.dry_run
        assert (report.updated, report.created) == (1, 1)
        assert sorted(report.plan) == [("create", "PO00001"), ("update", "PO00000")]
        assert writes(concur) == before


async def test_interrupted_order_sync_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    count, checkpoint = 400, tmp_path / "po.ckpt"
    async with LocalConcur(vendors=SEEDED) as concur, concur.client() as client:
        with anyio.CancelScope() as scope:
            def stop_after_150(progress: SyncProgress) -> None:
                if progress.done >= 150:
                    scope.cancel()

            await sync_purchase_orders(client, [order(i) for i in range(count)],
                                       checkpoint=checkpoint, on_progress=stop_after_150)
        assert scope.cancelled_caught
        confirmed = len(json.loads(checkpoint.read_text())["confirmed"])
        assert confirmed >= 150

        await anyio.sleep(0.1)  # requests cut off by the cancel still reach the server
        gets = concur.stats.count("GET", f"{POS}/{{id}}")
        report = await sync_purchase_orders(client, [order(i) for i in range(count)],
                                            checkpoint=checkpoint)
        assert report.ok
        assert report.resumed == confirmed
        assert report.resumed + report.unchanged + report.created == count
        # Confirmed orders are not even fetched again.
        assert concur.stats.count("GET", f"{POS}/{{id}}") - gets == count - confirmed
        assert len(concur.state.collection("invoice/purchaseorders")) == count
        assert not concur.state.write_log.duplicates()


async def test_receipts_created_unchanged_updated_and_refused() -> None:
    async with LocalConcur(vendors=SEEDED) as concur, concur.client() as client:
        await sync_purchase_orders(client, [order(i) for i in range(5)])

        def receipts(quantity: str = "1") -> list[Any]:
            found: list[Any] = [
                PurchaseOrderReceipt(purchase_order_number=f"PO{i:05d}",
                                     line_item_external_id=f"PO{i:05d}-1",
                                     goods_receipt_number=f"GR{i}",
                                     received_quantity=Decimal(quantity if i == 2 else "1"),
                                     received_date=dt.date(2024, 5, 3))
                for i in range(5)
            ]
            found.append({"PurchaseOrderNumber": "PO77777", "LineItemExternalID": "L1",
                          "GoodsReceiptNumber": "GR7"})
            return found

        first = await sync_purchase_order_receipts(client, receipts())
        assert (first.created, first.failed) == (5, 1)
        [missing] = first.failures
        assert (missing.key, missing.code) == ("PO77777|L1|GR7", "1000")
        assert missing.meaning == describe_po_error(1000)

        before = writes(concur, RECEIPTS)
        second = await sync_purchase_order_receipts(client, receipts()[:5])
        assert (second.unchanged, second.created, second.updated) == (5, 0, 0)
        assert writes(concur, RECEIPTS) == before

        third = await sync_purchase_order_receipts(client, receipts("3")[:5])
        assert (third.updated, third.unchanged) == (1, 4)
        assert concur.stats.count("PUT", RECEIPTS) == 1
        assert not concur.errors


async def test_an_authentication_failure_stops_the_sync() -> None:
    async with LocalConcur(vendors=SEEDED) as concur, concur.client(
        auth=StaticToken("not-a-token")
    ) as client:
        with pytest.raises(AuthenticationError):
            await sync_purchase_orders(client, [order(i) for i in range(20)], concurrency=4)
        assert writes(concur) == 0


async def test_lost_answers_and_server_errors_still_write_each_order_once() -> None:
    count = 200
    async with LocalConcur(vendors=SEEDED, seed=5) as concur, concur.client(
        retry=RetryPolicy(max_attempts=1)
    ) as client:
        concur.faults.add("drop", rate=0.15, prefix=POS, methods=["POST", "PUT"])
        concur.faults.add("server_error", rate=0.1, prefix=POS)
        # About one round in five fails an order (a 5xx on its lookup or its write), so 6
        # rounds left one of the 400 order-syncs failed about one run in 250: 10 make that
        # negligible, and every order must still be written exactly once.
        first = await sync_purchase_orders(client, [order(i) for i in range(count)],
                                           retry_rounds=10, retry_backoff=0.001)
        changed = await sync_purchase_orders(
            client, [order(i, description="desks") for i in range(count)],
            retry_rounds=10, retry_backoff=0.001)
        assert concur.faults.served["drop"] > 10
        assert (first.created, first.failed) == (count, 0)
        assert (changed.updated, changed.failed) == (count, 0)
        log = concur.state.write_log
        assert not log.duplicates("create")
        assert not log.duplicates("update")
