"""Budget v4: fiscal years, categories, budget item headers, adjustments, tracking fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .adjustments import Adjustments
from .categories import Categories
from .fiscal_years import FiscalYears
from .item_headers import ItemHeaders
from .tracking_fields import TrackingFields

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Budget"]


class Budget(Family):
    """Budget v4: fiscal years, categories, budget item headers, adjustments, tracking fields."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.adjustments = Adjustments(client)
        self.categories = Categories(client)
        self.fiscal_years = FiscalYears(client)
        self.item_headers = ItemHeaders(client)
        self.tracking_fields = TrackingFields(client)
