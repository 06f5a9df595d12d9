"""``client.purchase_request`` against LocalConcur over real sockets: create a purchase
request for a seeded vendor and read it back (the API has no list)."""

from __future__ import annotations

import pytest

from concur_async import BadRequestError, NotFoundError
from concur_async.purchase_request.purchase_requests import (
    GetPurchaseRequestCompact,
    LineItem,
    PurchaseRequest,
)
from concur_async.testing import SEED_ADDRESS_CODE, LocalConcur, seed_code

pytestmark = pytest.mark.integration


def _request(vendor_code: str) -> PurchaseRequest:
    return PurchaseRequest(
        user_id="u-1", user_email="buyer@example.com", user_login_id="buyer@example.com",
        currency_code="USD", description="Laptops for new hires",
        line_items=[
            LineItem(purchase_type="GOODS", vendor_code=vendor_code,
                     vendor_address_code=SEED_ADDRESS_CODE, description="Laptop",
                     quantity="3", unit_price="1299.00"),
            LineItem(purchase_type="SERVICES", vendor_code=vendor_code,
                     vendor_address_code=SEED_ADDRESS_CODE, description="Imaging",
                     quantity="3", unit_price="45.00"),
        ],
    )


async def test_purchase_requests_are_created_and_read() -> None:
    async with LocalConcur(vendors=10) as concur, concur.client() as client:
        requests = client.purchase_request.purchase_requests
        created = await requests.create(_request(seed_code(3)),
                                        concur_correlationid="7d1b6a52-2f0e-4c1e-9d4e-3f1b2c3d4e5f")
        assert created.id
        assert created.uri
        assert created.uri.endswith(created.id)
        compact = await requests.get(id=created.id)
        assert isinstance(compact, GetPurchaseRequestCompact)
        assert (compact.purchase_request_id, compact.purchase_request_number) == (
            created.id, "PR000001")
        assert compact.purchase_request_workflow_status == "Pending Approval"
        assert compact.purchase_orders in (None, [])

        with pytest.raises(BadRequestError) as refused:  # no such vendor
            await requests.create(_request("NOPE"))
        assert "lineItems[0].vendorCode" in str(refused.value)
        with pytest.raises(NotFoundError):
            await requests.get(id="00000000-0000-0000-0000-000000000000")

    stored = concur.state.collection("purchaserequest/purchaserequests").get(created.id)
    assert stored is not None
    assert [line["description"] for line in stored["lineItems"]] == ["Laptop", "Imaging"]
    assert concur.state.write_log.keys("create", "purchaserequest/purchaserequests") == {
        created.id: 1}
    assert concur.stats.count("GET", "/purchaserequest/v4/purchaserequests/{id}") == 2
    assert not concur.errors
