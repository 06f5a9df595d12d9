"""LocalConcur answers as Concur's pages show, and the SDK reads it over real sockets.

The corpus (tests/corpus) holds what the pages show; LocalConcur sends the same quirks so
every integration test goes through the lenient reading: a boolean written as text
(Purchase Orders), the docs' ``OrgUnit1`` spelling (Invoice v3), a ``null`` name (Budget
Category), an update carrying only ``erpDocumentNumber`` answered with date-only dates
(Invoice Pay).
"""

from __future__ import annotations

import datetime as dt

import pytest

from concur_async.invoice_pay.payments import UpdatePayment
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration


async def test_a_purchase_order_says_is_test_as_text_and_reads_as_a_bool() -> None:
    async with LocalConcur() as concur:
        (number,) = concur.state.seed_purchase_orders(1)
        async with concur.client() as client:
            order = await client.invoice.purchase_orders.get(id=number)
    assert order.is_test is False


async def test_an_invoice_brings_the_org_units_as_the_docs_spell_them() -> None:
    async with LocalConcur() as concur:
        (invoice_id,) = concur.state.seed_payment_requests(1)
        async with concur.client() as client:
            invoice = await client.invoice.payment_requests.get(id=invoice_id)
    assert (invoice.org_unit1, invoice.org_unit01) == ("Sales", None)
    assert invoice.is_emergency_check_run == "N"


async def test_a_digest_brings_the_fields_the_digests_page_adds() -> None:
    async with LocalConcur() as concur:
        (invoice_id,) = concur.state.seed_payment_requests(1)
        async with concur.client() as client:
            digests = await client.invoice.payment_request_digests.list().first_page()
    (digest,) = digests.items
    assert digest.payment_request_id == invoice_id
    assert (digest.vendor_code, digest.payment_method) == ("V0000000", "CHECK")
    assert digest.is_deleted is False  # "false", as text


async def test_an_erp_document_number_alone_updates_a_payment_answered_with_bare_dates() -> None:
    async with LocalConcur() as concur:
        (payment_id,) = concur.state.seed_payments(1)
        async with concur.client() as client:
            result = await client.invoice_pay.payments.update(
                UpdatePayment(erp_document_number="ERP-7"), payment_id=payment_id)
    assert result.erp_document_number == "ERP-7"
    assert isinstance(result.created_date, dt.datetime)
    assert result.created_date.time() == dt.time(0)  # "2026-11-29": a date, read as midnight
