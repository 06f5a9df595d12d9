"""Record goods receipts against purchase order lines, from a CSV file, many at a time.

    python examples/po_receipts.py --csv receipts.csv --concurrency 16 > results.jsonl

The CSV has a header row of Concur field names: ``PurchaseOrderNumber``,
``LineItemExternalID``, ``GoodsReceiptNumber``, ``ReceivedQuantity``, ``ReceivedDate``
(YYYY-MM-DD) and optionally ``DeliverySlipNumber``, ``UnitOfMeasureCode``, ``Custom1``...
Each receipt is sent on its own (that is how the API takes them); the answer for each is
printed as one JSON line, in the order of the file, with the documented meaning of a refusal's
error code. ``--strict`` makes the exit status 1 when any receipt was refused.

Without CONCUR_* credentials (see _env.py) it runs against LocalConcur holding
``--local-orders`` purchase orders of two lines each, and, without ``--csv``, receives every
line of them plus one receipt for a line no order has, to show how a refusal reads.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
from _env import concur_target

from concur_async import ConcurClient, ConcurError
from concur_async.invoice.po_errors import describe_po_error
from concur_async.invoice.purchase_order_receipts import PurchaseOrderReceipt
from concur_async.testing import LocalConcur


def sample_receipts(orders: int) -> list[PurchaseOrderReceipt]:
    """A receipt for every line of the local orders, and one for a line that does not exist."""
    receipts = [
        PurchaseOrderReceipt(
            purchase_order_number=f"PO{i:05d}", line_item_external_id=f"PO{i:05d}-{line}",
            goods_receipt_number=f"GR{i:05d}", received_quantity=Decimal(10),
            received_date=dt.date(2024, 5, 20),
        )
        for i in range(orders) for line in (1, 2)
    ]
    receipts.append(PurchaseOrderReceipt(
        purchase_order_number="PO00000", line_item_external_id="PO00000-9",
        goods_receipt_number="GR00000", received_quantity=Decimal(1),
    ))
    return receipts


def read_csv(path: Path) -> list[PurchaseOrderReceipt]:
    with path.open(newline="", encoding="utf-8-sig") as source:
        rows = [{k: v for k, v in row.items() if k and v not in (None, "")}
                for row in csv.DictReader(source)]
    try:
        return msgspec.convert(rows, list[PurchaseOrderReceipt], strict=False)
    except msgspec.ValidationError as exc:
        sys.exit(f"{path}: {exc}")


async def receive(client: ConcurClient, receipt: PurchaseOrderReceipt) -> dict[str, Any]:
    """Send one receipt; what Concur said about it, as a flat record."""
    line: dict[str, Any] = {
        "PurchaseOrderNumber": receipt.purchase_order_number,
        "LineItemExternalID": receipt.line_item_external_id,
        "GoodsReceiptNumber": receipt.goods_receipt_number,
    }
    try:
        result = await client.invoice.purchase_order_receipts.create(receipt)
    except ConcurError as exc:  # the call itself failed, after the client's retries
        return {**line, "status": "ERROR", "message": str(exc),
                "correlation_id": getattr(exc, "correlation_id", None)}
    if (result.status or "").upper() == "SUCCESS":
        return {**line, "status": "SUCCESS"}
    return {**line, "status": "FAILURE", "code": result.error_code,
            "meaning": result.error_message or describe_po_error(result.error_code),
            "field": result.field_code, "message": result.message}


async def run(client: ConcurClient, receipts: list[PurchaseOrderReceipt],
              concurrency: int) -> list[dict[str, Any]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(receipt: PurchaseOrderReceipt) -> dict[str, Any]:
        async with gate:
            return await receive(client, receipt)

    return list(await asyncio.gather(*(one(r) for r in receipts)))


async def main(csv_path: Path | None, *, concurrency: int, orders: int, strict: bool) -> int:
    started = time.perf_counter()

    def seed(concur: LocalConcur) -> None:
        concur.state.seed_purchase_orders(orders)

    async with concur_target(prepare=seed) as target, target.make_client() as client:
        print(f"receiving against {target.label}", file=sys.stderr)
        if csv_path is not None:
            receipts = read_csv(csv_path)
        elif target.samples:
            receipts = sample_receipts(orders)
        else:
            sys.exit("give --csv: the sample receipts only exist in LocalConcur")
        results = await run(client, receipts, concurrency)
        encode = msgspec.json.Encoder().encode
        for result in results:
            sys.stdout.buffer.write(encode({k: v for k, v in result.items() if v is not None})
                                    + b"\n")
        sys.stdout.flush()
        refused = sum(1 for r in results if r["status"] != "SUCCESS")
        print(f"{len(results)} receipts: {len(results) - refused} saved, {refused} refused "
              f"({client.stats.requests} requests, {time.perf_counter() - started:.2f}s)",
              file=sys.stderr)
    return 1 if strict and refused else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, help="the receipts to record")
    parser.add_argument("--concurrency", type=int, default=16, help="receipts in flight")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 1 when any receipt was refused")
    parser.add_argument("--local-orders", type=int, default=20,
                        help="purchase orders LocalConcur starts with (without credentials)")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.csv, concurrency=args.concurrency,
                              orders=args.local_orders, strict=args.strict)))
