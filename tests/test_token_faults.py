"""The token endpoint's bad days, against a purpose-built strict OAuth2 server (token_server).

Each test names the class of failure it pins (issue 12: 2, 3, 4, 6, 10; issue 13: code 16 and
the documented token fields). The server spends a refresh token on receipt, as Concur does, so
a rotated token the client drops shows up as ``invalid_grant`` on the next refresh.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest
from token_server import TokenServer, token_server

from concur_async import (
    AuthenticationError,
    ConcurClient,
    PasswordGrant,
    RefreshTokenGrant,
    RetryPolicy,
    Token,
    TransportError,
)
from concur_async._auth import TokenPersistenceError

FAST = RetryPolicy(max_attempts=5, backoff_base=0.01, backoff_max=0.02,
                   default_retry_after=0.01)


def client_of(server: TokenServer, *, grant: Any = None, **options: Any) -> ConcurClient:
    options.setdefault("retry", FAST)
    return ConcurClient(auth=grant or RefreshTokenGrant("cid", "cs-SECRET-1", "rt-0"),
                        base_url=server.base, **options)


async def started(server: TokenServer) -> TokenServer:
    server.live_refresh.add("rt-0")
    return server


# -- 2: cancelling the task waiting on a refresh ------------------------------------------------


async def test_a_caller_cancelled_while_its_refresh_is_answered_loses_no_rotated_token() -> None:
    async with token_server(script=[("delay", 0.3)]) as server:
        await started(server)
        async with client_of(server) as client:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.05):  # gives up before Concur answers
                    await client.request("GET", "/api/a")
            await asyncio.sleep(0.4)  # Concur's answer arrives after the caller left
            assert await client.request("GET", "/api/b") == {"path": "/api/b"}
        # One refresh, its rotated token kept: the spent rt-0 was never sent again.
        assert [f["refresh_token"] for f in server.forms] == ["rt-0"]
        assert server.invalid_grants == 0
        assert client.token_manager.token is not None
        assert client.token_manager.token.refresh_token == "srv-rt-1"
        assert client.token_manager.token.refresh_token in server.live_refresh


async def test_callers_arriving_while_the_abandoned_refresh_runs_share_it() -> None:
    async with token_server(script=[("delay", 0.2)]) as server:
        await started(server)
        async with client_of(server) as client:
            first = asyncio.create_task(client.request("GET", "/api/a"))
            await asyncio.sleep(0.02)
            first.cancel()
            results = await asyncio.gather(*(client.request("GET", "/api/b") for _ in range(20)))
        assert len(results) == 20
        assert len(server.forms) == 1
        assert server.invalid_grants == 0


async def test_aclose_waits_for_a_refresh_under_way_and_its_callback() -> None:
    kept: list[str | None] = []

    async def persist(token: Token) -> None:
        kept.append(token.refresh_token)

    async with token_server(script=[("delay", 0.2)]) as server:
        await started(server)
        client = client_of(server, on_token_refresh=persist)
        async with client:
            task = asyncio.create_task(client.request("GET", "/api/a"))
            await asyncio.sleep(0.05)
            task.cancel()
        assert kept == ["srv-rt-1"]  # the rotation reached the store before the client closed


# -- 3: cancelling inside on_token_refresh --------------------------------------------------------


async def test_a_cancelled_caller_does_not_cut_a_slow_vault_write_short() -> None:
    vault = {"refresh_token": "rt-0"}

    async def slow_vault(token: Token) -> None:
        await asyncio.sleep(0.3)
        vault["refresh_token"] = token.refresh_token or ""

    async with token_server() as server:
        await started(server)
        async with client_of(server, on_token_refresh=slow_vault) as client:
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):  # cancelled inside the vault write
                    await client.request("GET", "/api/a")
            await client.request("GET", "/api/b")
            await asyncio.sleep(0.35)
            memory = client.token_manager.token
        assert memory is not None
        assert vault["refresh_token"] == memory.refresh_token == "srv-rt-1"
        assert vault["refresh_token"] in server.live_refresh


async def test_a_failing_vault_write_is_retried_until_it_persists() -> None:
    vault: dict[str, str] = {}
    failures = [OSError("vault unavailable"), OSError("vault unavailable")]

    async def flaky_vault(token: Token) -> None:
        if failures:
            raise failures.pop()
        vault["refresh_token"] = token.refresh_token or ""

    async with token_server() as server:
        await started(server)
        async with client_of(server, on_token_refresh=flaky_vault) as client:
            assert await client.request("GET", "/api/a") == {"path": "/api/a"}
        assert vault == {"refresh_token": "srv-rt-1"}


async def test_a_vault_that_stays_down_fails_calls_loudly_and_is_retried_later() -> None:
    vault: dict[str, str] = {}
    down = True

    async def vault_write(token: Token) -> None:
        if down:
            raise OSError("vault unavailable")
        vault["refresh_token"] = token.refresh_token or ""

    async with token_server() as server:
        await started(server)
        async with client_of(server, on_token_refresh=vault_write) as client:
            with pytest.raises(TokenPersistenceError) as info:
                await client.request("GET", "/api/a")
            assert isinstance(info.value.__cause__, OSError)
            # Memory holds the live token all along; the store is not silently left behind.
            assert client.token_manager.token is not None
            assert client.token_manager.token.refresh_token == "srv-rt-1"
            down = False
            assert await client.request("GET", "/api/b") == {"path": "/api/b"}
        assert vault == {"refresh_token": "srv-rt-1"}
        assert len(server.forms) == 1  # persisting again did not refresh again


# -- 4: the token endpoint retried, single-flight -------------------------------------------------


@pytest.mark.parametrize("fault", [500, 502, 503, 504, "drop"])
async def test_token_endpoint_faults_are_retried_once_for_all_callers(fault: Any) -> None:
    async with token_server(script=[fault, fault, fault]) as server:
        await started(server)
        async with client_of(server) as client:
            results = await asyncio.gather(*(client.request("GET", "/api/x") for _ in range(100)))
        assert len(results) == 100
        # One retried refresh shared by all 100 callers: three faults, then the answer.
        assert len(server.forms) == 4
        assert server.invalid_grants == 0


async def test_a_429_from_the_token_endpoint_waits_and_retries() -> None:
    async with token_server(script=[429]) as server:
        await started(server)
        async with client_of(server) as client:
            assert await client.request("GET", "/api/x") == {"path": "/api/x"}
        assert len(server.forms) == 2


async def test_token_endpoint_faults_past_the_retry_budget_fail_every_caller_once() -> None:
    async with token_server(script=[503] * 10) as server:
        await started(server)
        async with client_of(server, retry=RetryPolicy(
                max_attempts=3, backoff_base=0.01, backoff_max=0.02)) as client:
            results = await asyncio.gather(*(client.request("GET", "/api/x") for _ in range(50)),
                                           return_exceptions=True)
        assert all(isinstance(r, AuthenticationError) and r.status == 503 for r in results)
        assert len(server.forms) == 3


async def test_invalid_grant_is_not_retried() -> None:
    async with token_server() as server:  # rt-0 never issued: refused at once
        async with client_of(server) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.request("GET", "/api/x")
        assert info.value.status == 400
        assert info.value.code == "108"
        assert len(server.forms) == 1


async def test_an_answer_lost_after_rotation_falls_back_to_the_original_grant() -> None:
    # The refresh is processed (rt-1 spent), then the connection dies: the retry's refresh
    # token is refused, and the password grant, still valid, gets a new token.
    async with token_server() as server:
        grant = PasswordGrant("cid", "cs-SECRET-1", "user@example.com", "pw-SECRET-1")
        async with client_of(server, grant=grant) as client:
            await client.request("GET", "/api/a")
            server.expire_access_tokens()
            server.script = ["drop-after"]
            assert await client.request("GET", "/api/b") == {"path": "/api/b"}
        assert [f["grant_type"] for f in server.forms] == [
            "password", "refresh_token", "refresh_token", "password"]


async def test_a_truncated_token_answer_is_asked_again() -> None:
    async with token_server(script=[("body", b'{"access_token": "srv-at')]) as server:
        await started(server)
        async with client_of(server, grant=PasswordGrant(
                "cid", "cs", "user@example.com", "pw")) as client:
            assert await client.request("GET", "/api/x") == {"path": "/api/x"}
        assert len(server.forms) == 2


async def test_an_unreachable_token_endpoint_is_retried_then_raises() -> None:
    async with token_server() as server:
        dead = server.base  # the port closes when the block ends
    client = ConcurClient(auth=RefreshTokenGrant("cid", "cs", "rt-0"), base_url=dead,
                          retry=FAST)
    async with client:
        with pytest.raises(TransportError):
            await client.request("GET", "/api/x")


# -- 6: lifetimes below the floor ---------------------------------------------------------------


@pytest.mark.parametrize("expires_in", ["0", 0, -5, "-1", "NaN", "nan", "garbage", "inf", "",
                                        10, True])
async def test_unusable_lifetimes_keep_single_flight(expires_in: Any) -> None:
    async with token_server(expires_in=expires_in) as server:
        await started(server)
        async with client_of(server) as client:
            results = await asyncio.gather(*(client.request("GET", "/api/x") for _ in range(500)))
            assert len(results) == 500
            assert len(server.forms) == 1  # used until its first 401, not "already expired"
            token = client.token_manager.token
            assert token is not None
            assert token.short_lived
            assert token.expires_at == math.inf
            server.expire_access_tokens()
            again = await asyncio.gather(*(client.request("GET", "/api/y") for _ in range(500)))
            assert len(again) == 500
        assert len(server.forms) == 2  # the 401s of 500 calls: one refresh


# -- 10 and code 16: where a geolocation may take the token ---------------------------------------


async def test_a_concur_client_refuses_a_loopback_geolocation_before_sending_anything() -> None:
    async with token_server() as elsewhere, token_server() as server:
        server.geolocation = elsewhere.base  # plain HTTP to a local port
        await started(server)
        client = ConcurClient(auth=RefreshTokenGrant("cid", "cs", "rt-0"),
                              base_url="https://us.api.concursolutions.com",
                              token_url=server.token_url, retry=FAST)
        async with client:
            with pytest.raises(AuthenticationError, match="untrusted geolocation"):
                await client.request("GET", "/api/x")
            assert client.api_base_url == "https://us.api.concursolutions.com"
        assert elsewhere.api_calls == []
        assert elsewhere.forms == []


async def test_a_loopback_client_follows_a_loopback_geolocation() -> None:
    async with token_server(prefix="away") as away, token_server() as home:
        home.geolocation = away.geolocation = away.base
        # One identity, two data centres: each accepts the tokens the other issued.
        away.live_access, away.live_refresh = home.live_access, home.live_refresh
        await started(home)
        async with client_of(home) as client:
            await client.request("GET", "/api/x")
            assert client.api_base_url == away.base
        assert [p for p, _ in away.api_calls] == ["/api/x"]


async def test_code_16_user_lives_elsewhere_asks_again_once_at_that_data_centre() -> None:
    async with token_server(prefix="emea") as emea, token_server() as us:
        emea.geolocation = emea.base
        us.script = [("elsewhere", emea.base)]
        grant = PasswordGrant("cid", "cs-SECRET-1", "user@example.com", "pw-SECRET-1")
        async with client_of(us, grant=grant) as client:
            assert await client.request("GET", "/api/x") == {"path": "/api/x"}
            assert client.api_base_url == emea.base
        assert [f["grant_type"] for f in us.forms] == ["password"]
        assert [f["grant_type"] for f in emea.forms] == ["password"]
        assert emea.api_calls == [("/api/x", "Bearer emea-at-1")]
        assert us.api_calls == []


async def test_code_16_is_followed_once_only() -> None:
    async with token_server(prefix="emea") as emea, token_server() as us:
        emea.script = [("elsewhere", us.base)]
        us.script = [("elsewhere", emea.base)]
        async with client_of(us, grant=PasswordGrant("cid", "cs", "u", "pw")) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.request("GET", "/api/x")
        assert info.value.code == "16"
        assert len(us.forms) == 1
        assert len(emea.forms) == 1


async def test_code_16_naming_an_untrusted_host_is_not_followed() -> None:
    async with token_server() as server:
        server.script = [("elsewhere", "https://evil.example.com")]
        async with client_of(server, grant=PasswordGrant("cid", "cs", "u", "pw")) as client:
            with pytest.raises(AuthenticationError) as info:
                await client.request("GET", "/api/x")
        assert info.value.code == "16"
        assert len(server.forms) == 1


# -- issue 13: every documented field, handed to on_token_refresh ---------------------------------


async def test_token_exposes_every_documented_field_and_masks_the_secret_ones() -> None:
    seen: list[Token] = []

    async def persist(token: Token) -> None:
        seen.append(token)

    extra = {"scope": "app-scopes", "token_type": "Bearer", "id_token": "idt-SECRET-jwt",
             "refresh_expires_in": 1_900_000_000}
    async with token_server(extra=extra) as server:
        server.geolocation = server.base
        await started(server)
        async with client_of(server, on_token_refresh=persist) as client:
            await client.request("GET", "/api/x")
    (token,) = seen
    assert (token.scope, token.token_type, token.id_token) == ("app-scopes", "Bearer",
                                                               "idt-SECRET-jwt")
    assert token.geolocation == server.base
    assert token.expires_in == "3600"
    assert token.refresh_expires_in == 1_900_000_000
    assert token.refresh_expires_at is not None
    assert token.refresh_expires_at.timestamp() == 1_900_000_000
    assert (token.access_token, token.refresh_token) == ("srv-at-1", "srv-rt-1")
    for text in (repr(token), str(token)):
        assert "SECRET" not in text
        assert "srv-at" not in text
        assert "srv-rt" not in text
    record = token.to_record()
    again = Token.from_record(record)
    assert again.to_record()["refresh_expires_at"] == record["refresh_expires_at"]
    assert (again.access_token, again.refresh_token, again.geolocation) == (
        "srv-at-1", "srv-rt-1", server.base)
    assert abs(again.expires_at - token.expires_at) < 1.0
