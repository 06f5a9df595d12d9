"""Redis failing the way networks and other programs make it fail: a black hole, a server that
falls silent mid-run (both a RESP server written here), a token record someone corrupted or
tampered with (in a real redis-server). Never a hang, never an uncoordinated refresh."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web
from issued import issued
from redis.asyncio import Redis
from servers import loopback_server

from concur_async import (
    ConcurClient,
    ConcurError,
    CoordinationError,
    RefreshTokenGrant,
    RetryPolicy,
    Token,
)
from concur_async.redis import RedisCoordination
from concur_async.testing import RedisServer

pytestmark = pytest.mark.timeout(30)

FAST = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_max=0.02)


class FakeRedis:
    """Speaks just enough RESP to greet redis-py (PING, CLIENT, SELECT); any other command is
    answered while ``answering`` and met with silence after."""

    def __init__(self) -> None:
        self.answering = True
        self.commands: list[str] = []

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                command = await _read_command(reader)
                if command is None:
                    return
                name = command[0].upper()
                self.commands.append(name)
                if name == "PING" and self.answering:
                    writer.write(b"+PONG\r\n")
                elif name in ("CLIENT", "SELECT", "HELLO") and self.answering:
                    writer.write(b"+OK\r\n")
                elif self.answering:
                    writer.write(b"-ERR unknown command\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            writer.close()


async def _read_command(reader: asyncio.StreamReader) -> list[str] | None:
    header = await reader.readline()
    if not header:
        return None
    assert header.startswith(b"*"), header
    parts = []
    for _ in range(int(header[1:])):
        size = int((await reader.readline())[1:])
        parts.append((await reader.readexactly(size + 2))[:-2].decode())
    return parts


@asynccontextmanager
async def fake_redis(fake: FakeRedis) -> AsyncIterator[str]:
    server = await asyncio.start_server(fake.serve, "127.0.0.1", 0)
    try:
        yield f"redis://127.0.0.1:{server.sockets[0].getsockname()[1]}/0"
    finally:
        server.close()


class Concur:
    """An API and token endpoint that count what reaches them."""

    def __init__(self) -> None:
        self.token_requests = 0
        self.api_requests = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/token"):
            self.token_requests += 1
            return issued(self.token_requests)
        self.api_requests += 1
        return web.json_response({"path": request.path})


def client(base: str, redis_url: str, namespace: str = "acme") -> ConcurClient:
    coordination = RedisCoordination.from_url(redis_url, namespace=namespace, retry=FAST,
                                              timeout=0.2)
    return ConcurClient(auth=RefreshTokenGrant("cid", "cs-SECRET", "rt-0"), base_url=base,
                        coordination=coordination, retry=FAST)


async def test_a_black_hole_redis_fails_open_in_bounded_time() -> None:
    fake = FakeRedis()
    fake.answering = False
    concur = Concur()
    async with fake_redis(fake) as redis_url, loopback_server(concur.handle) as base:
        started = time.monotonic()
        with pytest.raises(CoordinationError):
            async with client(base, redis_url):
                pass
        assert time.monotonic() - started < 5
    assert concur.token_requests == concur.api_requests == 0


async def test_redis_falling_silent_mid_run_stops_calls_without_refreshing() -> None:
    """Redis greets, then stops answering before the first token is shared: the call fails
    with CoordinationError and the token endpoint never hears from this process."""
    fake = FakeRedis()
    concur = Concur()
    async with (
        fake_redis(fake) as redis_url,
        loopback_server(concur.handle) as base,
        client(base, redis_url) as api,
    ):
        fake.answering = False
        with pytest.raises(CoordinationError):
            await api.request("GET", "/api/a")
    assert concur.token_requests == 0


async def _store(redis_server: RedisServer, namespace: str, record: str) -> None:
    redis = Redis.from_url(redis_server.url)
    try:
        await redis.hset(f"concur:{namespace}:token", mapping={"fence": 1, "record": record})
    finally:
        await redis.aclose()


@pytest.mark.parametrize("record", [
    "{not json",
    json.dumps({"refresh_token": "rt-9"}),  # a record without its access token
    json.dumps(["a", "list"]),
    json.dumps({"access_token": "at", "expires_at": "soon"}),
])
async def test_a_corrupt_shared_token_is_a_coordination_error_not_a_crash(
    redis_server: RedisServer, record: str,
) -> None:
    """Someone else's program (or an older version) wrote the token key: the failure is named
    as the store's, as a ConcurError, and no token request goes out uncoordinated."""
    namespace = uuid.uuid4().hex
    await _store(redis_server, namespace, record)
    concur = Concur()
    async with loopback_server(concur.handle) as base, client(base, redis_server.url,
                                                             namespace) as api:
        with pytest.raises(CoordinationError) as caught:
            await api.request("GET", "/api/a")
    assert namespace in str(caught.value)
    assert concur.token_requests == concur.api_requests == 0


async def test_a_tampered_shared_token_cannot_send_the_secret_elsewhere(
    redis_server: RedisServer,
) -> None:
    """A stored token naming a foreign geolocation (Redis is one more place to tamper with)
    is refused before the refresh form, which carries the client secret, goes anywhere."""
    namespace = uuid.uuid4().hex
    spent = Token("at-old", time.monotonic() - 1, "rt-9", "https://evil.example",
                  time.monotonic() - 1)
    await _store(redis_server, namespace, json.dumps(spent.to_record()))
    concur = Concur()
    async with loopback_server(concur.handle) as base, client(base, redis_server.url,
                                                             namespace) as api:
        with pytest.raises(ConcurError) as caught:
            await api.request("GET", "/api/a")
    assert "SECRET" not in str(caught.value)
    assert concur.token_requests == concur.api_requests == 0


async def test_a_token_endpoint_slower_than_the_lock_timeout_keeps_one_refresher(
    redis_server: RedisServer,
) -> None:
    """The token endpoint holds its answer for three lock timeouts while a second process
    wants a token too: the live refresher keeps its lock, so the second never sends the same
    refresh token (which Concur would answer with invalid_grant)."""
    namespace = uuid.uuid4().hex
    lock_key = f"concur:{namespace}:refresh-lock"
    lock_timeout = 0.5  # the keeper extends it every 1/3: a loaded CI loop has slack
    refresh_tokens: list[str] = []
    watcher = Redis.from_url(redis_server.url, decode_responses=True)
    second_started = asyncio.Event()

    async def handler(request: web.Request) -> web.StreamResponse:
        if not request.path.endswith("/token"):
            return web.json_response({"path": request.path})
        form = await request.post()
        refresh_tokens.append(str(form.get("refresh_token")))
        await second_started.wait()
        holder = await watcher.get(lock_key)
        deadline = time.monotonic() + 3 * lock_timeout
        while time.monotonic() < deadline:  # the lock must outlive its timeout, held
            assert await watcher.get(lock_key) == holder
            await asyncio.sleep(lock_timeout / 4)
        return web.json_response({"access_token": "at-1", "refresh_token": "rt-1",
                                  "expires_in": 3600})

    def shared(base: str) -> ConcurClient:
        coordination = RedisCoordination.from_url(redis_server.url, namespace=namespace,
                                                  retry=FAST, timeout=1.0,
                                                  lock_timeout=lock_timeout)
        return ConcurClient(auth=RefreshTokenGrant("cid", "cs-SECRET", "rt-0"), base_url=base,
                            coordination=coordination, retry=FAST)

    async def second(base: str) -> object:
        async with shared(base) as api:
            second_started.set()
            return await api.request("GET", "/api/second")

    try:
        async with loopback_server(handler) as base, shared(base) as first:
            answers = await asyncio.gather(first.request("GET", "/api/first"), second(base))
    finally:
        await watcher.aclose()
    assert answers == [{"path": "/api/first"}, {"path": "/api/second"}]
    assert refresh_tokens == ["rt-0"]
