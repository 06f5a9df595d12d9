"""``sync_purchase_orders`` and ``sync_purchase_order_receipts``: one record per call.

Purchase Orders v3 has no list and no batch endpoint: each order is fetched by its number
(404: create it) and written on its own. Receipts are found by their list call, narrowed to
one purchase order line and goods receipt. Both answer HTTP 200 with ``Status: FAILURE`` when
Concur refuses the record; the error codes are those of ``invoice.po_errors``. Writes are
never replayed by the client: when an answer is lost the next round fetches the record first.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterable, Iterable
from typing import TYPE_CHECKING, Any

from .._errors import NotFoundError
from ..invoice.po_errors import describe_po_error
from ..invoice.purchase_order_receipts import PurchaseOrderReceipt, PurchaseOrderReceiptResult
from ..invoice.purchase_orders import PurchaseOrder, PurchaseOrderResult
from ._engine import ProgressCallback, sync_policy
from ._records import Outcome, RecordKind, sync_records
from ._report import SyncReport

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["receipt_key", "sync_purchase_order_receipts", "sync_purchase_orders"]


def _outcome(result: PurchaseOrderResult | PurchaseOrderReceiptResult) -> Outcome:
    status = (result.status or "").upper()
    ok = status == "SUCCESS" or (not status and not result.error_code)
    return Outcome(ok, code=result.error_code, field_code=result.field_code,
                   message=result.message or result.error_message)


def _field(item: Any, wire: str, attr: str) -> str:
    value = item.get(wire) if isinstance(item, dict) else getattr(item, attr, None)
    return "" if value is None else str(value)


# -- purchase orders ---------------------------------------------------------------------


async def _fetch_order(client: ConcurClient, order: PurchaseOrder) -> PurchaseOrder | None:
    assert order.purchase_order_number
    try:
        return await client.invoice.purchase_orders.get(id=order.purchase_order_number)
    except NotFoundError:
        return None


# Writes the client must never replay by itself: when an answer is lost, the sync's next
# round fetches the record before writing again.


async def _create_order(client: ConcurClient, order: PurchaseOrder) -> Outcome:
    return _outcome(await client.invoice.purchase_orders.with_options(idempotent=False)
                    .create(order))


async def _update_order(client: ConcurClient, order: PurchaseOrder) -> Outcome:
    return _outcome(await client.invoice.purchase_orders.with_options(idempotent=False)
                    .update(order))


ORDERS = RecordKind(
    name="purchase_orders",
    struct=PurchaseOrder,
    key=lambda order: order.purchase_order_number,
    raw_key=lambda item: _field(item, "PurchaseOrderNumber", "purchase_order_number"),
    fetch=_fetch_order,
    create=_create_order,
    update=_update_order,
    describe=describe_po_error,
)


async def sync_purchase_orders(
    client: ConcurClient,
    desired: Iterable[PurchaseOrder | dict[str, Any]]
    | AsyncIterable[PurchaseOrder | dict[str, Any]],
    *,
    dry_run: bool = False,
    concurrency: int = 32,
    checkpoint: str | os.PathLike[str] | None = None,
    on_progress: ProgressCallback | None = None,
    retry_rounds: int = 3,
    retry_backoff: float = 1.0,
) -> SyncReport:
    """Make Concur's purchase orders match ``desired`` (keyed by PurchaseOrderNumber): fetch
    each, create the missing, update those that differ; ``concurrency`` orders in flight."""
    return await sync_records(
        client, desired, ORDERS, dry_run=dry_run, concurrency=concurrency,
        checkpoint=checkpoint, on_progress=on_progress,
        retry=sync_policy(client, retry_rounds, retry_backoff),
    )


# -- purchase order receipts -------------------------------------------------------------


def receipt_key(receipt: PurchaseOrderReceipt) -> str:
    """``"PurchaseOrderNumber|LineItemExternalID|GoodsReceiptNumber"``."""
    # Answers may leave any field out; a receipt sent always has the first two.
    return "|".join((receipt.purchase_order_number or "", receipt.line_item_external_id or "",
                     receipt.goods_receipt_number or ""))


async def _fetch_receipt(
    client: ConcurClient, receipt: PurchaseOrderReceipt
) -> PurchaseOrderReceipt | None:
    wanted = receipt_key(receipt)
    found = client.invoice.purchase_order_receipts.list(
        goods_receipt_number=receipt.goods_receipt_number or "",
        purchase_order_number=receipt.purchase_order_number or "",
        line_item_external_id=receipt.line_item_external_id or "",
    )
    try:
        # An empty value matches any in Concur's filter, hence the exact check here.
        async for current in found:
            if receipt_key(current) == wanted:
                return current
    except NotFoundError:
        pass
    return None


async def _create_receipt(client: ConcurClient, receipt: PurchaseOrderReceipt) -> Outcome:
    return _outcome(await client.invoice.purchase_order_receipts.with_options(idempotent=False)
                    .create(receipt))


async def _update_receipt(client: ConcurClient, receipt: PurchaseOrderReceipt) -> Outcome:
    return _outcome(await client.invoice.purchase_order_receipts.with_options(idempotent=False)
                    .update(receipt))


RECEIPTS = RecordKind(
    name="purchase_order_receipts",
    struct=PurchaseOrderReceipt,
    key=lambda receipt: receipt_key(receipt) if receipt.purchase_order_number else None,
    raw_key=lambda item: "|".join(
        _field(item, wire, attr) for wire, attr in (
            ("PurchaseOrderNumber", "purchase_order_number"),
            ("LineItemExternalID", "line_item_external_id"),
            ("GoodsReceiptNumber", "goods_receipt_number"),
        )
    ),
    fetch=_fetch_receipt,
    create=_create_receipt,
    update=_update_receipt,
    describe=describe_po_error,
)


async def sync_purchase_order_receipts(
    client: ConcurClient,
    desired: Iterable[PurchaseOrderReceipt | dict[str, Any]]
    | AsyncIterable[PurchaseOrderReceipt | dict[str, Any]],
    *,
    dry_run: bool = False,
    concurrency: int = 32,
    checkpoint: str | os.PathLike[str] | None = None,
    on_progress: ProgressCallback | None = None,
    retry_rounds: int = 3,
    retry_backoff: float = 1.0,
) -> SyncReport:
    """Make Concur's goods receipts match ``desired``, keyed by purchase order number, line
    external id and goods receipt number; one receipt per call, ``concurrency`` in flight."""
    return await sync_records(
        client, desired, RECEIPTS, dry_run=dry_run, concurrency=concurrency,
        checkpoint=checkpoint, on_progress=on_progress,
        retry=sync_policy(client, retry_rounds, retry_backoff),
    )
