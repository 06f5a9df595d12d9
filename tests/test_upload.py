"""Receipt images: bytes, paths and async streams, typed by their first bytes, sized first."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from concur_async import ValidationError
from concur_async._upload import image_body, sniff
from concur_async.quick_expense.quick_expenses import Amount, Location, QuickExpenseRequest
from concur_async.testing import LocalConcur

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
PDF = b"%PDF-1.7\n" + b"x" * 1000


async def _read(body: bytes | AsyncIterator[bytes]) -> bytes:
    if isinstance(body, bytes):
        return body
    return b"".join([chunk async for chunk in body])


async def _stream(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at:at + size]


@pytest.mark.parametrize(
    ("head", "media"),
    [(b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff\xe0", "image/jpeg"),
     (b"GIF89a", "image/gif"), (b"%PDF-1.4", "application/pdf"), (b"II*\x00", "image/tiff"),
     (b"MM\x00*", "image/tiff"), (b"BM", None), (b"", None)],
)
def test_sniff(head: bytes, media: str | None) -> None:
    assert sniff(head) == media


async def test_bytes_are_typed_by_their_first_bytes() -> None:
    assert await image_body(PDF) == (PDF, "application/pdf")


async def test_a_named_type_must_be_a_receipt_type_and_match_the_bytes() -> None:
    assert (await image_body(PNG, content_type="image/PNG"))[1] == "image/png"
    with pytest.raises(ValidationError, match="image/bmp"):
        await image_body(b"BM" + b"\x00" * 40, content_type="image/bmp")
    with pytest.raises(ValidationError, match="is image/png, not image/jpeg"):
        await image_body(PNG, content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not PNG, JPEG"):
        await image_body(b"BM" + b"\x00" * 40)
    with pytest.raises(ValidationError, match="empty"):
        await image_body(b"")


async def test_a_file_is_streamed_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "receipt.png"
    path.write_bytes(PNG * 8)
    body, media = await image_body(path)
    assert media == "image/png"
    assert not isinstance(body, bytes)  # streamed, not read whole
    assert await _read(body) == PNG * 8
    body, _ = await image_body(str(path))
    assert await _read(body) == PNG * 8


async def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    path.write_bytes(PDF)
    with pytest.raises(ValidationError, match="1,009 bytes; Concur takes at most 1,000"):
        await image_body(path, max_bytes=1000)
    body, media = await image_body(path, max_bytes=2000)
    assert (body, media) == (PDF, "application/pdf")
    with pytest.raises(ValidationError, match=r"cannot read the receipt image 'missing\.png'"):
        await image_body(tmp_path / "missing.png")


async def test_an_async_stream_is_passed_on_or_read_up_to_the_limit() -> None:
    body, media = await image_body(_stream(PNG))
    assert media == "image/png"
    assert await _read(body) == PNG
    body, _ = await image_body(_stream(PDF), max_bytes=5000)
    assert body == PDF
    with pytest.raises(ValidationError, match="at most 100"):
        await image_body(_stream(PDF), max_bytes=100)


async def test_anything_else_is_refused() -> None:
    with pytest.raises(ValidationError, match="not list"):
        await image_body([PNG])  # type: ignore[arg-type]


async def test_receipt_images_upload_from_a_path_and_a_stream(tmp_path: Path) -> None:
    path = tmp_path / "taxi.pdf"
    path.write_bytes(PDF)
    async with LocalConcur() as concur, concur.client() as client:
        from_path = await client.expense.receipt_images.create(path)
        from_stream = await client.expense.receipt_images.create(_stream(PNG, 4096))
        assert concur.stats.count("POST", "/api/v3.0/expense/receiptimages") == 2
        with pytest.raises(ValidationError):
            await client.expense.receipt_images.create(b"not an image")
        assert concur.stats.count("POST", "/api/v3.0/expense/receiptimages") == 2
    assert from_path.id
    assert from_stream.id
    assert concur.state.images[from_path.id] == (PDF, "application/pdf")
    assert concur.state.images[from_stream.id] == (PNG, "image/png")


async def test_quick_expense_images_over_the_documented_5_mb_are_refused_before_sending() -> None:
    expense = QuickExpenseRequest(
        transaction_date=dt.date(2025, 3, 1), expense_type_id="TAXI",
        transaction_amount=Amount(currency_code="USD", value=Decimal("12.50")),
        location=Location(city="Seattle", country_code="US"),
    )
    async with LocalConcur() as concur, concur.client() as client:
        quick = client.quick_expense.quick_expenses
        with pytest.raises(ValidationError, match="Concur takes at most 5,242,880"):
            await quick.create_with_image(expense, PNG + bytes(5 * 2**20), user_id="user1",
                                          context_type="TRAVELER")
        assert not concur.stats.requests  # not even a token was asked for
        made = await quick.create_with_image(expense, _stream(PNG, 1000), user_id="user1",
                                             context_type="TRAVELER")
    assert made.quick_expense_id_uri


async def test_a_file_upload_is_read_again_when_retried(tmp_path: Path) -> None:
    from concur_async import RetryPolicy

    path = tmp_path / "receipt.png"
    path.write_bytes(PNG * 20)
    fast = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.01)
    async with LocalConcur() as concur, concur.client(retry=fast) as client:
        images = client.expense.receipt_images
        first = await images.create(PNG)
        assert first.id
        concur.faults.add("server_error", count=1, status=503, methods=["PUT"],
                          prefix="/api/v3.0/expense/receiptimages")
        await images.append(path, id=first.id)  # a 503, then the whole file again
        assert concur.faults.served["server_error"] == 1
        assert concur.stats.count("PUT", "/api/v3.0/expense/receiptimages/{id}") == 2
        assert client.stats.retries == 1
    stored, media = concur.state.images[first.id]
    assert media == "image/png"
    assert stored.endswith(PNG * 20)
