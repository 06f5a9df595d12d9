"""``client.revoke()`` against LocalConcur over real sockets: every token of the user dies."""

from __future__ import annotations

import uuid

import pytest

from concur_async import AuthenticationError, ConcurClient, PasswordGrant, RefreshTokenGrant
from concur_async.redis import RedisCoordination
from concur_async.testing import LocalConcur, RedisServer

USERS = "/api/v3.0/common/users"


async def test_revoked_connection_refuses_the_old_refresh_token() -> None:
    async with LocalConcur() as concur:
        grant = PasswordGrant("app", "secret", "pat@example.com", "pw")
        async with concur.client(auth=grant) as client:
            await client.request("GET", USERS)
            token = client.token_manager.token
            assert token is not None
            assert token.refresh_token
            refresh_token = token.refresh_token
            await client.revoke()
            assert client.token_manager.token is None
        # Another process holding the persisted refresh token can no longer use it.
        stale = RefreshTokenGrant("app", "secret", refresh_token)
        async with concur.client(auth=stale) as other:
            with pytest.raises(AuthenticationError):
                await other.request("GET", USERS)
        assert not concur.errors


async def test_revoke_leaves_other_users_connected() -> None:
    async with LocalConcur() as concur:
        pat = PasswordGrant("app", "secret", "pat@example.com", "pw")
        sam = PasswordGrant("app", "secret", "sam@example.com", "pw")
        async with concur.client(auth=pat) as a, concur.client(auth=sam) as b:
            await a.request("GET", USERS)
            await b.request("GET", USERS)
            await a.revoke()
            await b.request("GET", USERS)  # Sam's token still works
            assert b.token_manager.refresh_count == 1
        assert not concur.errors


async def test_revoke_clears_the_token_shared_through_redis(redis_server: RedisServer) -> None:
    # Another process of the same identity must neither reuse the revoked access token nor
    # refresh with the revoked refresh token it would find in Redis.
    namespace = uuid.uuid4().hex
    async with LocalConcur() as concur:
        grant = PasswordGrant("app", "secret", "pat@example.com", "pw")

        def shared() -> ConcurClient:
            coordination = RedisCoordination.from_url(redis_server.url, namespace=namespace)
            return concur.client(auth=grant, coordination=coordination)

        async with shared() as first:
            await first.request("GET", USERS)
            revoked = first.token_manager.token
            assert revoked is not None
            await first.revoke()
        async with shared() as later:
            await later.request("GET", USERS)  # a new grant, not the revoked token
            token = later.token_manager.token
            assert token is not None
            assert token.access_token != revoked.access_token
            assert token.refresh_token != revoked.refresh_token
        assert concur.stats.token_requests == 2
        assert not concur.errors
