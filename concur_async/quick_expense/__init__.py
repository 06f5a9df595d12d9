"""Quick Expense v4.0.3 (its own rate limit: 120 requests per 5 minutes per user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .quick_expenses import QuickExpenses

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["QuickExpense"]


class QuickExpense(Family):
    """Quick Expense v4.0.3 (its own rate limit: 120 requests per 5 minutes per user)."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.quick_expenses = QuickExpenses(client)
