"""Invoice v3.x: vendors, purchase orders and receipts, payment requests, and more.

Where Concur documents an API in two versions, the attribute without a suffix is the newest
(``vendors`` is Vendor v3.1) and the older one keeps its version (``vendors_v3_0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .localized_data import LocalizedData
from .payment_request_digests import PaymentRequestDigests
from .payment_requests import PaymentRequests
from .purchase_order_receipts import PurchaseOrderReceipts
from .purchase_orders import PurchaseOrders
from .sales_tax_validation import SalesTaxValidation
from .vendor_banks import VendorBanks
from .vendor_banks_v3_0 import VendorBanksV30
from .vendor_groups import VendorGroups
from .vendor_groups_v3_0 import VendorGroupsV30
from .vendors import Vendors
from .vendors_v3_0 import VendorsV30

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
        self.purchase_order_receipts = PurchaseOrderReceipts(client)
        self.purchase_orders = PurchaseOrders(client)
        self.sales_tax_validation = SalesTaxValidation(client)
        self.vendor_banks = VendorBanks(client)
        self.vendor_banks_v3_0 = VendorBanksV30(client)
        self.vendor_groups = VendorGroups(client)
        self.vendor_groups_v3_0 = VendorGroupsV30(client)
        self.vendors = Vendors(client)
        self.vendors_v3_0 = VendorsV30(client)
