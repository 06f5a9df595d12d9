"""Invoice v3.x: vendors, purchase orders and receipts, payment requests, and more."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .localized_data import LocalizedData
from .payment_request_digests import PaymentRequestDigests
from .payment_requests import PaymentRequests
from .sales_tax_validation import SalesTaxValidation

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Invoice"]


class Invoice(Family):
    """Invoice v3.x: vendors, purchase orders and receipts, payment requests, and more."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.localized_data = LocalizedData(client)
        self.payment_request_digests = PaymentRequestDigests(client)
        self.payment_requests = PaymentRequests(client)
        self.sales_tax_validation = SalesTaxValidation(client)
