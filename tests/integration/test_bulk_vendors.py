"""sync_vendors against LocalConcur over real sockets: diff, batches, failures, dry run."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from concur_async import RetryPolicy
from concur_async.bulk import FailedRecord, SyncProgress, sync_vendors
from concur_async.invoice.vendor_models import Vendor
from concur_async.testing import (
    STATUS_DUPLICATE,
    STATUS_INVALID_COUNTRY,
    STATUS_INVALID_CURRENCY,
    STATUS_INVALID_VALUE,
    LocalConcur,
    seed_code,
    seeded_vendor,
)

pytestmark = pytest.mark.integration

VENDORS = "/api/v3.1/invoice/vendors"
NO_RETRY = RetryPolicy(max_attempts=1)


def vendor(i: int, *, name: str | None = None, **fields: Any) -> Vendor:
    base: dict[str, Any] = {"country_code": "US", "currency_code": "USD",
                            "city": "Minneapolis", "payment_terms": 30}
    return Vendor(vendor_code=f"S{i:06d}", address_code="MAIN",
                  vendor_name=name or f"Supplier {i}", **{**base, **fields})


def desired(count: int, renamed: frozenset[int] = frozenset()) -> Iterator[Vendor]:
    for i in range(count):
        yield vendor(i, name=f"Supplier {i} renamed" if i in renamed else None)


def writes(concur: LocalConcur) -> int:
    return sum(concur.stats.count(m, VENDORS) for m in ("POST", "PUT", "DELETE"))


def stored_names(concur: LocalConcur) -> dict[str, str]:
    return {f"{v['VendorCode']}|{v['AddressCode']}": v.get("VendorName", "")
            for v in concur.state.vendors}


async def test_20000_vendors_created_then_nothing_then_only_the_changed_one_percent() -> None:
    count = 20_000
    async with LocalConcur(vendors=0) as concur, concur.client() as client:
        started = time.perf_counter()
        first = await sync_vendors(client, desired(count))
        first_seconds = time.perf_counter() - started
        assert (first.created, first.updated, first.unchanged, first.failed) == (count, 0, 0, 0)
        assert first.ok
        assert concur.stats.count("POST", VENDORS) == count // 100  # batches of 100
        assert len(concur.state.write_log.filter("create")) == count
        assert first_seconds < 20

        log_before, writes_before = len(concur.state.write_log), writes(concur)
        second = await sync_vendors(client, desired(count))
        assert (second.unchanged, second.created, second.updated) == (count, 0, 0)
        assert writes(concur) == writes_before
        assert len(concur.state.write_log) == log_before
        assert second.requests == count // 1000  # only the list pages

        renamed = frozenset(range(0, count, 100))
        third = await sync_vendors(client, desired(count, renamed))
        assert (third.updated, third.unchanged, third.created) == (len(renamed), count - 200, 0)
        updated = concur.state.write_log.keys("update")
        assert set(updated) == {(f"S{i:06d}", "MAIN") for i in renamed}
        assert all(n == 1 for n in updated.values())
        assert concur.stats.count("PUT", VENDORS) == 2  # 200 updates in batches of 100
        names = stored_names(concur)
        assert len(names) == count
        assert names["S000100|MAIN"] == "Supplier 100 renamed"
        assert names["S000101|MAIN"] == "Supplier 101"
        assert not concur.errors


async def test_per_item_failures_carry_concur_codes_and_are_not_counted_done(
    tmp_path: Path,
) -> None:
    records: list[Any] = [
        vendor(1),
        vendor(2, currency_code="XXX"),
        vendor(3, country_code="ZZ"),
        {"VendorCode": "S000004", "AddressCode": "MAIN", "VendorName": "Dict vendor",
         "CountryCode": "GB", "CurrencyCode": "GBP", "PaymentMethodType": "BITCOIN"},
        vendor(5),
        vendor(1, name="the same key again"),
        {"VendorCode": "S000006", "VendorName": "no address code"},
        vendor(7),
    ]
    async with LocalConcur() as concur, concur.client() as client:
        def someone_else_creates_seven(progress: SyncProgress) -> None:
            # Between the listing and the writes another system creates S000007.
            if progress.phase == "writing" and progress.done == 0:
                concur.state.vendors.add([{"VendorCode": "S000007", "AddressCode": "MAIN",
                                           "CountryCode": "US", "CurrencyCode": "USD"}])

        report = await sync_vendors(client, records, on_progress=someone_else_creates_seven)

        by_key = {f.key: f for f in report.failures}
        assert report.created == 2  # S000001 and S000005
        assert report.failed == 6
        assert not report.ok
        assert set(concur.state.write_log.keys("create")) == {("S000001", "MAIN"),
                                                              ("S000005", "MAIN")}
        currency = by_key["S000002|MAIN"]
        assert currency.code == str(STATUS_INVALID_CURRENCY)
        assert "currency" in (currency.meaning or "").lower()
        assert currency.action == "create"
        assert not currency.retried
        assert by_key["S000003|MAIN"].code == str(STATUS_INVALID_COUNTRY)
        assert by_key["S000004|MAIN"].code == str(STATUS_INVALID_VALUE)
        assert "BITCOIN" in (by_key["S000004|MAIN"].meaning or "")
        race = by_key["S000007|MAIN"]
        assert race.code == str(STATUS_DUPLICATE)
        assert "already exists" in (race.meaning or "")
        repeated = by_key["S000001|MAIN"]  # refused before sending: no Concur code
        assert repeated.code is None
        assert "more than once" in (repeated.message or "")
        missing = by_key["S000006|"]
        assert missing.code is None
        assert "AddressCode" in (missing.message or "")

        path = tmp_path / "failed.jsonl"
        assert report.write_failures(path) == 6
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert {line["key"] for line in lines} == set(by_key)
        assert report.to_dict()["failed"] == 6

        # A rerun with the bad records fixed sends only those.
        fixed = [vendor(i) for i in (1, 2, 3, 5)]
        posts = concur.stats.count("POST", VENDORS)
        again = await sync_vendors(client, fixed)
        assert (again.created, again.unchanged, again.failed) == (2, 2, 0)
        assert concur.stats.count("POST", VENDORS) == posts + 1
        assert not concur.state.write_log.duplicates()


async def test_partial_records_compare_only_their_fields_and_missing_ones_are_deleted() -> None:
    async with LocalConcur(vendors=50) as concur, concur.client() as client:
        # Seeded vendors carry many more fields than these records give.
        keep = [{"VendorCode": seed_code(i), "AddressCode": "MAIN",
                 "VendorName": seeded_vendor(i)["VendorName"]} for i in range(40)]
        keep[3]["VendorName"] = "Renamed"
        keep[4]["City"] = "Duluth"
        report = await sync_vendors(client, keep, delete_missing=True, concurrency=2)
        assert (report.unchanged, report.updated, report.deleted, report.created) == (38, 2, 10, 0)
        assert len(concur.state.vendors) == 40
        assert set(concur.state.write_log.keys("delete")) == {
            (seed_code(i), "MAIN") for i in range(40, 50)}
        stored = concur.state.vendors.get((seed_code(4), "MAIN"))
        assert stored is not None
        assert stored["City"] == "Duluth"
        assert stored["TaxID"] == seeded_vendor(4)["TaxID"]  # untouched by the update

        again = await sync_vendors(client, keep, delete_missing=True)
        assert (again.unchanged, again.updated, again.deleted) == (40, 0, 0)


async def test_dry_run_sends_no_writes_and_reports_the_plan() -> None:
    async with LocalConcur(vendors=20) as concur, concur.client() as client:
        plan: list[Any] = [{"VendorCode": seed_code(i), "AddressCode": "MAIN",
                            "VendorName": seeded_vendor(i)["VendorName"]} for i in range(15)]
        plan[0]["VendorName"] = "Changed"
        plan.append(vendor(1))

        async def stream() -> AsyncIterator[Any]:  # an async source works as well
            for item in plan:
                yield item

        report = await sync_vendors(client, stream(), dry_run=True, delete_missing=True)
        assert report.dry_run
        assert (report.created, report.updated, report.deleted, report.unchanged) == (1, 1, 5, 14)
        assert ("create", "S000001|MAIN") in report.plan
        assert ("update", f"{seed_code(0)}|MAIN") in report.plan
        assert {key for action, key in report.plan if action == "delete"} == {
            f"{seed_code(i)}|MAIN" for i in range(15, 20)}
        assert writes(concur) == 0
        assert len(concur.state.write_log) == 0


async def test_transient_failures_are_retried_and_lost_answers_not_written_twice() -> None:
    async with LocalConcur() as concur, concur.client(retry=NO_RETRY) as client:
        # A 503 the client does not retry, then a write applied whose answer is cut off.
        concur.faults.add("server_error", status=503, count=2, prefix=VENDORS,
                          methods=["POST"])
        report = await sync_vendors(client, desired(300), batch_size=100, retry_backoff=0.01)
        assert (report.created, report.failed) == (300, 0)
        assert concur.faults.served["server_error"] == 2

        concur.faults.add("drop", count=1, prefix=VENDORS, methods=["POST"])
        more = await sync_vendors(client, desired(400), batch_size=100, retry_backoff=0.01)
        assert (more.created, more.unchanged, more.failed) == (100, 300, 0)
        assert concur.faults.served["drop"] == 1
        assert not concur.state.write_log.duplicates()

        evens = frozenset(range(0, 400, 2))
        concur.faults.add("drop", count=2, prefix=VENDORS, methods=["PUT"])
        renamed = await sync_vendors(client, desired(400, evens), retry_backoff=0.01)
        assert (renamed.updated, renamed.unchanged, renamed.failed) == (200, 200, 0)
        assert concur.faults.served["drop"] == 3
        assert not concur.state.write_log.duplicates("update")  # a lost answer is looked up

        concur.faults.add("server_error", status=503, prefix=VENDORS, methods=["PUT"])
        puts = concur.stats.count("PUT", VENDORS)
        stuck = await sync_vendors(client, desired(400, evens | {7}), retry_rounds=2,
                                   retry_backoff=0.01)
        assert stuck.failures == [FailedRecord(
            "S000007|MAIN", "update", code="HTTP 503",
            meaning="Concur answered with a server error after every retry.",
            message=stuck.failures[0].message, retried=True,
        )]
        assert concur.stats.count("PUT", VENDORS) - puts == 3  # first try, two more rounds


async def test_xml_wire_format_round_trips_to_no_changes() -> None:
    async with LocalConcur() as concur, concur.client(wire_format="xml") as client:
        first = await sync_vendors(client, desired(500), batch_size=250)
        assert (first.created, first.failed) == (500, 0)
        again = await sync_vendors(client, desired(500))
        assert (again.unchanged, again.created, again.updated) == (500, 0, 0)
        assert concur.stats.count("POST", VENDORS) == 2


async def test_batches_run_concurrently_within_the_bound() -> None:
    async with LocalConcur(latency_ms=10) as concur, concur.client() as client:
        report = await sync_vendors(client, desired(1000), batch_size=50, concurrency=3)
        assert report.created == 1000
        assert concur.stats.count("POST", VENDORS) == 20
        assert concur.stats.max_in_flight == 3
