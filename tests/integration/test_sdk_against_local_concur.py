"""The SDK against LocalConcur over real sockets: paging, batch writes, token expiry, retries."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from concur_async import ConcurClient, RetryPolicy, StaticToken, ValidationError
from concur_async.invoice.vendors import Vendor
from concur_async.testing import LocalConcur, seed_code

pytestmark = pytest.mark.integration

FAST_RETRY = RetryPolicy(max_attempts=6, backoff_base=0.01, backoff_max=0.05)


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_streams_every_vendor_once_in_order(wire_format: str) -> None:
    count = 25_000 if wire_format == "json" else 5_000
    async with LocalConcur(vendors=count) as concur, concur.client(
        wire_format=wire_format
    ) as client:
        codes = [v.vendor_code async for v in client.invoice.vendors.list(page_size=1000)]
    assert codes == [seed_code(i) for i in range(count)]
    assert concur.stats.count("GET", "/api/v3.1/invoice/vendors") == count // 1000


async def test_page_size_over_the_documented_maximum_is_refused_before_sending() -> None:
    async with LocalConcur(vendors=10) as concur, concur.client() as client:
        with pytest.raises(ValidationError):
            client.invoice.vendors.list(page_size=1001)
        assert concur.stats.total == 0


def _vendor(code: str, *, currency: str = "USD") -> Vendor:
    return Vendor(
        vendor_code=code, address_code="MAIN", vendor_name=f"Supplier {code}",
        country_code="US", currency_code=currency,
    )


async def test_batch_create_surfaces_each_failed_item() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        answer = await client.invoice.vendors.create(
            [_vendor("OK1"), _vendor("BAD", currency="XXX"), _vendor("OK2")]
        )
    statuses = {v.vendor_code: v.status_list for v in answer.vendor or []}
    assert set(statuses) == {"OK1", "BAD", "OK2"}
    bad = statuses["BAD"] or []
    assert bad
    assert all((s.type or "").upper() == "ERROR" for s in bad)
    assert any("urrency" in (s.message or "") for s in bad)
    assert all((s.type or "").upper() != "ERROR" for s in statuses["OK1"] or [])
    written = concur.state.write_log.keys("create", "invoice/vendors")
    assert set(written) == {("OK1", "MAIN"), ("OK2", "MAIN")}


async def test_token_expiry_mid_stream_is_recovered_with_one_refresh() -> None:
    async with LocalConcur(vendors=3_000) as concur, concur.client() as client:
        seen = 0
        async for page in client.invoice.vendors.list(page_size=500, prefetch=0).pages():
            seen += len(page.items)
            if page.number == 2:
                concur.tokens.expire_access_tokens()
        assert seen == 3_000
        assert concur.stats.token_requests == 2  # the first grant and exactly one refresh
        assert client.stats.token_refreshes == 2


async def test_429_and_503_are_retried_until_served() -> None:
    async with LocalConcur(vendors=2_000) as concur:
        concur.faults.add("rate_limit", count=2, retry_after=0.05)
        concur.faults.add("server_error", count=3, status=503)
        async with concur.client(retry=FAST_RETRY) as client:
            codes = [v.vendor_code async for v in client.invoice.vendors.list(page_size=250)]
        assert codes == [seed_code(i) for i in range(2_000)]
        assert concur.faults.served["rate_limit"] == 2
        assert concur.faults.served["server_error"] == 3
        assert client.stats.retries == 5


async def test_one_client_is_shared_by_many_tasks() -> None:
    async with LocalConcur(vendors=500, latency_ms=5) as concur, concur.client(
        max_concurrency=8
    ) as client:
        async def first_code(name: str) -> str:
            page = await client.invoice.vendors.list(vendor_name=name, search_type="begins",
                                                     page_size=5).first_page()
            return page.items[0].vendor_code

        names = [f"Vendor {i:07d}" for i in range(100)]
        codes = await asyncio.gather(*(first_code(n) for n in names))
        assert codes == [seed_code(i) for i in range(100)]
        assert concur.stats.max_in_flight <= 8
        assert concur.stats.token_requests == 1


def test_client_can_be_created_without_a_loop() -> None:
    client = ConcurClient(auth=StaticToken("t"), base_url="http://127.0.0.1:1")
    assert "state=new" in repr(client)


async def test_prefetch_is_on_the_wire_before_the_page_is_handed_over() -> None:
    # A consumer that works through a page without awaiting must not hold the next
    # request back: it is sent before the first item of the page is yielded.
    started: list[str] = []

    async def on_start(session: Any, ctx: Any, params: aiohttp.TraceRequestStartParams) -> None:
        started.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with LocalConcur(vendors=30) as concur, concur.client(trace_configs=[trace]) as client:
        stream = client.invoice.vendors.list(page_size=10).__aiter__()
        await stream.__anext__()
        assert len([url for url in started if "/invoice/vendors" in url]) == 2
        await stream.aclose()


async def test_calls_queued_behind_a_401_take_the_refreshed_token() -> None:
    async with LocalConcur() as concur:
        concur.state.seed_payment_requests(1)
        async with concur.client(max_concurrency=4) as client:
            get = client.invoice.payment_requests.get
            await get(id="PR00000000")
            concur.tokens.expire_access_tokens()
            concur.stats.reset()
            await asyncio.gather(*(get(id="PR00000000") for _ in range(20)))
        assert concur.stats.token_requests == 1
        # Only the calls already holding a slot were refused; the 16 queued behind them
        # took the new token instead of spending a round trip on a certain 401.
        assert concur.stats.statuses[401] <= 4
