"""client.revoke() against a connections endpoint written here: a failed revocation keeps the
token (so it can be retried); a successful one leaves no copy, in memory or in Redis, that a
later call or a later process would send again."""

from __future__ import annotations

import uuid

import pytest
from aiohttp import web
from issued import issued
from servers import loopback_server

from concur_async import APIError, ConcurClient, RefreshTokenGrant, RetryPolicy
from concur_async.redis import RedisCoordination
from concur_async.testing import RedisServer

FAST = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.002)


class Connections:
    """Issues tokens; DELETE /app-mgmt/v0/connections revokes every token it issued."""

    def __init__(self) -> None:
        self.issued = 0
        self.revoked = False
        self.fail_revocation = False
        self.used: list[str] = []

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path.endswith("/token"):
            self.issued += 1
            self.revoked = False
            return issued(self.issued)
        auth = request.headers.get("Authorization", "")
        if request.method == "DELETE" and request.path == "/app-mgmt/v0/connections":
            if self.fail_revocation:
                return web.json_response({"message": "try later"}, status=400)
            self.revoked = True
            return web.Response(status=204)
        self.used.append(auth)
        if self.revoked:
            return web.json_response({"message": "revoked"}, status=401)
        return web.json_response({"ok": True})


def grant() -> RefreshTokenGrant:
    return RefreshTokenGrant("cid", "cs", "rt-0")


async def test_a_refused_revocation_keeps_the_token_and_a_granted_one_drops_it() -> None:
    server = Connections()
    async with loopback_server(server.handle) as base, ConcurClient(
        auth=grant(), base_url=base, retry=FAST
    ) as client:
        await client.request("GET", "/api/a")
        server.fail_revocation = True
        with pytest.raises(APIError):
            await client.revoke()
        await client.request("GET", "/api/b")  # still connected, same token
        assert server.issued == 1
        server.fail_revocation = False
        await client.revoke()
        assert client.token_manager.token is None
        await client.request("GET", "/api/c")  # starts again from the grant
    assert server.used == ["Bearer at-1", "Bearer at-1", "Bearer at-2"]


async def test_a_revocation_reaches_every_process_sharing_the_token(
    redis_server: RedisServer,
) -> None:
    """After one process revokes, a process started afterwards does not pick the revoked
    token up from Redis."""
    server = Connections()
    namespace = uuid.uuid4().hex

    def client(base: str) -> ConcurClient:
        coordination = RedisCoordination.from_url(redis_server.url, namespace=namespace,
                                                  retry=FAST, timeout=1.0)
        return ConcurClient(auth=grant(), base_url=base, coordination=coordination, retry=FAST)

    async with loopback_server(server.handle) as base:
        async with client(base) as first:
            await first.request("GET", "/api/a")
            await first.revoke()
        async with client(base) as later:
            await later.request("GET", "/api/b")
    assert server.used == ["Bearer at-1", "Bearer at-2"]
