"""What the per-call fast paths must keep: no slot leaked whatever await a call is cancelled at,
logs redacted when DEBUG is on (and not even built when it is off), arguments refused as
before, ids quoted, tokens only to the origins they were trusted to before."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from aioresponses import CallbackResult

import concur_async._client as client_module
from concur_async import ConcurClient, StaticToken, ValidationError
from concur_async._coordination import LocalCoordination
from concur_async._limits import Limiter
from concur_async._resource import Operation

if TYPE_CHECKING:
    from conftest import MockConcur
    from yarl import URL

MARK = "SECRET"


def _limiter(max_concurrency: int = 1, **options: Any) -> Limiter:
    return Limiter(max_concurrency=max_concurrency, coordination=LocalCoordination(), **options)


async def _cancel_when_parked(limiter: Limiter, family: str | None = None) -> None:
    """Start an acquire, let it park at its await, cancel it, and check it took nothing."""
    task = asyncio.get_running_loop().create_task(limiter.acquire(family))
    await asyncio.sleep(0.02)
    assert not task.done(), "the acquire should be waiting"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_cancelled_while_queued_for_a_slot_holds_none() -> None:
    limiter = _limiter()
    await limiter.acquire()
    await _cancel_when_parked(limiter)
    limiter.release()
    assert limiter.in_flight == 0
    await limiter.acquire()  # the slot is free again, not lost to the cancelled waiter
    limiter.release()


async def test_cancelled_during_a_pause_taken_after_the_slot_holds_none() -> None:
    limiter = _limiter()
    await limiter.acquire()
    waiter = asyncio.get_running_loop().create_task(limiter.acquire())
    await asyncio.sleep(0.01)
    await limiter.pause(30)  # set while the waiter queued: it applies once the slot is its
    limiter.release()
    await asyncio.sleep(0.02)
    assert not waiter.done()
    assert limiter.in_flight == 1  # the waiter holds the slot while it waits out the pause
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert limiter.in_flight == 0


async def test_cancelled_while_waiting_for_the_rate_budget_holds_none() -> None:
    limiter = _limiter(max_concurrency=4, requests_per_second=1)
    await limiter.acquire()  # spends the one request of this second
    limiter.release()
    await _cancel_when_parked(limiter)
    assert limiter.in_flight == 0


async def test_an_already_cancelled_scope_takes_no_slot() -> None:
    # The fast acquire still honours anyio cancellation: nothing starts in a cancelled scope.
    limiter = _limiter()
    with anyio.CancelScope() as scope:
        scope.cancel()
        await limiter.acquire()
        pytest.fail("acquire went through in a cancelled scope")  # pragma: no cover
    assert scope.cancelled_caught
    assert limiter.in_flight == 0


async def test_waiters_get_the_slot_in_the_order_they_asked() -> None:
    limiter = _limiter()
    order: list[int] = []

    async def one(n: int) -> None:
        await limiter.acquire()
        order.append(n)
        await asyncio.sleep(0)
        limiter.release()

    await limiter.acquire()
    tasks = [asyncio.get_running_loop().create_task(one(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    limiter.release()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2, 3, 4]
    assert limiter.in_flight == 0


async def test_a_call_cancelled_in_flight_gives_its_slot_back(concur: MockConcur) -> None:
    started = asyncio.Event()

    async def slow(url: URL, **kwargs: Any) -> CallbackResult:
        started.set()
        await asyncio.sleep(30)
        return concur.reply({})  # pragma: no cover

    concur.route("GET", "/slow", handler=slow)
    concur.route("GET", "/fast", concur.reply({"ok": True}))
    async with concur.client(max_concurrency=1) as client:
        with anyio.move_on_after(5) as scope:
            async with anyio.create_task_group() as group:
                group.start_soon(client.request, "GET", "/slow")
                await started.wait()
                group.cancel_scope.cancel()
        assert not scope.cancelled_caught
        assert client.limiter.in_flight == 0
        assert await client.request("GET", "/fast") == {"ok": True}


async def test_debug_lines_are_built_only_when_debug_is_on_and_stay_redacted(
    concur: MockConcur, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    redacted: list[str] = []
    original = client_module.redact_url

    def counting(url: str) -> str:
        redacted.append(url)
        return original(url)

    monkeypatch.setattr(client_module, "redact_url", counting)
    concur.route("GET", "/users", concur.reply({}), concur.reply({}))
    secret = {"sig": f"q-{MARK}-query"}
    async with concur.client() as client:
        with caplog.at_level(logging.INFO, logger="concur_async"):
            await client.request("GET", "/users", params=secret)
        assert redacted == []  # DEBUG off: no URL redacted for a line nobody logs
        with caplog.at_level(logging.DEBUG, logger="concur_async"):
            await client.request("GET", "/users", params=secret)
    assert redacted, "DEBUG on: the attempt's line is logged"
    lines = [r.getMessage() for r in caplog.records if r.name == "concur_async"]
    assert any(line.startswith("GET ") and "/users -> 200" in line for line in lines), lines
    assert MARK not in caplog.text


def _offline_client() -> ConcurClient:
    return ConcurClient(auth=StaticToken("t"), base_url="http://127.0.0.1:8080")


@pytest.mark.parametrize(
    "call",
    [
        lambda d: d.get(id=5),  # an int where the id is a string
        lambda d: d.get(id=None),
        lambda d: d.get(),
        lambda d: d.get(id="x", extra=1),
        lambda d: d.get("x"),  # keyword-only
    ],
)
def test_arguments_are_refused_before_anything_is_sent(call: Any) -> None:
    digests = _offline_client().invoice.payment_request_digests
    with pytest.raises(ValidationError, match=r"PaymentRequestDigests\.get"):
        call(digests)


@pytest.mark.parametrize(
    "kwargs",
    [{"search_type": "bogus"}, {"page_size": True}, {"vendor_name": 5}],
)
def test_literal_and_type_checks_still_hold_on_keyword_calls(kwargs: dict[str, Any]) -> None:
    vendors = _offline_client().invoice.vendors
    with pytest.raises(ValidationError):
        vendors.list(**kwargs)


def test_plain_and_unusual_ids_are_quoted_as_before() -> None:
    op = Operation("Test", "v3.0", "GET", "/api/v3.0/things/{id}")
    assert op.url({"id": "AbC-12_3.~"}) == "/api/v3.0/things/AbC-12_3.~"
    assert op.url({"id": "a/b c?d"}) == "/api/v3.0/things/a%2Fb%20c%3Fd"
    assert op.url({"id": "é"}) == "/api/v3.0/things/%C3%A9"
    assert op.url({"id": 42}) == "/api/v3.0/things/42"
    for empty in ("", None):
        with pytest.raises(ValidationError, match="id is required"):
            op.url({"id": empty})


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("http://127.0.0.1:8080/api/x", True),
        ("http://127.0.0.1:8080", True),
        ("http://127.0.0.1:8080@evil.example.com/api/x", False),
        ("http://127.0.0.1:80801/api/x", False),
        ("http://127.0.0.1:8080.evil.example.com/api/x", False),
        ("https://127.0.0.1:8080/api/x", False),
        ("https://us2.api.concursolutions.com/api/x", True),
        ("http://us2.api.concursolutions.com/api/x", False),
    ],
)
def test_token_goes_only_where_it_went_before(url: str, trusted: bool) -> None:
    assert _offline_client().trusts(url) is trusted
