"""The token endpoint: grants, refresh-token rotation, expiry, credentials, geolocation."""

from __future__ import annotations

import asyncio

import aiohttp
from localconcur_helpers import bearer, grant

from concur_async.testing import LocalConcur

VENDORS = "/api/v3.0/invoice/vendors"
PASSWORD = {"grant_type": "password", "username": "pat@example.com", "password": "pw",
            "credtype": "password"}


async def test_client_credentials_answer_has_concur_shape(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    status, answer = await grant(session, concur)
    assert status == 200
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] == "3600"  # a string, as Concur sends it
    assert answer["geolocation"] == concur.base_url
    assert answer["id_token"].count(".") == 2
    assert "refresh_token" not in answer
    assert concur.stats.token_requests == 1


async def test_password_grant_and_refresh_rotation(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    status, first = await grant(session, concur, **PASSWORD)
    assert status == 200
    assert isinstance(first["refresh_expires_in"], int)
    status, second = await grant(session, concur, grant_type="refresh_token",
                                 refresh_token=first["refresh_token"])
    assert status == 200
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    # The old refresh token was rotated away; the new one works once.
    status, refused = await grant(session, concur, grant_type="refresh_token",
                                  refresh_token=first["refresh_token"])
    assert status == 400
    assert refused == {"error": "invalid_grant", "error_description": refused["error_description"],
                       "code": 108}
    status, _ = await grant(session, concur, grant_type="refresh_token",
                            refresh_token=second["refresh_token"])
    assert status == 200
    assert concur.tokens.refreshed == 2
    assert concur.stats.token_requests == 4


async def test_authtoken_credtype_and_bad_credtype(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    status, _ = await grant(session, concur, **{**PASSWORD, "credtype": "authtoken"})
    assert status == 200
    status, answer = await grant(session, concur, **{**PASSWORD, "credtype": "magic"})
    assert (status, answer["error"], answer["code"]) == (400, "invalid_request", 100)


async def test_expired_token_is_refused_with_v3_error(session: aiohttp.ClientSession) -> None:
    async with LocalConcur(token_lifetime=0.2) as concur:
        headers = await bearer(session, concur)
        async with session.get(concur.base_url + VENDORS, headers=headers) as resp:
            assert resp.status == 200
        await asyncio.sleep(0.3)
        async with session.get(concur.base_url + VENDORS, headers=headers) as resp:
            assert resp.status == 401
            body = await resp.json()
            assert body["Error"]["Message"] == "The access token has expired."
            assert body["Error"]["Id"] == resp.headers["concur-correlationid"]


async def test_expire_access_tokens_on_demand(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    concur.tokens.expire_access_tokens()
    async with session.get(concur.base_url + VENDORS, headers=headers) as resp:
        assert resp.status == 401
    assert concur.tokens.active == 0


async def test_missing_and_unknown_tokens_are_401_on_every_family(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    paths = [VENDORS, "/budget/v4/budgetCategory", "/travelrequest/v4/requests",
             "/invoice/provider-payment/v4/payments"]
    for path in paths:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
            async with session.get(concur.base_url + path, headers=headers) as resp:
                assert resp.status == 401, (path, headers)
                error = (await resp.json())["Error"]  # the gateway's v3 shape, on every family
                assert error["Id"] == resp.headers["concur-correlationid"]


async def test_required_client_credentials_and_users(session: aiohttp.ClientSession) -> None:
    async with LocalConcur(client_id="app", client_secret="s3cret",
                           users={"pat@example.com": "pw"}) as concur:
        status, answer = await grant(session, concur, client_id="app", client_secret="wrong")
        assert (status, answer["error"], answer["code"]) == (401, "invalid_client", 105)
        status, _ = await grant(session, concur, client_id="app", client_secret="s3cret")
        assert status == 200
        wrong_password = {**PASSWORD, "password": "nope"}
        status, answer = await grant(session, concur, client_id="app", client_secret="s3cret",
                                     **wrong_password)
        assert (status, answer["error"]) == (401, "invalid_grant")
        status, _ = await grant(session, concur, client_id="app", client_secret="s3cret",
                                **PASSWORD)
        assert status == 200


async def test_unsupported_grant_and_missing_fields(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    status, answer = await grant(session, concur, grant_type="implicit")
    assert (status, answer["error"], answer["code"]) == (400, "unsupported_grant_type", 101)
    status, answer = await grant(session, concur, grant_type="password", username="x")
    assert (status, answer["error"]) == (400, "invalid_request")
    status, answer = await grant(session, concur, client_id="")
    assert (status, answer["error"]) == (401, "invalid_client")


async def test_geolocation_names_a_second_server_sharing_tokens(
    session: aiohttp.ClientSession,
) -> None:
    async with LocalConcur() as home, LocalConcur(tokens=home.tokens) as away:
        home.geolocation = away.base_url
        status, answer = await grant(session, home, **PASSWORD)
        assert answer["geolocation"] == away.base_url
        headers = {"Authorization": f"Bearer {answer['access_token']}"}
        async with session.get(away.base_url + VENDORS, headers=headers) as resp:
            assert resp.status == 200
        # The refresh goes to the new data centre and rotates there.
        status, _ = await grant(session, away, grant_type="refresh_token",
                                refresh_token=answer["refresh_token"])
        assert status == 200
        assert (home.stats.token_requests, away.stats.token_requests) == (1, 1)


async def test_a_refresh_token_never_seen_starts_a_grant_and_is_then_spent(
    concur: LocalConcur, session: aiohttp.ClientSession
) -> None:
    # As documented: a made-up refresh token works (taken as issued before the server began).
    status, first = await grant(session, concur, grant_type="refresh_token",
                                refresh_token="anything")
    assert status == 200
    assert first["refresh_token"] != "anything"
    async with session.get(concur.base_url + VENDORS,
                           headers={"Authorization": f"Bearer {first['access_token']}"}) as r:
        assert r.status == 200
    # Once rotated away it is refused, as Concur refuses a spent refresh token.
    status, refused = await grant(session, concur, grant_type="refresh_token",
                                  refresh_token="anything")
    assert (status, refused["error"], refused["code"]) == (400, "invalid_grant", 108)
    status, _ = await grant(session, concur, grant_type="refresh_token",
                            refresh_token=first["refresh_token"])
    assert status == 200


async def test_revoked_and_expired_refresh_tokens_stay_refused(
    session: aiohttp.ClientSession,
) -> None:
    async with LocalConcur(refresh_token_lifetime=0.2) as concur:
        _, answer = await grant(session, concur, **PASSWORD)
        concur.tokens.revoke_refresh_tokens()
        status, refused = await grant(session, concur, grant_type="refresh_token",
                                      refresh_token=answer["refresh_token"])
        assert (status, refused["error"]) == (400, "invalid_grant")
        _, answer = await grant(session, concur, **PASSWORD)
        await asyncio.sleep(0.3)
        status, refused = await grant(session, concur, grant_type="refresh_token",
                                      refresh_token=answer["refresh_token"])
        assert (status, refused["error"]) == (400, "invalid_grant")
        # Another client id cannot spend a token issued to the first.
        concur.tokens.refresh_lifetime = 3600
        _, answer = await grant(session, concur, **PASSWORD)
        status, _ = await grant(session, concur, client_id="someone-else",
                                grant_type="refresh_token",
                                refresh_token=answer["refresh_token"])
        assert status == 400
        status, _ = await grant(session, concur, grant_type="refresh_token",
                                refresh_token=answer["refresh_token"])
        assert status == 200
        # Strictness on demand: unknown refresh tokens refused too.
        concur.tokens.accept_unknown_refresh_tokens = False
        status, _ = await grant(session, concur, grant_type="refresh_token",
                                refresh_token="made-up")
        assert status == 400
