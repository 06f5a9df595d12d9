"""``client.insights`` against LocalConcur over real sockets: opportunities and latest bookings
(a read-only family)."""

from __future__ import annotations

import datetime as dt

import pytest

from concur_async.insights.latest_bookings import LatestBooking
from concur_async.insights.opportunities import Opportunity
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

OPPORTUNITIES = "/api/v3.0/insights/opportunities"


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_opportunities_page_and_latest_bookings_read(wire_format: str) -> None:
    async with LocalConcur() as concur:
        # One opportunity is seeded already; 59 more spread over three trips.
        concur.state.seed("insights/opportunities", (
            {"ID": f"OPP{i:04d}", "TripId": f"TRIP{i % 3:04d}", "Type": "Car",
             "IsActive": True, "StartCityCode": "SEA",
             "StartDateLocal": f"2025-04-{i % 28 + 1:02d}T08:00:00Z"}
            for i in range(2, 61)
        ))
        async with concur.client(wire_format=wire_format) as client:
            insights = client.insights
            everything = [o async for o in insights.opportunities.list()]
            # The server's default page is 25: 60 opportunities take three pages.
            assert concur.stats.count("GET", OPPORTUNITIES) == 3
            assert [o.id for o in everything] == [f"OPP{i:04d}" for i in range(1, 61)]
            assert all(isinstance(o, Opportunity) for o in everything)
            assert everything[0].start_date_local == dt.datetime(2025, 3, 1, 9, 0,
                                                                  tzinfo=dt.UTC)

            trip = [o.id async for o in insights.opportunities.list(trip_id="TRIP0002")]
            assert trip == [f"OPP{i:04d}" for i in range(2, 61) if i % 3 == 2]

            some = [o async for o in insights.opportunities.list(max_items=30)]
            assert len(some) == 30

            booking = await insights.latest_bookings.get(user="traveler@example.com")
            assert isinstance(booking, LatestBooking)
            assert [(a.code, a.booking_class) for a in booking.airlines or []] == [("AA", "Y")]
            assert booking.hotel is not None
            assert (booking.hotel.location, booking.hotel.star_rating) == ("LHR", 4)
    assert concur.stats.count("GET", "/api/v3.0/insights/latestbookings/") == 1
    assert not concur.errors
