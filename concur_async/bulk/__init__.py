"""Bulk sync: make Concur's vendors, purchase orders and receipts match a desired list.

Each sync streams what Concur holds, compares it with ``desired`` by key, and sends only the
creates, updates (and, for vendors, deletes when asked) that differ, with bounded concurrency.
The ``SyncReport`` counts what happened and lists every refused record with Concur's code and
its meaning. With ``checkpoint=path`` a sync that was stopped resumes where it left off::

    report = await sync_vendors(client, vendors, checkpoint="vendors.ckpt")
    if not report.ok:
        report.write_failures("failed.jsonl")
"""

from ._purchase_orders import receipt_key, sync_purchase_order_receipts, sync_purchase_orders
from ._report import Action, FailedRecord, Phase, SyncProgress, SyncReport
from ._vendors import DEFAULT_BATCH_SIZE, sync_vendors, vendor_key

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "Action",
    "FailedRecord",
    "Phase",
    "SyncProgress",
    "SyncReport",
    "receipt_key",
    "sync_purchase_order_receipts",
    "sync_purchase_orders",
    "sync_vendors",
    "vendor_key",
]
