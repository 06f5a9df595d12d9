"""The endpoints Concur documents beyond the seeds, against LocalConcur over real sockets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from concur_async import APIError, ValidationError
from concur_async.expense.quick_expenses import QuickExpensePost, QuickExpensePut
from concur_async.export import export_changes
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 12_000  # ~3 MB


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_report_digests_summarise_the_reports(wire_format: str) -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(30)
        reports = list(concur.state.collection("expense/reports"))
        async with concur.client(wire_format=wire_format) as client:
            digests = [d async for d in client.expense.report_digests.list(page_size=7)]
            assert [d.id for d in digests] == ids
            assert concur.stats.count("GET", "/api/v3.0/expense/reportdigests") == 5
            first = await client.expense.report_digests.get(id=ids[0])
            assert first.name == reports[0]["Name"]
            assert first.total == Decimal(str(reports[0]["Total"]))
            assert first.report_header_last_modified_date == dt.datetime.fromisoformat(
                str(reports[0]["LastModifiedDate"]))
            approved = client.expense.report_digests.list(approval_status_code="A_APPR")
            assert [d.id async for d in approved] == ids[1::2]
        assert not concur.errors


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_quick_expenses_v3_are_created_read_changed_and_deleted(wire_format: str) -> None:
    async with LocalConcur() as concur, concur.client(wire_format=wire_format) as client:
        qe = client.expense.quick_expenses
        created = await qe.create(QuickExpensePost(
            currency_code="USD", expense_type_code="DINNR", transaction_amount=Decimal("17.01"),
            transaction_date=dt.datetime(2015, 3, 17), vendor_description="I Love Sushi"))
        assert created.id
        await qe.update(QuickExpensePut(comment="team dinner"), id=created.id)
        got = await qe.get(id=created.id)
        assert (got.transaction_amount, got.comment) == (Decimal("17.01"), "team dinner")
        assert [e.id async for e in qe.list()] == [created.id]
        await qe.delete(id=created.id)
        with pytest.raises(APIError) as gone:
            await qe.get(id=created.id)
        assert gone.value.status == 404
        assert not concur.errors


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_exchange_rates(wire_format: str) -> None:
    async with LocalConcur() as concur, concur.client(wire_format=wire_format) as client:
        rates = client.expense.exchange_rates
        cad = await rates.get(from_currency="USD", to_currency="CAD", for_date=dt.date(2024, 1, 2))
        assert cad == Decimal("1.360000")
        old = await rates.get(from_currency="USD", to_currency="EUR", for_date=dt.date(1999, 1, 1))
        assert old == 1  # documented: dates before 2000 give 1
        with pytest.raises(APIError) as refused:
            await rates.get(from_currency="USD", to_currency="XXX", for_date=dt.date(2024, 1, 2))
        assert refused.value.status == 400
        assert not concur.errors


async def test_travel_requests_v3_by_modification_date() -> None:
    async with LocalConcur() as concur:
        concur.state.seed("travelrequest/requests-v3", [
            {"ID": f"TR{i}", "Name": f"Visit {i}", "Status": "ACTIVE" if i % 2 else "PENDING",
             "LastModifiedDate": f"2026-0{i + 1}-15T08:00:00"} for i in range(5)])
        async with concur.client() as client:
            requests = client.travel_request.requests_v3_0
            recent = requests.list(modified_after=dt.datetime(2026, 3, 1),
                                   with_segment_types=True)
            assert [r.id async for r in recent] == ["TR2", "TR3", "TR4"]
            active = requests.list(status="ACTIVE")
            assert [r.id async for r in active] == ["TR1", "TR3"]
            one = await requests.get(id="TR3")
            assert one.last_modified_date == dt.datetime(2026, 4, 15, 8)
        assert not concur.errors


async def test_images_upload_then_download_in_chunks(tmp_path: Path) -> None:
    async with LocalConcur() as concur:
        (report_id,) = concur.state.seed_reports(1)
        (entry_id,) = concur.state.seed("expense/entries", [{"ReportID": report_id}])
        path = tmp_path / "receipts.pdf"
        path.write_bytes(PDF)
        async with concur.client() as client:
            images = client.image.images
            uploaded = await images.upload_to_report(path, report_id=report_id)
            assert uploaded.id
            assert uploaded.url is None  # documented: empty when uploading
            await images.upload_to_report(b"\x89PNG\r\n\x1a\n" + b"1" * 100, report_id=report_id)
            await images.upload_to_entry(path, entry_id=entry_id)
            with pytest.raises(APIError) as second:  # an entry takes one image
                await images.upload_to_entry(path, entry_id=entry_id)
            assert second.value.status == 400
            posts = concur.stats.count("POST", "/api/image/v1.0/expenseentry/{entryId}")
            with pytest.raises(ValidationError, match="takes application/pdf"):
                await images.upload_to_entry(b"GIF89a" + b"0" * 10, entry_id=entry_id)
            # GIF is a receipt type, but not Image v1.0's: refused before anything is sent.
            assert concur.stats.count("POST", "/api/image/v1.0/expenseentry/{entryId}") == posts

            link = await images.entry_url(entry_id=entry_id)
            assert link.url
            sizes = []
            received = bytearray()
            async for chunk in client.image.stream(link.url, chunk_size=32 * 1024):
                sizes.append(len(chunk))
                received += chunk
            assert bytes(received) == PDF
            assert max(sizes) <= 32 * 1024  # never the whole file at once
            assert len(sizes) > 50

            bundle = await images.report_url(report_id=report_id)
            assert bundle.url
            size = await client.image.download(bundle.url, to=tmp_path / "report.pdf")
            assert size == len(PDF) + 108
            assert (tmp_path / "report.pdf").read_bytes().startswith(PDF)

            receipt = await images.upload_receipt(b"\xff\xd8\xff" + b"j" * 50)
            assert receipt.id
            again = await images.receipt_url(image_id=receipt.id)
            assert again.url
            chunks = [c async for c in client.image.stream(again.url)]
            assert b"".join(chunks) == b"\xff\xd8\xff" + b"j" * 50
        assert not concur.errors


async def test_payment_requests_and_report_digests_export_only_what_changed(
    tmp_path: Path,
) -> None:
    async with LocalConcur() as concur:
        request_ids = concur.state.seed_payment_requests(12)
        report_ids = concur.state.seed_reports(9)
        async with concur.client() as client:
            async def changed(collection: str) -> list[str]:
                async with export_changes(client, collection,
                                          state=tmp_path / f"{collection}.json") as changes:
                    return [c.id async for c in changes]

            assert await changed("payment-requests") == request_ids
            assert await changed("report-digests") == report_ids
            # LocalConcur's update finds the request by the ID in the body.
            await client.request("PUT", "/api/v3.0/invoice/paymentrequest",
                                 json={"ID": request_ids[4], "InvoiceNumber": "INV-CHANGED"})
            assert await changed("payment-requests") == [request_ids[4]]
            assert await changed("report-digests") == []
        assert not concur.errors
