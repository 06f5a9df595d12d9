"""``client.invoice_pay`` against LocalConcur over real sockets: batches handed out until
empty, and the provider's status updates."""

from __future__ import annotations

import datetime as dt

import pytest

from concur_async import BadRequestError, NotFoundError
from concur_async.invoice_pay.payments import Amount, Payment, UpdatePayment
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

PAYMENTS = "/invoice/provider-payment/v4/payments"


async def test_payments_are_streamed_until_empty_and_updated() -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_payments(1_200)
        async with concur.client() as client:
            pay = client.invoice_pay
            payments = [p async for p in pay.payments.list()]
            # Batches of 500, 500 and 200, then the empty answer that ends the stream.
            assert concur.stats.count("GET", PAYMENTS) == 4
            assert [p.payment_id for p in payments] == ids
            assert all(isinstance(p, Payment) for p in payments)
            first = payments[0]
            assert first.total_amount is not None
            assert (first.total_amount.amount, first.total_amount.currency) == ("250.00", "USD")
            assert first.vendor is not None
            assert first.vendor.vendor_name == "Acme Office Supply"
            # Everything was handed out: the next call streams nothing.
            assert [p async for p in pay.payments.list()] == []

            paid = await pay.payments.update(UpdatePayment(
                status="PAID", status_date=dt.date(2025, 1, 2), payment_method="ACH",
                paid_amount=Amount(amount="250.00", currency="USD"),
                provider_reference="BATCH-7",
            ), payment_id=ids[0])
            assert (paid.status, paid.status_date, paid.payment_method) == (
                "PAID", dt.date(2025, 1, 2), "ACH")
            with pytest.raises(BadRequestError):  # PAID needs a payment method
                await pay.payments.update(
                    UpdatePayment(status="PAID", status_date=dt.date(2025, 1, 2)),
                    payment_id=ids[1])
            with pytest.raises(NotFoundError):
                await pay.payments.update(
                    UpdatePayment(status="REJECTED", status_date=dt.date(2025, 1, 2)),
                    payment_id="00000000-0000-0000-0000-000000000000")

    stored = concur.state.collection("invoice/payments").get(ids[0])
    assert stored is not None
    assert (stored["status"], stored["providerReference"]) == ("PAID", "BATCH-7")
    assert concur.state.write_log.keys("update", "invoice/payments") == {ids[0]: 1}
    assert not concur.errors
