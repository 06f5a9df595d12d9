"""``client.expense`` against LocalConcur over real sockets: v3 paging, reads, writes, images."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concur_async import NotFoundError
from concur_async.expense.entries import EntryGet, EntryPost
from concur_async.expense.receipt_images import ReceiptImage
from concur_async.expense.reports import ReportGet, ReportPost, ReportPut
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

REPORTS = "/api/v3.0/expense/reports"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_reports_are_paged_filtered_read_and_written(wire_format: str) -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(60)
        async with concur.client(wire_format=wire_format) as client:
            reports = [r async for r in client.expense.reports.list(page_size=25)]
            # 60 reports at 25 a page: three pages, followed by NextPage.
            assert concur.stats.count("GET", REPORTS) == 3
            assert [r.id for r in reports] == ids
            assert all(isinstance(r, ReportGet) for r in reports)

            approved = client.expense.reports.list(approval_status_code="A_APPR")
            assert [r.id async for r in approved] == ids[1::2]

            report = await client.expense.reports.get(id=ids[7])
            assert report.name == "Trip report 00007"
            assert report.total == Decimal("57.00")
            assert report.submit_date == dt.datetime(2024, 8, 8, 17, 0)

            created = await client.expense.reports.create(
                ReportPost(name="Client visit", purpose="Quarterly review")
            )
            assert created.id
            assert created.uri
            assert created.uri.endswith(created.id)
            await client.expense.reports.update(ReportPut(name="Client visit (Boston)"),
                                                id=created.id)
            renamed = await client.expense.reports.get(id=created.id)
            assert renamed.name == "Client visit (Boston)"

    stored = concur.state.collection("expense/reports").get(created.id)
    assert stored is not None
    assert (stored["Name"], stored["Purpose"]) == ("Client visit (Boston)", "Quarterly review")
    assert [(w.op, w.key) for w in concur.state.write_log.filter(resource="expense/reports")] == [
        ("create", created.id), ("update", created.id)]
    assert not concur.errors


async def test_entries_and_receipt_images_round_trip() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        expense = client.expense
        entry = await expense.entries.create(EntryPost(
            report_id="RPT00000001", expense_type_code="TAXI",
            transaction_amount=Decimal("23.40"), transaction_currency_code="USD",
            transaction_date=dt.datetime(2025, 3, 1), vendor_description="Yellow Cab",
        ))
        assert entry.id
        fetched = await expense.entries.get(id=entry.id)
        assert isinstance(fetched, EntryGet)
        assert (fetched.transaction_amount, fetched.vendor_description) == (
            Decimal("23.40"), "Yellow Cab")
        listed = [e.id async for e in expense.entries.list(report_id="RPT00000001")]
        assert listed == [entry.id]
        await expense.entries.delete(id=entry.id)
        with pytest.raises(NotFoundError):
            await expense.entries.get(id=entry.id)

        image = await expense.receipt_images.create(PNG, content_type="image/png")
        assert isinstance(image, ReceiptImage)
        assert image.id
        assert concur.state.images[image.id] == (PNG, "image/png")
        await expense.receipt_images.append(PNG, id=image.id, content_type="image/png")
        shown = await expense.receipt_images.get(id=image.id)
        assert shown.id == image.id
        assert [i.id async for i in expense.receipt_images.list()] == [image.id]

    log = concur.state.write_log
    assert log.keys("delete", "expense/entries") == {entry.id: 1}
    assert log.keys("create", "expense/receiptimages") == {image.id: 1}
    assert concur.stats.count("PUT", "/api/v3.0/expense/receiptimages/{id}") == 1
    assert not concur.errors


async def test_reports_modified_since_a_date() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        concur.state.seed_reports(120)
        since = dt.datetime(2024, 7, 1)
        recent = await client.expense.reports.list(modified_date_after=since).collect()
        every = await client.expense.reports.list().collect()
    assert 0 < len(recent) < len(every) == 120
    assert all(r.last_modified_date and r.last_modified_date >= since for r in recent)
