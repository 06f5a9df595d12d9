"""What a service sees of its traffic: log lines, aiohttp traces, event hooks, correlation ids."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest

from concur_async import (
    ClientCredentialsGrant,
    ConcurClient,
    ConfigurationError,
    NotFoundError,
    RetryPolicy,
    StaticToken,
    TransportError,
)
from concur_async.hooks import RequestEvent, ResponseEvent
from concur_async.testing import LocalConcur

FAST_RETRY = RetryPolicy(max_attempts=4, backoff_base=0.01, backoff_max=0.02)
SECRET = "s3cr3t-client-secret"
REPORTS = "/api/v3.0/expense/reports"


def _grant() -> ClientCredentialsGrant:
    return ClientCredentialsGrant(client_id="svc", client_secret=SECRET)


async def test_debug_log_names_each_attempt_and_each_retry_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with LocalConcur(vendors=5) as concur:
        concur.faults.add("server_error", count=1, status=503, prefix="/api/v3.1/invoice/vendors")
        async with concur.client(auth=_grant(), retry=FAST_RETRY) as client:
            with caplog.at_level(logging.DEBUG, logger="concur_async"):
                await client.invoice.vendors.list(vendor_name="Vendor", search_type="begins",
                                                  page_size=2).first_page()
            token = client.token_manager._token
    lines = [r.getMessage() for r in caplog.records if r.name == "concur_async"]
    url = f"{concur.base_url}/api/v3.1/invoice/vendors"
    answered = [line for line in lines if line.startswith(f"GET {url} -> ")]
    assert [line.split(" -> ")[1].split()[0] for line in answered] == ["503", "200"]
    assert "(attempt 1, " in answered[0]
    assert "(attempt 2, " in answered[1]
    # Each line carries the elapsed seconds and the correlation id LocalConcur answered.
    for line in answered:
        seconds = line.split(", ")[1]
        assert seconds.endswith("s")
        assert float(seconds[:-1]) >= 0
        uuid.UUID(line.rsplit("correlation id ", 1)[1].rstrip(")"))
    retries = [line for line in lines if line.startswith("retrying GET")]
    assert len(retries) == 1
    assert "HTTP 503" in retries[0]
    assert "attempt 2 of 4" in retries[0]
    everything = "\n".join(r.getMessage() for r in caplog.records)
    assert "vendorName" not in everything
    assert "Vendor&" not in everything
    assert SECRET not in everything
    assert token is not None
    assert token.access_token not in everything


async def test_trace_configs_see_every_request_of_the_session() -> None:
    seen: Counter[str] = Counter()

    async def on_start(
        session: aiohttp.ClientSession, context: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        seen[params.method] += 1

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with LocalConcur(vendors=30) as concur, concur.client(
        trace_configs=[trace]
    ) as client:
        vendors = await client.invoice.vendors.list(page_size=10).collect()
        await client.expense.reports.list().collect()
        stats = client.stats
    assert len(vendors) == 30
    assert stats.requests == 4
    # The token request goes through the same session, so the trace sees it as well.
    assert seen == Counter({"GET": stats.requests, "POST": concur.stats.token_requests})
    assert concur.stats.total == stats.requests + concur.stats.token_requests


async def test_event_hooks_wrap_every_attempt_and_may_add_headers() -> None:
    events: list[tuple[str, Any]] = []
    ids: list[str] = []

    async def on_request(event: RequestEvent) -> None:
        assert "Authorization" not in event.headers
        # A hook may add headers: LocalConcur echoes a concur-correlationid it is sent.
        ids.append(str(uuid.uuid4()))
        event.headers["concur-correlationid"] = ids[-1]
        event.context["started"] = event.attempt
        events.append(("request", event))

    async def on_response(event: ResponseEvent) -> None:
        assert event.request.context["started"] == event.request.attempt
        events.append(("response", event))

    async with LocalConcur(vendors=3) as concur:
        concur.faults.add("rate_limit", count=1, retry_after=0.01,
                          prefix="/api/v3.1/invoice/vendors")
        async with concur.client(
            retry=FAST_RETRY,
            event_hooks={"request": [on_request], "response": [on_response]},
        ) as client:
            vendors = await client.invoice.vendors.list().collect()
    assert len(vendors) == 3
    assert [kind for kind, _ in events] == ["request", "response"] * 2
    first, second = events[1][1], events[3][1]
    assert (first.status, second.status) == (429, 200)
    assert (first.request.attempt, second.request.attempt) == (1, 2)
    assert [first.correlation_id, second.correlation_id] == ids
    assert first.request.method == "GET"
    assert first.request.family == "invoice"
    assert first.request.url == f"{concur.base_url}/api/v3.1/invoice/vendors"
    assert first.headers["Retry-After"] == "0.01"
    assert 0 <= second.elapsed < 5
    assert second.error is None


async def test_a_failing_hook_fails_the_call() -> None:
    class Refused(Exception):
        pass

    async def refuse(event: RequestEvent) -> None:
        raise Refused(event.method)

    async with LocalConcur(vendors=1) as concur, concur.client(
        event_hooks={"request": [refuse]}
    ) as client:
        with pytest.raises(Refused):
            await client.invoice.vendors.list().collect()
    assert concur.stats.total == concur.stats.token_requests  # nothing reached the API


async def test_response_hook_reports_transport_failures() -> None:
    # A port that was open a moment ago and no longer is: connections are refused.
    async with LocalConcur() as gone:
        base_url = gone.base_url
    failures: list[ResponseEvent] = []

    async def on_response(event: ResponseEvent) -> None:
        failures.append(event)

    async with ConcurClient(
        auth=StaticToken("t"), base_url=base_url, retry=RetryPolicy(max_attempts=2,
                                                                     backoff_base=0.01),
        event_hooks={"response": [on_response]},
    ) as client:
        with pytest.raises(TransportError):
            await client.request("GET", REPORTS)
    assert [(e.status, e.request.attempt) for e in failures] == [(None, 1), (None, 2)]
    assert all(isinstance(e.error, TransportError) for e in failures)


def test_unknown_hook_names_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="responses"):
        ConcurClient(auth=StaticToken("t"), event_hooks={"responses": []})  # type: ignore[arg-type]


async def test_api_errors_carry_the_correlation_id_concur_answered() -> None:
    answered: list[str | None] = []

    async def on_response(event: ResponseEvent) -> None:
        answered.append(event.correlation_id)

    async with LocalConcur() as concur, concur.client(
        event_hooks={"response": [on_response]}
    ) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.expense.reports.get(id="NO-SUCH-REPORT")
    error = caught.value
    assert error.status == 404
    assert error.correlation_id is not None
    assert answered == [error.correlation_id]
    uuid.UUID(error.correlation_id)
    assert f"correlation_id={error.correlation_id}" in str(error)
