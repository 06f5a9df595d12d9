"""RedisCoordination within one process: clients with their own Redis connections stand in for
processes; and what happens when Redis itself is missing or goes away."""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from servers import loopback_server

from concur_async import (
    AuthenticationError,
    ConcurClient,
    ConfigurationError,
    CoordinationError,
    RateLimit,
    RefreshTokenGrant,
    RetryPolicy,
    Token,
    UntrustedURLError,
)
from concur_async.redis import RedisCoordination
from concur_async.testing import LocalConcur, RedisServer

from .rotating_server import RotatingConcur

pytestmark = pytest.mark.timeout(30)

FAST = RetryPolicy(max_attempts=3, backoff_base=0.01, backoff_max=0.05)


def _client(url: str, redis: RedisServer, namespace: str, refresh_token: str = "r0",
            **options: object) -> ConcurClient:
    coordination = RedisCoordination.from_url(redis.url, namespace=namespace, retry=FAST,
                                              timeout=1.0)
    return ConcurClient(auth=RefreshTokenGrant("client", "secret", refresh_token),
                        base_url=url, coordination=coordination, retry=FAST,
                        **options)  # type: ignore[arg-type]


async def test_the_stored_refresh_token_wins_over_a_rotated_away_grant(
    redis_server: RedisServer,
) -> None:
    server = RotatingConcur(lifetime=0.5)
    namespace = uuid.uuid4().hex
    async with loopback_server(server.handle) as url:
        async with _client(url, redis_server, namespace) as first:
            await first.request("GET", "/api/ping")  # rotates r0 -> r1 and stores it
        assert server.refresh_token == "r1"
        # A process started later from the same configuration: its grant's r0 is spent.
        async with _client(url, redis_server, namespace) as later:
            await later.request("GET", "/api/ping")  # the stored token, no token request
            assert len(server.token_requests) == 1
            await asyncio.sleep(0.5)
            await later.request("GET", "/api/ping")  # refreshes with the stored r1
    assert [r.outcome for r in server.token_requests] == ["rotated", "rotated"]


async def test_on_token_refresh_fires_once_per_rotation_among_many_clients(
    redis_server: RedisServer,
) -> None:
    server = RotatingConcur(lifetime=60.0)
    namespace = uuid.uuid4().hex
    seen: list[str | None] = []

    async def keep(token: Token) -> None:
        seen.append(token.refresh_token)

    async with loopback_server(server.handle) as url:
        clients = [_client(url, redis_server, namespace, on_token_refresh=keep)
                   for _ in range(5)]
        for client in clients:
            await client.open()
        try:
            await asyncio.gather(*(c.request("GET", "/api/ping") for c in clients))
        finally:
            for client in clients:
                await client.aclose()
    assert seen == ["r1"]
    assert len(server.token_requests) == 1


async def test_open_fails_clearly_when_redis_cannot_be_reached() -> None:
    dead = RedisServer().start()
    dead.stop()  # a port where nothing listens now
    client = ConcurClient(
        auth=RefreshTokenGrant("client", "secret", "r0"), base_url="http://127.0.0.1:9",
        coordination=RedisCoordination.from_url(dead.url, namespace="acme", retry=FAST,
                                                timeout=1.0),
    )
    with pytest.raises(CoordinationError) as info:
        await client.open()
    assert f"127.0.0.1:{dead.port}/0" in str(info.value)
    assert "connect" in str(info.value)


async def test_redis_going_away_mid_run_raises_after_its_retries_never_falls_back() -> None:
    redis = RedisServer().start()
    server = RotatingConcur(lifetime=60.0)
    try:
        async with loopback_server(server.handle) as url, \
                _client(url, redis, "acme", requests_per_second=100) as client:
            await client.request("GET", "/api/ping")
            redis.stop()
            started = time.monotonic()
            with pytest.raises(CoordinationError) as info:
                await client.request("GET", "/api/ping")
            assert time.monotonic() - started < 5
            assert "rate budget" in str(info.value)
    finally:
        redis.stop()
    # The request was not sent on without its budget.
    assert len(server.pings) == 1


async def test_a_live_refresher_keeps_its_lock_past_the_lock_timeout(
    redis_server: RedisServer,
) -> None:
    namespace = uuid.uuid4().hex
    coordination = RedisCoordination.from_url(redis_server.url, namespace=namespace,
                                              lock_timeout=0.3)
    await coordination.open()
    try:
        started = asyncio.Event()
        release = asyncio.Event()

        async def slow_rotate(base: Token | None) -> Token:
            started.set()
            await release.wait()
            expires = time.monotonic() + 600
            return Token("a-slow", expires, "r-slow", refresh_at=expires - 60)

        async def quick_rotate(base: Token | None) -> Token:
            raise AssertionError("the waiting holder must not refresh itself")

        holder = asyncio.create_task(coordination.exchange(None, slow_rotate))
        await started.wait()
        await asyncio.sleep(0.8)  # well past lock_timeout: the holder keeps extending it
        waiter = asyncio.create_task(coordination.exchange(None, quick_rotate))
        await asyncio.sleep(0.2)
        assert not waiter.done()
        release.set()
        assert (await holder).access_token == "a-slow"
        assert (await waiter).access_token == "a-slow"  # from the store
    finally:
        await coordination.aclose()


async def test_a_forgotten_token_is_gone_for_every_holder(redis_server: RedisServer) -> None:
    # client.revoke() forgets the token: a process starting afterwards must begin from its
    # grant again, not pick the revoked token out of Redis.
    server = RotatingConcur(lifetime=60.0, rotate=False)
    namespace = uuid.uuid4().hex
    async with loopback_server(server.handle) as url:
        async with _client(url, redis_server, namespace) as first:
            await first.request("GET", "/api/ping")
            await first.token_manager.forget()
        async with _client(url, redis_server, namespace) as later:
            await later.request("GET", "/api/ping")
            assert later.token_manager.token is not None
            assert later.token_manager.token.access_token == "a2"
    assert len(server.token_requests) == 2


async def test_a_tampered_geolocation_in_redis_receives_nothing(
    redis_server: RedisServer,
) -> None:
    # Whoever can write to Redis must not redirect the token, or the client secret of the
    # next refresh, to a host of their choosing.
    server = RotatingConcur(lifetime=60.0)
    namespace = uuid.uuid4().hex
    coordination = RedisCoordination.from_url(redis_server.url, namespace=namespace)
    await coordination.open()
    try:
        for fresh in (True, False):
            expires = time.monotonic() + (600 if fresh else -1)
            planted = Token("a-planted", expires, "r-planted", "https://collector.example",
                            refresh_at=expires - 60)
            await coordination.forget()
            await coordination.exchange(None, _returns(planted))  # stored as a refresh would
            async with loopback_server(server.handle) as url, \
                    _client(url, redis_server, namespace) as client:
                # A fresh token is refused as it is adopted (its answer named the host); a
                # stale one as its refresh would go there: a local refusal, nothing sent.
                refusal = AuthenticationError if fresh else UntrustedURLError
                with pytest.raises(refusal) as info:
                    await client.request("GET", "/api/ping")
                assert "untrusted geolocation" in str(info.value)
    finally:
        await coordination.aclose()
    assert server.token_requests == []
    assert server.pings == []


def _returns(token: Token) -> Callable[[Token | None], Awaitable[Token]]:
    async def refresh(base: Token | None) -> Token:
        return token

    return refresh


def test_from_env_shares_through_the_redis_the_environment_names() -> None:
    env = {"CONCUR_CLIENT_ID": "app", "CONCUR_CLIENT_SECRET": "s", "CONCUR_REFRESH_TOKEN": "r",
           "CONCUR_REDIS_URL": "redis://:hunter2@127.0.0.1:6399/3",
           "CONCUR_REDIS_NAMESPACE": "acme"}
    client = ConcurClient.from_env(environ=env)
    assert isinstance(client.coordination, RedisCoordination)
    assert client.coordination.namespace == "acme"
    assert "hunter2" not in repr(client.coordination)
    assert "127.0.0.1:6399/3" in repr(client.coordination)
    # Without a namespace there is no safe guess: the processes might be other companies'.
    del env["CONCUR_REDIS_NAMESPACE"]
    with pytest.raises(ConfigurationError, match="CONCUR_REDIS_NAMESPACE"):
        ConcurClient.from_env(environ=env)
    # A keyword wins over its variable, as for every other setting.
    client = ConcurClient.from_env(environ=env, redis_namespace="globex")
    assert isinstance(client.coordination, RedisCoordination)
    assert client.coordination.namespace == "globex"
    # No URL, no sharing.
    client = ConcurClient.from_env(environ={"CONCUR_ACCESS_TOKEN": "t"})
    assert not isinstance(client.coordination, RedisCoordination)


async def test_cli_runs_share_one_sign_in_through_redis_url(
    redis_server: RedisServer, tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")}
    env.update(CONCUR_CLIENT_ID="app", CONCUR_CLIENT_SECRET="s", CONCUR_USERNAME="sync@acme",
               CONCUR_PASSWORD="pw")

    async def export(*flags: str) -> tuple[int | None, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "concur_async", "vendors", "export", "--quiet",
            "--base-url", concur.base_url, "-o", str(tmp_path / "vendors.jsonl"), *flags,
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        return process.returncode, err.decode()

    async with LocalConcur(vendors=30) as concur:
        shared = ("--redis-url", redis_server.url, "--redis-namespace", uuid.uuid4().hex)
        for _ in range(2):
            code, err = await export(*shared)
            assert code == 0, err
        assert concur.tokens.issued == 1  # the second run took the token the first stored
        code, err = await export("--redis-url", redis_server.url)
        assert code == 2
        assert "CONCUR_REDIS_NAMESPACE is not set" in err


async def test_a_rotation_redis_failed_to_take_is_stored_once_redis_is_back() -> None:
    # Concur answered, then Redis went away before the write: the process keeps the new
    # token and writes it on its next call that reaches Redis, before anyone else can read
    # the spent one.
    redis = RedisServer().start()
    coordination = RedisCoordination.from_url(redis.url, namespace="acme", retry=FAST,
                                              timeout=1.0)
    await coordination.open()
    try:
        expires = time.monotonic() + 600
        rotated = Token("a-new", expires, "r-new", refresh_at=expires - 60)

        async def refresh_as_redis_dies(base: Token | None) -> Token:
            redis.stop()
            return rotated

        with pytest.raises(CoordinationError):
            await coordination.exchange(None, refresh_as_redis_dies)
        redis.start()  # a restart on the same port, with nothing kept
        await coordination.acquire([])
        stored = await coordination.load()
        assert stored is not None
        assert (stored.access_token, stored.refresh_token) == ("a-new", "r-new")
    finally:
        await coordination.aclose()
        redis.stop()


async def test_family_and_client_budgets_hold_across_clients(redis_server: RedisServer) -> None:
    # Two clients (two processes' worth) of one namespace spend one family budget and one
    # client budget; a family's requests spend both.
    server = RotatingConcur(lifetime=600.0, rotate=False)
    namespace = uuid.uuid4().hex
    family = {"quick_expense": RateLimit(4, 0.2)}  # 20 per second, bursts of 4
    async with loopback_server(server.handle) as url:
        clients = [_client(url, redis_server, namespace, family_limits=family,
                           requests_per_second=50) for _ in range(2)]
        for client in clients:
            await client.open()
        try:
            await asyncio.gather(*(c.request("GET", "/api/ping") for c in clients))
            server.pings.clear()
            await asyncio.gather(*(
                client.request("GET", "/api/ping", family="quick_expense")
                for client in clients for _ in range(7)
            ))
            qe = [p.at for p in server.pings]
            server.pings.clear()
            await asyncio.gather(*(
                client.request("GET", "/api/ping") for client in clients for _ in range(40)
            ))
            plain = [p.at for p in server.pings]
        finally:
            for client in clients:
                await client.aclose()
    # 14 family requests: 4 at once, then one every 1/20 s, whoever sends them.
    assert qe[-1] - qe[0] >= (14 - 4 - 1) / 20 - 0.02
    # 80 plain requests at 50 per second, after the bucket's burst of 50 that the family's
    # requests partly spent.
    assert plain[-1] - plain[0] >= (80 - 50) / 50 - 0.05
