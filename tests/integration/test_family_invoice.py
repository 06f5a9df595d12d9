"""``client.invoice`` against LocalConcur over real sockets: payment requests and their digests,
vendors in both versions, vendor groups and localized data (purchase orders and vendor batches
are covered by ``test_sdk_against_local_concur`` and ``tests/testing``)."""

from __future__ import annotations

import pytest

from concur_async import NotFoundError
from concur_async.invoice.payment_request_digests import PaymentRequestDigest
from concur_async.invoice.payment_requests import PaymentRequest, PaymentRequestPost
from concur_async.invoice.vendor_groups import VendorGroup
from concur_async.invoice.vendor_models import Vendor
from concur_async.testing import SEED_ADDRESS_CODE, LocalConcur, seed_code

pytestmark = pytest.mark.integration

DIGESTS = "/api/v3.0/invoice/paymentrequestdigests"


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_payment_requests_page_read_and_create(wire_format: str) -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_payment_requests(30)
        async with concur.client(wire_format=wire_format) as client:
            invoice = client.invoice
            digests = [d async for d in invoice.payment_request_digests.list(page_size=10)]
            assert concur.stats.count("GET", DIGESTS) == 3
            assert all(isinstance(d, PaymentRequestDigest) for d in digests)
            assert [d.payment_request_id for d in digests] == ids
            assert digests[4].invoice_number == "INV-000004"
            link = f"{concur.base_url}/api/v3.0/invoice/paymentrequest/{ids[4]}"
            assert digests[4].payment_request_uri == link

            request = await invoice.payment_requests.get(id=ids[4])
            assert isinstance(request, PaymentRequest)
            assert (request.invoice_number, request.currency_code) == ("INV-000004", "USD")
            assert request.vendor_remit_address is not None
            assert request.vendor_remit_address.name == "Acme Office Supply"

            created = await invoice.payment_requests.create(PaymentRequestPost(
                employee_login_id="ap.clerk@example.com", currency_code="EUR",
                invoice_number="INV-NEW-1", invoice_amount="410.00", name="Office chairs",
            ))
            assert created.id
            fetched = await invoice.payment_requests.get(id=created.id)
            assert (fetched.invoice_number, fetched.invoice_amount) == ("INV-NEW-1", "410.00")
            digest = await invoice.payment_request_digests.get(id=created.id)
            assert digest.total == "410.00"
            with pytest.raises(NotFoundError):
                await invoice.payment_requests.get(id="PR-missing")

    assert concur.state.write_log.keys("create", "invoice/paymentrequests") == {created.id: 1}
    assert created.id in concur.state.collection("invoice/paymentrequestdigests")
    assert not concur.errors


async def test_vendors_in_both_versions_groups_and_localized_data() -> None:
    async with LocalConcur(vendors=1_500) as concur, concur.client() as client:
        invoice = client.invoice
        # The older Vendors v3.0 keeps its version in the attribute name.
        old = [v.vendor_code async for v in invoice.vendors_v3_0.list(page_size=1000)]
        assert old == [seed_code(i) for i in range(1_500)]
        assert concur.stats.count("GET", "/api/v3.0/invoice/vendors") == 2

        one = await invoice.vendors.list(vendor_code=seed_code(42)).first_page()
        assert [type(v) for v in one.items] == [Vendor]
        assert one.items[0].address_code == SEED_ADDRESS_CODE

        groups = await invoice.vendor_groups.put(
            [VendorGroup(name="Preferred")], vendor_code=seed_code(42),
            address_code=SEED_ADDRESS_CODE,
        )
        assert [g.name for g in groups.vendor_group or []] == ["Preferred"]
        stored = concur.state.vendors.get((seed_code(42), SEED_ADDRESS_CODE))
        assert stored is not None
        assert stored["VendorGroupList"] == ["Preferred"]
        await invoice.vendor_groups.delete(vendor_code=seed_code(42),
                                           address_code=SEED_ADDRESS_CODE, group_name="Preferred")
        stored = concur.state.vendors.get((seed_code(42), SEED_ADDRESS_CODE))
        assert stored is not None
        assert stored["VendorGroupList"] == []

        statuses = await invoice.localized_data.get(type="approvalStatus", lang_code="en")
        assert statuses.total_count == 2
        assert {row.code: row.localized_value for row in statuses.localization_data or []} == {
            "A_APPR": "Approved", "A_PEND": "Pending Approval"}
    assert not concur.errors
