"""Restartable syncs: cancelled mid-way, rerun from the checkpoint, every record written once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from concur_async import ConfigurationError
from concur_async.bulk import SyncProgress, sync_vendors
from concur_async.invoice.vendor_models import Vendor
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

VENDORS = "/api/v3.1/invoice/vendors"


def desired(count: int) -> Iterator[Vendor]:
    for i in range(count):
        yield Vendor(vendor_code=f"C{i:06d}", address_code="HQ", vendor_name=f"Company {i}",
                     country_code="DE", currency_code="EUR")


def assert_server_holds(concur: LocalConcur, count: int) -> None:
    stored = {(v["VendorCode"], v["AddressCode"]): v["VendorName"] for v in concur.state.vendors}
    assert stored == {(f"C{i:06d}", "HQ"): f"Company {i}" for i in range(count)}


async def test_cancelled_after_some_batches_resumes_without_resending_them(
    tmp_path: Path,
) -> None:
    count, checkpoint = 20_000, tmp_path / "vendors.ckpt"
    async with LocalConcur() as concur, concur.client() as client:
        with anyio.CancelScope() as scope:
            def stop_after_5000(progress: SyncProgress) -> None:
                if progress.phase == "writing" and progress.done >= 5000:
                    scope.cancel()

            await sync_vendors(client, desired(count), checkpoint=checkpoint,
                               on_progress=stop_after_5000)
        assert scope.cancelled_caught
        saved = json.loads(checkpoint.read_text())
        assert saved["kind"] == "vendors"
        assert not saved["complete"]
        confirmed = len(saved["confirmed"])
        assert 5000 <= confirmed < count
        first_run = len(concur.state.write_log)
        assert first_run >= confirmed

        report = await sync_vendors(client, desired(count), checkpoint=checkpoint)
        assert report.resumed == confirmed
        # Written but not confirmed when cancelled (answers cut off, or still being served
        # as the first run stopped): found unchanged, not sent again.
        assert report.unchanged >= first_run - confirmed
        assert report.resumed + report.unchanged + report.created == count
        assert report.ok
        assert report.total == count
        assert_server_holds(concur, count)
        assert not concur.state.write_log.duplicates()
        assert len(concur.state.write_log.filter("create")) == count
        assert json.loads(checkpoint.read_text())["complete"]

        # A finished checkpoint starts a new job: compared afresh, nothing to write.
        again = await sync_vendors(client, desired(count), checkpoint=checkpoint)
        assert (again.unchanged, again.resumed, again.created) == (count, 0, 0)


async def test_cancelled_with_writes_in_flight_converges_without_duplicates(
    tmp_path: Path,
) -> None:
    count, checkpoint = 3000, tmp_path / "vendors.ckpt"
    async with LocalConcur(latency_ms=20) as concur, concur.client() as client:
        with anyio.move_on_after(0.25) as scope:
            await sync_vendors(client, desired(count), checkpoint=checkpoint, batch_size=50,
                               concurrency=4)
        assert scope.cancelled_caught
        assert 0 < len(concur.state.write_log) < count
        for _ in range(2):  # cancelled again part-way, then to the end
            with anyio.move_on_after(0.3):
                await sync_vendors(client, desired(count), checkpoint=checkpoint,
                                   batch_size=50, concurrency=4)
        report = await sync_vendors(client, desired(count), checkpoint=checkpoint,
                                    batch_size=50, concurrency=4)
        assert report.ok
        assert_server_holds(concur, count)
        assert not concur.state.write_log.duplicates()
        assert len(concur.state.write_log.filter("create")) == count


async def test_a_checkpoint_of_another_kind_of_sync_is_refused(tmp_path: Path) -> None:
    checkpoint = tmp_path / "po.ckpt"
    checkpoint.write_text(json.dumps({"version": 1, "kind": "purchase_orders",
                                      "complete": False, "confirmed": {}}))
    async with LocalConcur() as concur, concur.client() as client:
        with pytest.raises(ConfigurationError):
            await sync_vendors(client, desired(1), checkpoint=checkpoint)
        assert concur.stats.total == 0
