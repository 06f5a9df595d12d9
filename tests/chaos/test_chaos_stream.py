"""Streaming through a hostile server: every vendor exactly once, in order.

The server answers 429 (with ``Retry-After``), 500/502/503, cuts connections mid-body, answers
200 with half a body and spikes its latency on a share of requests, while tokens expire every
couple of seconds. The paginator must still hand over every seeded vendor once, in server order.
"""

from __future__ import annotations

import pytest

from .harness import FULL_STREAM, Profile, scaled, stream_vendors

pytestmark = pytest.mark.chaos


async def test_streaming_under_faults_yields_every_vendor_once_in_order() -> None:
    count = scaled(FULL_STREAM)
    # Small pages: many requests, so that every kind of fault strikes; tokens are forced to
    # expire twice a second, so even a short run meets the 401 and renewal path.
    profile = Profile(token_lifetime=1.0, expire_every=0.5)
    figures = await stream_vendors(count, page_size=max(20, count // 200), profile=profile)
    print(figures.summary())
    assert figures.records == count
    assert (figures.lost, figures.duplicated) == (0, 0)
    assert figures.in_order
    assert figures.server_errors == 0
    served = figures.faults
    for kind in ("rate_limit", "server_error", "drop", "malformed", "spike"):
        assert served.get(kind, 0) > 0, f"no {kind} fault was served: {served}"
    # Every refused or cut answer was retried: the retries cover the faults that spoil an
    # answer (a spike only delays one) and the 401s of forced expiries.
    spoiled = (served["rate_limit"] + served["server_error"] + served["drop"]
               + served["malformed"])
    assert figures.retries >= spoiled
    assert figures.forced_expiries >= 1
    assert figures.unauthorized >= 1  # a request met an expired token, renewed it, went on
    assert figures.token_requests >= 2


async def test_xml_streaming_under_faults_is_exact_too() -> None:
    count = scaled(FULL_STREAM // 10)
    profile = Profile(expire_every=0.5, token_lifetime=1.0, spike_ms=40)
    figures = await stream_vendors(count, page_size=25, wire_format="xml", seed=21,
                                   profile=profile)
    print(figures.summary())
    assert (figures.records, figures.lost, figures.duplicated) == (count, 0, 0)
    assert figures.in_order
    assert sum(figures.faults.values()) > 0
