"""Bulk writes with ``concur_async.bulk``, 50 ms per call, concurrency 1/8/32.

- ``sync_purchase_orders``: 5,000 new purchase orders. Purchase Orders v3 has no list and
  no batch call, so each new order costs two calls: the GET that finds it missing (404) and
  the POST that creates it.
- ``sync_vendors``: 20,000 new vendors into an empty vendor list, 100 per create call; and
  20,000 vendors Concur already holds (a 20-page listing), 1 in 100 renamed (200 updates).

The server's write store is emptied before every run, so each run creates every record.
Concurrency 1 would take minutes (5,000 orders x 2 calls x 50 ms = 500 s): it and
concurrency 8 sync the first records only and are extrapolated by their rate; rows say so.

The vendor sync's ideal counts every call it cannot do without, in the order it must make
them: the listing of Concur's vendors is a NextPage chain, one page after the other (here one
page, the list being empty), and no create may go out before its last page is read (only then
is a vendor's absence certain); the create calls then take ``ceil(calls / concurrency)``
rounds of the latency, since no connection sends two at once. Time to first write is from
the call to the first create request put on the wire: the listing page's answer is its floor.
Beside it, a hand loop makes those calls alone through the same client (the listing page,
then the create batches ready-made, 32 at a time): what the server and the client's requests
cost without the sync's reading, checking and bookkeeping.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from concur_async.bulk import SyncReport, sync_purchase_orders, sync_vendors
from concur_async.hooks import RequestEvent
from concur_async.invoice.purchase_orders import (
    Allocation,
    BillToAddress,
    LineItem,
    PurchaseOrder,
    ShipToAddress,
)
from concur_async.invoice.vendors import Vendor
from concur_async.testing import seeded_vendor

from .._measure import Goal, Report, Row, alternate
from ._common import Context, sdk_client

__all__ = ["run"]

LATENCY_MS = 50.0
ORDERS = "invoice/purchaseorders"
VENDOR_BATCH = 100  # sync_vendors' default batch size
VENDOR_PAGE = 1000  # the listing's page size
CURRENT_VENDORS = 0  # what Concur holds before each vendor run: every desired one is new


_ADDRESS = {"address1": "1 Main St", "city": "Minneapolis", "country_code": "US",
            "external_id": "HQ", "postal_code": "55401", "state_province": "MN"}


def purchase_orders(count: int) -> list[PurchaseOrder]:
    """``count`` valid orders for the seeded vendor V0000001, numbered PO0000000..."""
    bill, ship = BillToAddress(**_ADDRESS), ShipToAddress(**_ADDRESS)
    ordered = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
    out = []
    for i in range(count):
        line = LineItem(external_id="L1", line_number="1", expense_type="Office Supplies",
                        quantity=Decimal(2), unit_price=Decimal("106.74"),
                        allocation=[Allocation(amount=Decimal("213.48"),
                                                gross_amount=Decimal("213.48"),
                                                percentage=Decimal(100))])
        out.append(PurchaseOrder(
            purchase_order_number=f"PO{i:07d}", name=f"Order {i}", currency_code="USD",
            order_date=ordered, policy_external_id="PO", vendor_code="V0000001",
            vendor_address_code="MAIN", bill_to_address=bill, ship_to_address=ship,
            line_item=[line],
        ))
    return out


def vendors(count: int) -> list[Vendor]:
    return [
        Vendor(vendor_code=f"N{i:07d}", address_code="MAIN", vendor_name=f"New vendor {i}",
               address1=f"{i} Harbour Road", city="Toronto", state="ON", postal_code="M5V 2T6",
               country_code="CA", currency_code="CAD", payment_terms=30)
        for i in range(count)
    ]


RENAMED_EVERY = 100


def held_vendors(count: int) -> list[Vendor]:
    """The first ``count`` of LocalConcur's seeded vendors as a sync would give them (a few
    fields), every ``RENAMED_EVERY``-th one renamed."""
    out = []
    for i in range(count):
        held = seeded_vendor(i)
        name = held["VendorName"] + (" (renamed)" if i % RENAMED_EVERY == 0 else "")
        out.append(Vendor(vendor_code=held["VendorCode"], address_code=held["AddressCode"],
                          vendor_name=name, city=held["City"],
                          country_code=held["CountryCode"],
                          currency_code=held["CurrencyCode"]))
    return out


def _check(report: SyncReport, expected: int, *, updated: int = 0) -> None:
    """``expected`` records created, or when ``updated`` is given, that many updated."""
    want = (0, updated) if updated else (expected, 0)
    if (report.created, report.updated) != want or not report.ok:
        first = report.failures[0] if report.failures else None
        raise RuntimeError(f"sync created {report.created}, updated {report.updated} of "
                           f"{expected}, {report.failed} failed; first failure: {first}")


def _vendor_calls(ctx: Context, desired: list[Vendor], concurrency: int) -> Callable[[], float]:
    batches = [desired[i:i + VENDOR_BATCH] for i in range(0, len(desired), VENDOR_BATCH)]

    async def measure() -> float:
        ctx.server.set(vendors=CURRENT_VENDORS)
        async with sdk_client(ctx.server.base_url, max_concurrency=64) as client:
            await client.invoice.vendors.list(page_size=1).first_page()
            writes = client.invoice.vendors.with_options(idempotent=False)
            slots = asyncio.Semaphore(concurrency)

            async def create(batch: list[Vendor]) -> None:
                async with slots:
                    await writes.create(batch)

            started = time.perf_counter()
            await client.invoice.vendors.list(page_size=VENDOR_PAGE).first_page()
            async with asyncio.TaskGroup() as group:
                for batch in batches:
                    group.create_task(create(batch))
            elapsed = time.perf_counter() - started
        held = ctx.server.stats()["vendors"]
        if held != len(desired):
            raise RuntimeError(f"the hand loop left {held} vendors, not {len(desired)}")
        return len(desired) / elapsed

    return lambda: asyncio.run(measure())


def _orders(ctx: Context, orders: list[PurchaseOrder], concurrency: int) -> Callable[[], float]:
    async def measure() -> float:
        # Orders name the seeded vendor V0000001, which a vendor sync run may have cleared.
        ctx.server.set(vendors=1000, clear=[ORDERS])
        async with sdk_client(ctx.server.base_url, max_concurrency=64) as client:
            await client.invoice.vendors.list(page_size=1).first_page()  # token, connection
            started = time.perf_counter()
            report = await sync_purchase_orders(client, orders, concurrency=concurrency)
            elapsed = time.perf_counter() - started
        _check(report, len(orders))
        return len(orders) / elapsed

    return lambda: asyncio.run(measure())


def vendor_ideal(pages: int, write_calls: int, concurrency: int) -> float:
    """Seconds a vendor sync cannot beat: the listing's pages one after the other, then the
    write calls, ``concurrency`` at a time."""
    return (max(pages, 1) + math.ceil(write_calls / concurrency)) * LATENCY_MS / 1000


def _vendors(
    ctx: Context, desired: list[Vendor], concurrency: int, first_writes: list[float], *,
    held: int = CURRENT_VENDORS,
) -> Callable[[], float]:
    async def measure() -> float:
        ctx.server.set(vendors=held)  # the store starts over: the same work every run
        first: list[float] = []

        async def on_request(event: RequestEvent) -> None:
            if event.method != "GET" and not first:
                first.append(time.perf_counter())

        async with sdk_client(ctx.server.base_url, max_concurrency=64,
                              event_hooks={"request": [on_request]}) as client:
            await client.invoice.vendors.list(page_size=1).first_page()
            started = time.perf_counter()
            report = await sync_vendors(client, desired, concurrency=concurrency)
            elapsed = time.perf_counter() - started
        _check(report, len(desired), updated=math.ceil(held / RENAMED_EVERY))
        first_writes.append((first[0] - started) * 1000)
        return len(desired) / elapsed

    return lambda: asyncio.run(measure())


def run(ctx: Context) -> Report:
    server = ctx.server
    total_orders = ctx.scale(5000, 320)
    total_vendors = ctx.scale(20_000, 2000)
    scaled_orders = {1: ctx.scale(30, 10), 8: ctx.scale(240, 80), 32: total_orders}
    scaled_vendors = {1: ctx.scale(5000, 500), 8: total_vendors, 32: total_vendors}
    po = {c: f"sync_purchase_orders, concurrency {c}" for c in scaled_orders}
    vs = {c: f"sync_vendors (batches of 100), concurrency {c}" for c in scaled_vendors}
    all_orders = purchase_orders(total_orders)
    all_vendors = vendors(total_vendors)
    contenders: dict[str, Callable[[], float]] = {}
    notes: dict[str, str] = {}
    first_writes: dict[int, list[float]] = {c: [] for c in scaled_vendors}
    updating = f"sync_vendors, {total_vendors:,} held, 1 in {RENAMED_EVERY} renamed, concurrency 32"
    first_updates: list[float] = []
    for c, n in scaled_orders.items():
        contenders[po[c]] = _orders(ctx, all_orders[:n], c)
        notes[po[c]] = f"{n:,} orders" + (", rate extrapolated" if n < total_orders else "")
    for c, n in scaled_vendors.items():
        contenders[vs[c]] = _vendors(ctx, all_vendors[:n], c, first_writes[c])
        notes[vs[c]] = f"{n:,} vendors" + (", rate extrapolated" if n < total_vendors else "")
    by_hand = "hand loop: the listing page, then the create calls alone, concurrency 32"
    contenders[by_hand] = _vendor_calls(ctx, all_vendors, 32)
    notes[by_hand] = f"{total_vendors:,} vendors"
    contenders[updating] = _vendors(ctx, held_vendors(total_vendors), 32, first_updates,
                                    held=total_vendors)
    notes[updating] = f"{math.ceil(total_vendors / RENAMED_EVERY):,} updates"
    server.set(latency_ms=0, vendors=1000)
    contenders[po[32]]()  # warm-up at no latency
    server.set(latency_ms=LATENCY_MS, vendors=1000)
    samples = alternate(contenders, ctx.slow_repeats)
    server.set(latency_ms=0, vendors=1000, clear=[ORDERS])
    report = Report(
        "bulk",
        f"4. Bulk writes, {LATENCY_MS:.0f} ms per call: {total_orders:,} purchase orders "
        f"and {total_vendors:,} vendors (records/s)",
        [Row(name, "records/s", values, note=notes[name]) for name, values in samples.items()],
    )
    for names in (po, vs):
        base = report.row(names[1])
        for c in (8, 32):
            row = report.row(names[c])
            row.note += f"; {row.better_by(base):.1f}x over concurrency 1"
    po32 = report.row(po[32])
    ideal = total_orders * 2 * LATENCY_MS / 1000 / 32
    report.goals.append(Goal("purchase orders: speed-up at concurrency 32 over 1",
                             po32.better_by(report.row(po[1])), 20.0))
    report.goals.append(Goal(
        f"purchase orders: time at concurrency 32 / ideal ({total_orders * 2:,} calls x "
        f"{LATENCY_MS:.0f} ms / 32 = {ideal:.1f} s)",
        (total_orders / po32.median) / ideal, 1.3, at_least=False))
    v32 = report.row(vs[32])
    creates = math.ceil(total_vendors / VENDOR_BATCH)
    pages = max(1, math.ceil(CURRENT_VENDORS / VENDOR_PAGE))  # an empty list: one page
    v_ideal = vendor_ideal(pages, creates, 32)
    times = sorted(total_vendors / rate for rate in v32.samples)
    report.goals.append(Goal(
        f"vendors: time at concurrency 32 / ideal (({pages} listing page + ceil({creates} "
        f"create calls / 32) = {math.ceil(creates / 32)} rounds) x {LATENCY_MS:.0f} ms = "
        f"{v_ideal:.2f} s; each run {times[0] / v_ideal:.2f} - {times[-1] / v_ideal:.2f})",
        (total_vendors / v32.median) / v_ideal, 1.3, at_least=False))
    by_hand_row = report.row(by_hand)
    by_hand_row.note += (f"; its time / ideal {(total_vendors / by_hand_row.median) / v_ideal:.2f}"
                         f"; sync_vendors' time / its time {by_hand_row.better_by(v32):.2f}")
    u_row = report.row(updating)
    u_pages = math.ceil(total_vendors / VENDOR_PAGE)
    u_calls = math.ceil(total_vendors / RENAMED_EVERY / VENDOR_BATCH)
    u_ideal = vendor_ideal(u_pages, u_calls, 32)
    u_times = sorted(total_vendors / rate for rate in u_row.samples)
    u_row.note += (f"; time / ideal (({u_pages} listing pages + ceil({u_calls} update calls "
                   f"/ 32) = {math.ceil(u_calls / 32)} round) x {LATENCY_MS:.0f} ms = "
                   f"{u_ideal:.2f} s): {(total_vendors / u_row.median) / u_ideal:.2f}, "
                   f"each run {u_times[0] / u_ideal:.2f} - {u_times[-1] / u_ideal:.2f}; "
                   f"first write after {statistics.median(first_updates) / 1000:.2f} s, "
                   f"once the last page is read")
    report.rows.append(Row(
        "sync_vendors, concurrency 32: time to first write", "ms", first_writes[32],
        higher=False, note=f"floor: the listing page, {LATENCY_MS:.0f} ms"))
    report.notes.append(
        f"vendors at concurrency 32: {total_vendors / v32.median:.2f} s for "
        f"{total_vendors:,}, first write after {statistics.median(first_writes[32]):.0f} ms; "
        f"the sync reads the desired records while the listing is under way and creates "
        f"each as it is read once the listing is complete. Above the ideal: CPU on both "
        f"sides (the client checks and batches each record and reads each answer; the "
        f"server validates and stores each 100-vendor batch on its one core)")
    report.notes.append(f"{ctx.slow_repeats} rounds: the time is the server's 50 ms sleeps; "
                        "each new purchase order is a GET (404) and a POST")
    return report
