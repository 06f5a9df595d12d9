"""Faults on demand: every kind is served, counted and reproducible from its seed."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import msgspec
import pytest

from concur_async.testing import FaultRule, Faults, LocalConcur

VENDORS = "/api/v3.1/invoice/vendors"
REPORTS = "/api/v3.0/expense/reports"


async def status_of(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    async with session.get(url, headers=headers) as resp:
        await resp.read()
        return resp.status


async def test_rate_limit_for_a_fixed_count_with_retry_after(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.faults.add("rate_limit", count=2, retry_after=3)
    url = concur.base_url + VENDORS
    async with session.get(url, headers=headers) as resp:
        assert resp.status == 429
        assert resp.headers["Retry-After"] == "3"
        assert "Rate limit" in (await resp.json())["Error"]["Message"]
    assert [await status_of(session, url, headers) for _ in range(3)] == [429, 200, 200]
    assert concur.faults.served["rate_limit"] == 2
    assert concur.faults.served_by_route[("rate_limit", f"GET {VENDORS}")] == 2
    assert concur.stats.statuses[429] == 2


async def test_server_errors_by_share_use_500_502_503(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.faults.set(server_error=1.0, seed=3)
    statuses = [await status_of(session, concur.base_url + VENDORS, headers) for _ in range(30)]
    assert set(statuses) == {500, 502, 503}
    assert concur.faults.served["server_error"] == 30


async def test_shares_are_reproducible_from_the_seed(session: aiohttp.ClientSession) -> None:
    async def run(seed: int) -> list[int]:
        async with LocalConcur(seed=seed) as concur:
            from localconcur_helpers import bearer

            headers = await bearer(session, concur)
            concur.faults.set(rate_limit=0.3, server_error=0.2)
            return [await status_of(session, concur.base_url + VENDORS, headers)
                    for _ in range(40)]

    first, again, other = await run(11), await run(11), await run(12)
    assert first == again
    assert first != other
    assert 0 < first.count(200) < 40


async def test_dropped_connection_after_the_write_happened(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.faults.add("drop", count=1, methods=frozenset({"POST"}))
    body = {"Vendor": [{"VendorCode": "A", "AddressCode": "HQ", "CountryCode": "US",
                        "CurrencyCode": "USD"}]}
    async with session.post(concur.base_url + VENDORS, json=body, headers=headers) as resp:
        assert resp.status == 200
        assert resp.headers["concur-correlationid"]
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()
    assert concur.faults.served["drop"] == 1
    # The server did the work: a blind retry would now meet a duplicate.
    assert concur.state.write_log.keys("create", "invoice/vendors") == {("A", "HQ"): 1}
    async with session.post(concur.base_url + VENDORS, json=body, headers=headers) as resp:
        answer = await resp.json()
    assert answer["Vendor"][0]["StatusList"][0]["Type"] == "ERROR"


async def test_malformed_body(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.state.seed_vendors(10)
    concur.faults.add("malformed", count=1)
    async with session.get(concur.base_url + VENDORS, headers=headers) as resp:
        assert resp.status == 200
        raw = await resp.read()
    with pytest.raises(msgspec.DecodeError):
        msgspec.json.decode(raw)
    assert concur.faults.served["malformed"] == 1


async def test_latency_overlaps_across_concurrent_requests(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.faults.set(latency_ms=200)
    started = time.monotonic()
    statuses = await asyncio.gather(
        *(status_of(session, concur.base_url + VENDORS, headers) for _ in range(20))
    )
    assert statuses == [200] * 20
    assert 0.2 <= time.monotonic() - started < 1.5
    assert concur.faults.served["latency"] == 20
    assert concur.stats.max_in_flight > 1


async def test_spikes_hit_a_share(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.faults.set(spike_ms=1, spike_rate=0.5, seed=5)
    for _ in range(40):
        await status_of(session, concur.base_url + VENDORS, headers)
    assert 5 < concur.faults.served["spike"] < 35


async def test_prefix_limits_faults_and_token_endpoint_is_spared(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    with concur.faults.injected(server_error=1.0, prefix="/api/v3.0/expense"):
        assert await status_of(session, concur.base_url + VENDORS, headers) == 200
        assert await status_of(session, concur.base_url + REPORTS, headers) >= 500
    assert await status_of(session, concur.base_url + REPORTS, headers) == 200
    concur.faults.set(server_error=1.0)
    from localconcur_helpers import grant

    status, _ = await grant(session, concur)
    assert status == 200
    concur.faults.add("server_error", prefix="/oauth2", status=503)
    status, _ = await grant(session, concur)
    assert status == 503


def test_rule_validation_and_plans() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule("explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate"):
        FaultRule("drop", rate=2.0)
    faults = Faults(seed=1)
    faults.add("drop")
    faults.add("rate_limit", count=1)
    first = faults.plan("GET", "/api/v3.0/expense/reports")
    assert first is not None
    assert (first.status, first.after) == (429, None)  # a 429 is never also dropped
    second = faults.plan("GET", "/api/v3.0/expense/reports")
    assert second is not None
    assert (second.status, second.after) == (None, "drop")


async def test_a_client_hanging_up_is_not_a_server_error() -> None:
    async with LocalConcur() as concur:
        for _ in range(3):
            _reader, writer = await asyncio.open_connection("127.0.0.1", concur.port)
            writer.write(b"POST /oauth2/v0/token HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000\r\n\r\ngrant_type=pass")
            await writer.drain()
            await asyncio.sleep(0.05)  # the handler is now waiting for the rest of the body
            writer.close()
            await writer.wait_closed()
        for _ in range(100):
            if concur.stats.disconnects == 3:
                break
            await asyncio.sleep(0.02)
        assert concur.stats.disconnects == 3
        assert concur.errors == []  # the list tests assert is empty stays empty
        assert 500 not in concur.stats.statuses
