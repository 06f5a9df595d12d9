"""The endpoints Concur documents beyond the seeds, against aioresponses: what each one sends
and how it reads the documented answers (report digests, quick expenses v3, exchange rates,
travel requests v3, Image v1.0 uploads, URLs and downloads)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from concur_async import NotFoundError, TransportError, ValidationError
from concur_async.expense.quick_expenses import QuickExpensePost

if TYPE_CHECKING:
    from conftest import MockConcur

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
IMAGE_XML = (
    '<Image xmlns="http://www.concursolutions.com/api/image/2011/02" '
    'xmlns:i="http://www.w3.org/2001/XMLSchema-instance">\n'
    "  <Id>A2C40CEE415B43B2A0BE</Id>\n"
    "  <Url>https://api.example.com/getImage?cid=able999999&amp;val=F9B35244G86</Url>\n"
    "</Image>"
)


async def test_report_digests_send_every_filter_as_concur_spells_it(concur: MockConcur) -> None:
    route = concur.route("GET", "/api/v3.0/expense/reportdigests", concur.reply({
        "Items": [{"ID": "R1", "Name": "Trip", "Total": 12.5,
                   "ReportHeaderLastModifiedDate": "2026-11-02T10:00:00"}],
        "NextPage": None}))
    async with concur.client() as client:
        digests = client.expense.report_digests.list(
            user="ALL", approval_status_code="A_APPR", has_vat=True, cost_object="X1",
            modified_date_after=dt.datetime(2026, 11, 1), page_size=50)
        found = [d async for d in digests]
    assert [(d.id, d.total, d.report_header_last_modified_date) for d in found] == [
        ("R1", Decimal("12.5"), dt.datetime(2026, 11, 2, 10))]
    query = route.hits[0].url.query
    assert dict(query) == {"user": "ALL", "approvalStatusCode": "A_APPR", "hasVAT": "true",
                           "costObject": "X1", "modifiedDateAfter": "2026-11-01T00:00:00",
                           "limit": "50"}


async def test_quick_expense_v3_round_trip(concur: MockConcur) -> None:
    created = concur.route("POST", "/api/v3.0/expense/quickexpenses", concur.reply(
        {"ID": "gWr7", "URI": "https://www.concursolutions.com/api/v3.0/expense/quickexpenses/gWr7"}))
    got = concur.route("GET", "/api/v3.0/expense/quickexpenses/gWr7", concur.reply({
        "ExpenseTypeCode": "DINNR", "TransactionDate": "2015-03-17T00:00:00",
        "TransactionAmount": 17.01, "CurrencyCode": "USD", "ReceiptImageID": None,
        "ID": "gWr7"}))
    async with concur.client() as client:
        answer = await client.expense.quick_expenses.create(QuickExpensePost(
            currency_code="USD", expense_type_code="DINNR", transaction_amount=Decimal("17.01"),
            transaction_date=dt.datetime(2015, 3, 17)))
        expense = await client.expense.quick_expenses.get(id=answer.id or "")
    assert expense.transaction_amount == Decimal("17.01")
    assert expense.receipt_image_id is None
    assert created.hits[0].data is not None
    assert got.hits


async def test_exchange_rate_is_a_decimal_in_json_and_xml(concur: MockConcur) -> None:
    route = concur.route("GET", "/api/v3.0/expense/exchangerates",
                         concur.reply(body=b"1.3621", content_type="application/json"),
                         concur.reply(body=b'<decimal xmlns="http://schemas.microsoft.com/2003/'
                                      b'10/Serialization/">0.7364</decimal>',
                                      content_type="application/xml"))
    async with concur.client() as client:
        rate = await client.expense.exchange_rates.get(
            from_currency="USD", to_currency="CAD", for_date=dt.date(2012, 12, 20))
        xml = await client.with_options(wire_format="xml").expense.exchange_rates.get(
            from_currency="CAD", to_currency="USD", for_date=dt.date(2012, 12, 20))
    assert (rate, xml) == (Decimal("1.3621"), Decimal("0.7364"))
    assert dict(route.hits[0].url.query) == {
        "fromCurrency": "USD", "toCurrency": "CAD", "forDate": "2012-12-20"}


async def test_travel_requests_v3_filter_by_modification_date(concur: MockConcur) -> None:
    route = concur.route("GET", "/api/v3.0/travelrequest/requests", concur.reply(
        {"Items": [{"ID": "TR1", "Name": "Visit", "CreationDate": "2026-01-02T03:04:05"}],
         "NextPage": None}))
    async with concur.client() as client:
        requests = client.travel_request.requests_v3_0.list(
            status="ACTIVE", modified_after=dt.datetime(2026, 1, 1), with_segment_types=True)
        found = [r async for r in requests]
    assert [r.id for r in found] == ["TR1"]
    assert dict(route.hits[0].url.query) == {
        "status": "ACTIVE", "modifiedAfter": "2026-01-01T00:00:00", "withSegmentTypes": "true"}


async def test_image_urls_read_the_documented_xml(concur: MockConcur) -> None:
    route = concur.route("GET", "/api/image/v1.0/expenseentry/A2C40CEE415B43B2A0BE",
                         concur.reply(body=IMAGE_XML, content_type="application/xml"))
    async with concur.client() as client:
        image = await client.image.images.entry_url(entry_id="A2C40CEE415B43B2A0BE")
    assert image.id == "A2C40CEE415B43B2A0BE"
    assert image.url == "https://api.example.com/getImage?cid=able999999&val=F9B35244G86"
    assert route.hits[0].headers["Accept"] == "application/xml"  # v1.0 answers XML only


async def test_image_uploads_send_the_image_itself(concur: MockConcur, tmp_path: Path) -> None:
    route = concur.route("POST", "/api/image/v1.0/report/R1", concur.reply(
        body=IMAGE_XML.replace("<Url>https://api.example.com/getImage?cid=able999999&amp;"
                               "val=F9B35244G86</Url>", "<Url />"),
        content_type="application/xml", status=201))
    path = tmp_path / "receipt.png"
    path.write_bytes(PNG)
    async with concur.client() as client:
        image = await client.image.images.upload_to_report(path, report_id="R1")
        with pytest.raises(ValidationError, match="at most"):
            await client.image.images.upload_to_entry(PNG + b"\x00" * (10 * 2**20),
                                                      entry_id="E1")
        with pytest.raises(ValidationError, match="this API takes"):
            await client.image.images.upload_receipt(b"II*\x00" + b"\x00" * 20)  # TIFF
    assert image.url is None
    assert route.hits[0].headers["Content-Type"] == "image/png"


async def test_downloads_stream_without_the_token(concur: MockConcur, tmp_path: Path) -> None:
    payload = b"%PDF-1.7 " + bytes(range(256)) * 100  # aioresponses feeds at most 64 KiB
    link = "https://images.example.com/getImage?cid=1&val=2"
    route = concur.route("GET", "/getImage", concur.reply(body=payload,
                                                           content_type="application/pdf"),
                         base="https://images.example.com")
    async with concur.client() as client:
        chunks = [c async for c in client.image.stream(link, chunk_size=4096)]
        size = await client.image.download(link, to=tmp_path / "report.pdf")
        with pytest.raises(ValidationError, match="https"):
            client.image.stream("http://images.example.com/x")
    assert b"".join(chunks) == payload
    assert max(len(c) for c in chunks) <= 4096
    assert size == len(payload)
    assert (tmp_path / "report.pdf").read_bytes() == payload
    assert all(hit.authorization is None for hit in route.hits)  # a signed link: no token


async def test_a_refused_download_leaves_no_file(concur: MockConcur, tmp_path: Path) -> None:
    link = "https://images.example.com/getImage?cid=1"
    concur.route("GET", "/getImage", concur.reply({"Message": "expired"}, status=404),
                 base="https://images.example.com")
    async with concur.client() as client:
        with pytest.raises(NotFoundError):
            await client.image.download(link, to=tmp_path / "x.pdf")
        with pytest.raises(TransportError):
            await client.image.download("https://nowhere.example.com/a", to=tmp_path / "y.pdf")
    assert list(tmp_path.iterdir()) == []
