"""Insights v3.0: latest bookings and opportunities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .latest_bookings import LatestBookings
from .opportunities import Opportunities

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Insights"]


class Insights(Family):
    """Insights v3.0: latest bookings and opportunities."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.latest_bookings = LatestBookings(client)
        self.opportunities = Opportunities(client)
