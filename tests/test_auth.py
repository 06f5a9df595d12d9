"""OAuth2: single-flight refresh, proactive refresh, 401 handling, geolocation, rotation."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiohttp
import pytest

from concur_async import (
    AuthenticationError,
    PasswordGrant,
    RefreshTokenGrant,
    StaticToken,
    Token,
    TransportError,
)

if TYPE_CHECKING:
    from conftest import FakeClock, MockConcur

USERS = "/api/v3.0/common/users"
GEO = "https://us2.api.concursolutions.com"


def bearer(token: str) -> str:
    return f"Bearer {token}"


@pytest.mark.parametrize("state", ["absent", "expired"])
async def test_single_flight_refresh_under_1000_concurrent_calls(
    concur: MockConcur, auth_clock: FakeClock, state: str
) -> None:
    users = concur.route("GET", USERS)
    # The token request is slow, so the 1,000 callers all arrive while it is in flight.
    concur.token_latency = 0.05
    async with concur.client(max_concurrency=64) as client:
        if state == "expired":
            await client.request("GET", USERS)
            auth_clock.advance(3601)
        before = concur.token_requests
        results = await asyncio.gather(*(client.request("GET", USERS) for _ in range(1000)))
    assert concur.token_requests == before + 1
    assert len(results) == 1000
    new_token = concur.access_token(concur.issued)
    recent = users.hits[-1000:]
    assert len(recent) == 1000
    assert {hit.authorization for hit in recent} == {bearer(new_token)}


async def test_failed_refresh_under_concurrent_calls_is_one_request(concur: MockConcur) -> None:
    concur.route("GET", USERS)
    concur.token_latency = 0.02
    concur.token_reply = concur.reply(
        {"error": "invalid_grant", "error_description": "bad", "code": 108}, status=400
    )
    async with concur.client() as client:
        results = await asyncio.gather(
            *(client.request("GET", USERS) for _ in range(200)), return_exceptions=True
        )
    assert all(isinstance(r, AuthenticationError) for r in results)
    # Every caller shares the one failed answer: no storm of doomed token requests.
    assert concur.token_requests == 1


@pytest.mark.parametrize("expires_in", ["1800", 1800, 1800.0])
async def test_token_refreshed_before_expiry_whatever_type_expires_in_has(
    concur: MockConcur, auth_clock: FakeClock, expires_in: object
) -> None:
    users = concur.route("GET", USERS)
    concur.expires_in = expires_in
    async with concur.client() as client:
        await client.request("GET", USERS)
        auth_clock.advance(1700)  # still well inside the lifetime: the token is reused
        await client.request("GET", USERS)
        assert concur.token_requests == 1
        auth_clock.advance(45)  # inside the last minute, yet not expired: refreshed ahead
        await client.request("GET", USERS)
    assert concur.token_requests == 2
    assert [h.authorization for h in users.hits] == [
        bearer(concur.access_token(1)),
        bearer(concur.access_token(1)),
        bearer(concur.access_token(2)),
    ]


async def test_short_lived_token_refreshed_before_it_expires(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    users = concur.route("GET", USERS)
    concur.expires_in = "40"  # short, yet above the 30 s floor: planned around
    async with concur.client() as client:
        await client.request("GET", USERS)
        auth_clock.advance(35.5)
        await client.request("GET", USERS)  # still fresh
        auth_clock.advance(1.0)  # 36.5 s of 40: within the last tenth of its life
        await client.request("GET", USERS)
    assert [h.authorization for h in users.hits] == [
        bearer(concur.access_token(1)),
        bearer(concur.access_token(1)),
        bearer(concur.access_token(2)),
    ]


async def test_401_refreshes_once_and_retries_once(concur: MockConcur) -> None:
    users = concur.route(
        "GET", USERS, concur.reply({"Error": {"Message": "expired"}}, status=401),
        concur.reply({"ok": True}),
    )
    async with concur.client() as client:
        assert await client.request("GET", USERS) == {"ok": True}
    assert concur.token_requests == 2
    assert [h.authorization for h in users.hits] == [
        bearer(concur.access_token(1)),
        bearer(concur.access_token(2)),
    ]


async def test_second_401_raises_instead_of_looping(concur: MockConcur) -> None:
    users = concur.route(
        "GET", USERS, concur.reply({"Error": {"Message": "no access", "Id": "X1"}}, status=401)
    )
    async with concur.client() as client:
        with pytest.raises(AuthenticationError) as info:
            await client.request("GET", USERS)
    assert len(users.hits) == 2
    assert concur.token_requests == 2
    assert info.value.status == 401
    assert info.value.message == "no access"


async def test_static_token_401_raises_at_once(concur: MockConcur) -> None:
    users = concur.route("GET", USERS, concur.reply({}, status=401))
    async with concur.client(auth=StaticToken("st-SECRET-0001")) as client:
        with pytest.raises(AuthenticationError):
            await client.request("GET", USERS)
    assert len(users.hits) == 1
    assert users.hits[0].authorization == bearer("st-SECRET-0001")
    assert concur.token_requests == 0


async def test_geolocation_moves_api_calls_and_later_refreshes(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    local = concur.route("GET", USERS)
    remote = concur.route("GET", USERS, base=GEO)
    concur.geolocation = GEO
    async with concur.client() as client:
        assert client.api_base_url == concur.base
        await client.request("GET", USERS)
        assert client.api_base_url == GEO
        auth_clock.advance(3601)
        await client.request("GET", USERS)
    assert local.hits == []
    assert [h.authorization for h in remote.hits] == [
        bearer(concur.access_token(1)),
        bearer(concur.access_token(2)),
    ]
    assert [str(h.url) for h in concur.token_hits] == [
        concur.token_url,
        GEO + "/oauth2/v0/token",
    ]


async def test_first_grant_uses_token_url_and_later_calls_the_geolocation(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    glz = "https://glz.api.concursolutions.com/oauth2/v0/token"
    remote = concur.route("GET", USERS, base=GEO)
    concur.geolocation = GEO
    grant = PasswordGrant(
        concur.client_id, concur.client_secret, concur.username, "company-request-token",
        credtype="authtoken",
    )
    async with concur.client(auth=grant, token_url=glz) as client:
        await client.request("GET", USERS)
        auth_clock.advance(3601)
        await client.request("GET", USERS)
    assert [str(h.url) for h in concur.token_hits] == [glz, GEO + "/oauth2/v0/token"]
    assert concur.token_hits[0].data["credtype"] == "authtoken"
    assert len(remote.hits) == 2


async def test_rotated_refresh_token_kept_and_handed_to_callback(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    concur.route("GET", USERS)
    seen: list[Token] = []

    async def persist(token: Token) -> None:
        seen.append(token)

    grant = RefreshTokenGrant(concur.client_id, concur.client_secret, "rt-SECRET-original")
    async with concur.client(auth=grant, on_token_refresh=persist) as client:
        for _ in range(3):
            await client.request("GET", USERS)
            auth_clock.advance(3601)
    sent = [h.data["refresh_token"] for h in concur.token_hits]
    # Each refresh spends the refresh token the previous answer rotated in.
    assert sent == ["rt-SECRET-original", concur.refresh_token(1), concur.refresh_token(2)]
    assert {h.data["grant_type"] for h in concur.token_hits} == {"refresh_token"}
    assert [t.refresh_token for t in seen] == [concur.refresh_token(n) for n in (1, 2, 3)]
    assert [t.access_token for t in seen] == [concur.access_token(n) for n in (1, 2, 3)]


async def test_refresh_token_kept_when_an_answer_does_not_rotate_it(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    concur.route("GET", USERS)
    concur.rotate_refresh_token = False
    async with concur.client() as client:
        for _ in range(3):
            await client.request("GET", USERS)
            auth_clock.advance(3601)
    assert [h.data.get("refresh_token") for h in concur.token_hits] == [
        None, concur.refresh_token(1), concur.refresh_token(1),
    ]


async def test_password_grant_is_followed_by_refresh_token_grants(
    concur: MockConcur, auth_clock: FakeClock
) -> None:
    concur.route("GET", USERS)
    grant = PasswordGrant(concur.client_id, concur.client_secret, concur.username,
                          concur.password)
    async with concur.client(auth=grant) as client:
        for _ in range(3):
            await client.request("GET", USERS)
            auth_clock.advance(3601)
    first, second, third = (h.data for h in concur.token_hits)
    assert first == {
        "grant_type": "password",
        "client_id": concur.client_id,
        "client_secret": concur.client_secret,
        "username": concur.username,
        "password": concur.password,
        "credtype": "password",
    }
    assert second == {
        "grant_type": "refresh_token",
        "client_id": concur.client_id,
        "client_secret": concur.client_secret,
        "refresh_token": concur.refresh_token(1),
    }
    assert third["refresh_token"] == concur.refresh_token(2)
    assert "password" not in second
    assert "password" not in third


@pytest.mark.parametrize("status", [400, 401])
async def test_failed_refresh_raises_with_concurs_error_text(
    concur: MockConcur, status: int
) -> None:
    users = concur.route("GET", USERS)
    concur.token_reply = concur.reply(
        {"error": "invalid_grant", "error_description": "Refresh token is revoked", "code": 108},
        status=status,
        headers={"concur-correlationid": "corr-token"},
    )
    async with concur.client() as client:
        with pytest.raises(AuthenticationError) as info:
            await client.request("GET", USERS)
    error = info.value
    assert error.status == status
    assert error.code == "108"
    assert error.message == "Refresh token is revoked"
    assert error.method == "POST"
    assert error.url == concur.token_url
    assert error.correlation_id == "corr-token"
    assert "Refresh token is revoked" in str(error)
    assert users.hits == []


async def test_token_answer_that_is_not_a_token_raises_authentication_error(
    concur: MockConcur,
) -> None:
    concur.token_reply = concur.reply(body=b"<html>maintenance</html>", content_type="text/html")
    async with concur.client() as client:
        with pytest.raises(AuthenticationError, match="not understood"):
            await client.request("GET", USERS)


async def test_unreachable_token_endpoint_raises_transport_error(concur: MockConcur) -> None:
    concur.token_reply = aiohttp.ClientConnectionError("connection refused")
    async with concur.client() as client:
        with pytest.raises(TransportError) as info:
            await client.request("GET", USERS)
    assert info.value.url == concur.token_url


async def test_fresh_token_is_reused(concur: MockConcur) -> None:
    users = concur.route("GET", USERS)
    async with concur.client() as client:
        await asyncio.gather(*(client.request("GET", USERS) for _ in range(10)))
        await asyncio.gather(*(client.request("GET", USERS) for _ in range(10)))
        assert client.stats.token_refreshes == 1
    assert concur.token_requests == 1
    assert len(users.hits) == 20
