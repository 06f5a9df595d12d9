"""Purchase Request v4."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .purchase_requests import PurchaseRequests

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["PurchaseRequest"]


class PurchaseRequest(Family):
    """Purchase Request v4."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.purchase_requests = PurchaseRequests(client)
