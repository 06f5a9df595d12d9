"""``client.quick_expense`` against LocalConcur over real sockets: quick expenses with and
without a receipt image (the API only creates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concur_async import ValidationError
from concur_async.quick_expense.quick_expenses import (
    Amount,
    Location,
    NewQuickExpenseResponse,
    QuickExpenseRequest,
)
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

PATH = "/quickexpense/v4/users/{userID}/context/{contextType}/quickexpenses"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _taxi(value: str) -> QuickExpenseRequest:
    return QuickExpenseRequest(
        transaction_date=dt.date(2025, 3, 1),
        transaction_amount=Amount(currency_code="USD", value=Decimal(value)),
        location=Location(city="Seattle", country_code="US"), vendor="Yellow Cab",
        expense_type_id="TAXI", payment_type_id="CASHX",
    )


async def test_an_unsupported_receipt_image_is_refused() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        with pytest.raises(ValidationError) as refused:
            await client.quick_expense.quick_expenses.create_with_image(
                _taxi("12.50"), b"BM" + b"\x00" * 32, user_id="user1",
                context_type="TRAVELER", filename="taxi.bmp", image_type="image/bmp")
        assert "image/bmp" in str(refused.value)
        assert concur.stats.count("POST", f"{PATH}/image") == 0  # refused before sending
        assert len(concur.state.collection("quickexpense/quickexpenses")) == 0
        assert not concur.state.images


# transactionAmount.value goes out as a JSON number, as the spec shows (a string is refused).
async def test_quick_expenses_are_created_with_and_without_an_image() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        quick = client.quick_expense.quick_expenses
        plain = await quick.create(_taxi("12.50"), user_id="user1", context_type="TRAVELER")
        assert isinstance(plain, NewQuickExpenseResponse)
        assert plain.quick_expense_id_uri
        with_image = await quick.create_with_image(
            _taxi("30.00"), PNG, user_id="user1", context_type="TRAVELER",
            filename="taxi.png", image_type="image/png")
        assert with_image.quick_expense_id_uri

    stored = {r["id"]: r for r in concur.state.collection("quickexpense/quickexpenses")}
    assert len(stored) == 2
    plain_id = plain.quick_expense_id_uri.rsplit("/", 1)[1]
    image_id = (with_image.quick_expense_id_uri or "").rsplit("/", 1)[1]
    assert stored[plain_id]["vendor"] == "Yellow Cab"
    assert stored[plain_id]["userId"] == "user1"
    assert concur.state.images[image_id] == (PNG, "image/png")
    assert concur.stats.count("POST", f"{PATH}/image") == 1
    assert not concur.errors
