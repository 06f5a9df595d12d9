"""Date filters take a date or a datetime and go out as each endpoint documents them.

The invoice digests read ``YYYY-MM-DD``; the v3 reports ``yyyy-MM-dd`` or
``yyyy-MM-ddTHH:mm:ss.SSS``; Travel Request and Insights a UTC time ending in ``Z``
(issue 13). Each case calls the public method against a server on 127.0.0.1 and reads the
query string it received.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import ConcurClient, StaticToken, ValidationError
from concur_async._query import QueryDate

PARIS = dt.timezone(dt.timedelta(hours=2))
AWARE = dt.datetime(2024, 1, 2, 3, 4, 5, 678900, tzinfo=PARIS)  # 01:04:05.678900 UTC
NAIVE = dt.datetime(2024, 1, 2, 23, 4, 5, 678900)
DAY = dt.date(2024, 1, 2)

CASES = [
    ("invoice.payment_request_digests.list", "paid_date_before", "paidDateBefore", DAY,
     "2024-01-02"),
    ("invoice.payment_request_digests.list", "last_modified_date_after",
     "lastModifiedDateAfter", AWARE, "2024-01-02"),
    ("invoice.payment_request_digests.list", "extracted_date_before", "extractedDateBefore",
     NAIVE, "2024-01-02"),
    ("expense.reports.list", "modified_date_after", "modifiedDateAfter", DAY, "2024-01-02"),
    ("expense.reports.list", "modified_date_after", "modifiedDateAfter", AWARE,
     "2024-01-02T01:04:05.678"),
    ("expense.reports.list", "submit_date_before", "submitDateBefore", NAIVE,
     "2024-01-02T23:04:05.678"),
    ("travel_request.requests.list", "modified_after", "modifiedAfter", AWARE,
     "2024-01-02T01:04:05Z"),
    ("travel_request.requests.list", "approved_before", "approvedBefore", DAY, "2024-01-02"),
    ("insights.opportunities.list", "from_utc", "fromUtc", AWARE, "2024-01-02T01:04:05Z"),
]


async def _sent_query(name: str, **kwargs: Any) -> dict[str, str]:
    seen: list[dict[str, str]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(dict(request.query))
        return web.json_response({"Items": [], "NextPage": None, "data": [], "content": []})

    async with (
        loopback_server(handler) as url,
        ConcurClient(auth=StaticToken("t0ken"), base_url=url) as client,
    ):
        target: Any = client
        for part in name.split("."):
            target = getattr(target, part)
        await target(**kwargs).first_page()
    return seen[0]


@pytest.mark.parametrize(("method", "argument", "wire", "value", "sent"), CASES)
async def test_a_date_filter_is_sent_as_its_endpoint_documents(
    method: str, argument: str, wire: str, value: dt.date, sent: str
) -> None:
    assert (await _sent_query(method, **{argument: value}))[wire] == sent


async def test_a_date_filter_refuses_text_before_sending() -> None:
    with pytest.raises(ValidationError, match=r"datetime\.date"):
        await _sent_query("invoice.payment_request_digests.list", paid_date_before="2024-01-02")


def test_a_spelling_never_carries_python_microseconds_or_offsets() -> None:
    for spelling in ("date", "millis", "utc"):
        text = str(QueryDate(AWARE, spelling))  # type: ignore[arg-type]
        assert "+" not in text
        assert "678900" not in text
