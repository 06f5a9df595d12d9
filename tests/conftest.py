"""Shared fixtures for the core's unit tests: a mocked Concur (aioresponses) and a fake clock.

``concur`` patches aiohttp so that nothing leaves the process: a request nobody registered
fails as a connection error. It serves the token endpoint itself (counting every token
request), and ``concur.route(...)`` registers API endpoints that record what they were sent.
"""

from __future__ import annotations

import os
import re
import time
import types
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aioresponses import CallbackResult, aioresponses
from aioresponses import core as aioresponses_core
from hypothesis import settings
from multidict import CIMultiDict
from yarl import URL

from concur_async import ClientCredentialsGrant, ConcurClient, RetryPolicy, _auth
from concur_async.testing import RedisServer

# The suite gates every landing, so property tests walk a fixed, reproducible sequence there;
# HYPOTHESIS_PROFILE=explore searches afresh on each run (and found the UTF-7 error body).
settings.register_profile("gate", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gate"))

BASE = "http://127.0.0.1:8990"
TOKEN_PATH = "/oauth2/v0/token"

#: Retries that take milliseconds, so tests stay fast.
FAST_RETRY = RetryPolicy(
    max_attempts=3, backoff_base=0.001, backoff_max=0.005, default_retry_after=0.01
)


class _Response(aiohttp.ClientResponse):
    """aiohttp 3.14 requires ``stream_writer``, which aioresponses 0.7 does not pass (#289)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", types.SimpleNamespace(output_size=0))
        super().__init__(*args, **kwargs)


@dataclass
class Hit:
    """One request as the mocked server received it."""

    method: str
    url: URL
    headers: CIMultiDict[str]
    data: Any
    at: float

    @property
    def authorization(self) -> str | None:
        return self.headers.get("Authorization")


Handler = Callable[..., Awaitable[CallbackResult] | CallbackResult]
Reply = CallbackResult | BaseException


@dataclass
class Route:
    """An endpoint: replies in order (the last one repeats), or a handler; and its hits."""

    method: str
    replies: list[Reply]
    handler: Handler | None = None
    hits: list[Hit] = field(default_factory=list)

    async def respond(self, url: URL, **kwargs: Any) -> CallbackResult:
        self.hits.append(
            Hit(self.method, url, CIMultiDict(kwargs.get("headers") or {}),
                kwargs.get("data"), time.monotonic())
        )
        if self.handler is not None:
            result = self.handler(url, **kwargs)
            if not isinstance(result, CallbackResult):
                result = await result
            return result
        reply = self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        if isinstance(reply, BaseException):
            raise reply
        return reply


class MockConcur:
    """A Concur double inside aioresponses: the token endpoint plus whatever a test routes."""

    base = BASE
    fast_retry = FAST_RETRY
    token_url = BASE + TOKEN_PATH
    client_id = "test-client-id"
    client_secret = "cs-SECRET-5c1e9d"  # test values whose leaks the redaction tests hunt
    username = "someone@example.com"
    password = "pw-SECRET-77aa0b"

    def __init__(self, mocked: aioresponses) -> None:
        self.mocked = mocked
        #: What every token response carries; a test may change these between refreshes.
        self.expires_in: object = "3600"
        self.geolocation: str | None = None
        self.rotate_refresh_token = True
        #: An answer (or an exception to raise) for token requests instead of a token.
        self.token_reply: Reply | None = None
        #: Seconds each token request takes, so concurrent callers pile up behind it.
        self.token_latency = 0.0
        self.token_hits: list[Hit] = []
        self.issued = 0
        mocked.post(re.compile(r"^https?://[^/]+/oauth2/v0/token$"), callback=self._token,
                    repeat=True)

    def access_token(self, n: int) -> str:
        return f"at-SECRET-{n:04d}"

    def refresh_token(self, n: int) -> str:
        return f"rt-SECRET-{n:04d}"

    @property
    def token_requests(self) -> int:
        return len(self.token_hits)

    @property
    def secrets(self) -> list[str]:
        """Every secret a test run can have handed out: none may ever show up in text."""
        issued = range(1, self.issued + 2)
        return [
            self.client_secret,
            self.password,
            *(self.access_token(n) for n in issued),
            *(self.refresh_token(n) for n in issued),
            "SECRET",
        ]

    async def _token(self, url: URL, **kwargs: Any) -> CallbackResult:
        import asyncio

        self.token_hits.append(
            Hit("POST", url, CIMultiDict(kwargs.get("headers") or {}), dict(kwargs["data"]),
                time.monotonic())
        )
        if self.token_latency:
            await asyncio.sleep(self.token_latency)
        if isinstance(self.token_reply, BaseException):
            raise self.token_reply
        if self.token_reply is not None:
            return self.token_reply
        self.issued += 1
        answer: dict[str, Any] = {
            "access_token": self.access_token(self.issued),
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_expires_in": "15552000",
        }
        if self.rotate_refresh_token or self.issued == 1:
            answer["refresh_token"] = self.refresh_token(self.issued)
        if self.geolocation:
            answer["geolocation"] = self.geolocation
        return CallbackResult(payload=answer)

    def route(
        self,
        method: str,
        path: str,
        *replies: Reply,
        handler: Handler | None = None,
        base: str | None = None,
    ) -> Route:
        """Serve ``method base+path`` (any query) with ``replies`` in order, or ``handler``."""
        route = Route(method.upper(), list(replies) or [json_reply({})], handler)
        pattern = re.compile("^" + re.escape((base or self.base) + path) + r"(\?.*)?$")
        self.mocked.add(pattern, method=method.upper(), callback=route.respond, repeat=True)
        return route

    def client(self, **kwargs: Any) -> ConcurClient:
        kwargs.setdefault("base_url", self.base)
        kwargs.setdefault("auth", ClientCredentialsGrant(self.client_id, self.client_secret))
        kwargs.setdefault("retry", FAST_RETRY)
        return ConcurClient(**kwargs)

    @staticmethod
    def reply(
        payload: Any = None,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: str | bytes | None = None,
        content_type: str = "application/json",
    ) -> CallbackResult:
        """One canned answer: ``payload`` as JSON, or a raw ``body``."""
        return json_reply(payload, status=status, headers=headers, body=body,
                          content_type=content_type)

    @property
    def requests_sent(self) -> int:
        """Every request that reached the mock, token requests included."""
        return sum(len(calls) for calls in self.mocked.requests.values())


def json_reply(
    payload: Any = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
    content_type: str = "application/json",
) -> CallbackResult:
    if body is not None:
        return CallbackResult(status=status, body=body, headers=headers,
                              content_type=content_type)
    return CallbackResult(status=status, payload=payload, headers=headers,
                          content_type=content_type)


@pytest.fixture(autouse=True)
def _aioresponses_on_aiohttp_3_14(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(aioresponses_core, "ClientResponse", _Response)


@pytest.fixture
def concur() -> Iterator[MockConcur]:
    with aioresponses() as mocked:
        yield MockConcur(mocked)


class FakeClock:
    """The token manager's monotonic clock, moved forward by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@pytest.fixture
def auth_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(_auth, "time", types.SimpleNamespace(monotonic=clock.monotonic))
    return clock


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server of this test session, on a free 127.0.0.1 port."""
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()
