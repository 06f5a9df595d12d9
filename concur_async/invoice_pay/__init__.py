"""Invoice Pay v4: payments handed to a payment provider, and their confirmations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .payments import Payments

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["InvoicePay"]


class InvoicePay(Family):
    """Invoice Pay v4: payments handed to a payment provider, and their confirmations."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.payments = Payments(client)
