"""Secrets stay secret: reprs, exceptions, tracebacks and DEBUG logs; tokens stay on their origin.

Every secret the mocked Concur hands out or is handed (client secret, password, access and
refresh tokens, a secret in a query string) contains the marker ``SECRET``, so one search for
the marker covers them all.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

import aiohttp
import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    ClientCredentialsGrant,
    ConcurClient,
    ConcurError,
    ConfigurationError,
    PasswordGrant,
    RefreshTokenGrant,
    RetryPolicy,
    StaticToken,
    Token,
    UntrustedURLError,
    ValidationError,
)
from concur_async._auth import TokenManager

if TYPE_CHECKING:
    from conftest import FakeClock, MockConcur

MARK = "SECRET"
EVIL = "https://evil.example.com"
USERS = "/api/v3.0/common/users"


def every_text_of(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), *map(str, error.args),
         *traceback.format_exception(error)]
    )


def test_grant_token_and_manager_reprs_hide_secrets(concur: MockConcur) -> None:
    grants = [
        PasswordGrant(concur.client_id, concur.client_secret, concur.username, concur.password),
        PasswordGrant(concur.client_id, concur.client_secret, concur.username,
                      "authtoken-SECRET", credtype="authtoken"),
        RefreshTokenGrant(concur.client_id, concur.client_secret, "rt-SECRET-x"),
        ClientCredentialsGrant(concur.client_id, concur.client_secret),
        StaticToken("st-SECRET-x"),
    ]
    token = Token(access_token="at-SECRET-x", expires_at=1e9, refresh_token="rt-SECRET-y",
                  geolocation="https://us2.api.concursolutions.com")
    texts = [repr(g) for g in grants] + [str(g) for g in grants] + [repr(token), str(token)]
    texts += [repr(TokenManager(g, token_url=concur.token_url)) for g in grants]
    for text in texts:
        assert MARK not in text, text
    assert concur.client_id in repr(grants[0])  # still useful: says which client
    assert concur.username in repr(grants[0])
    assert "us2.api.concursolutions.com" in repr(token)


async def test_client_repr_hides_secrets_before_and_after_a_token(concur: MockConcur) -> None:
    concur.route("GET", USERS)
    grant = PasswordGrant(concur.client_id, concur.client_secret, concur.username,
                          concur.password)
    client = concur.client(auth=grant)
    assert MARK not in repr(client)
    async with client:
        await client.request("GET", USERS)
        assert client.token_manager.token is not None
        assert MARK not in repr(client)
        assert MARK not in repr(client.token_manager)
        assert MARK not in repr(client.token_manager.token)
    assert MARK not in repr(client)


async def test_no_secret_in_debug_logs_exceptions_or_tracebacks(
    concur: MockConcur, auth_clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, aiohttp's included
    concur.route(
        "GET", USERS,
        concur.reply(status=401), concur.reply(status=503), concur.reply({}),
        concur.reply({"Error": {"Message": "busy"}}, status=429, headers={"Retry-After": "0"}),
    )
    concur.route("GET", "/refused", aiohttp.ClientConnectionError("connection reset"))
    concur.route("GET", "/garbled", concur.reply(body=b'{"ID": 1}'))
    grant = PasswordGrant(concur.client_id, concur.client_secret, concur.username,
                          concur.password)
    query_secret = {"access_token": "q-SECRET-query"}
    errors: list[BaseException] = []
    async with concur.client(auth=grant) as client:
        await client.request("GET", USERS, params=query_secret)  # 401, refresh, 503, retry
        for path in (USERS, "/refused", EVIL + "/steal", "/garbled"):
            inline = f"{path}?sig=q-{MARK}-inline"  # a secret in the URL itself, too
            try:
                await client.request("GET", inline, params=query_secret, response_type=Token)
            except ConcurError as exc:
                errors.append(exc)
        auth_clock.advance(3601)
        concur.token_reply = concur.reply(
            {"error": "invalid_grant", "error_description": "Refresh token expired", "code": 108},
            status=400,
        )
        try:
            await client.request("GET", USERS, params=query_secret)
        except ConcurError as exc:
            errors.append(exc)
        client_text = repr(client)
    assert [type(e).__name__ for e in errors] == [
        "RateLimitError", "TransportError", "UntrustedURLError", "DecodeError",
        "AuthenticationError",
    ]
    assert concur.issued == 2  # a password grant, then a refresh-token grant, both logged
    for error in errors:
        text = every_text_of(error)
        assert MARK not in text, text
    assert caplog.records, "the scenario logs at DEBUG"
    assert any("refreshing the token" in r.getMessage() for r in caplog.records)
    assert any(r.getMessage().startswith("retrying") for r in caplog.records)
    for record in caplog.records:
        assert MARK not in record.getMessage(), record.getMessage()
    assert MARK not in caplog.text
    assert MARK not in client_text


@pytest.mark.parametrize(
    "url",
    [
        "http://us.api.concursolutions.com",
        "http://example.com",
        "http://10.0.0.5:8080",
        "http://127.0.0.1.nip.io",
    ],
)
@pytest.mark.parametrize("which", ["base_url", "token_url"])
def test_plain_http_to_a_remote_host_is_refused(url: str, which: str) -> None:
    with pytest.raises(ConfigurationError, match="https"):
        ConcurClient(auth=StaticToken("x"), **{which: url})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:9", "http://[::1]:80", "http://127.0.0.2",
     "https://us.api.concursolutions.com", "https://concur.example.com"],
)
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert ConcurClient(auth=StaticToken("x"), base_url=url).base_url == url


@pytest.mark.parametrize(
    "url", ["https://user:pw@us.api.concursolutions.com", "https://h.example.com/?key=SECRET"]
)
def test_urls_with_credentials_or_query_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ConcurClient(auth=StaticToken("x"), base_url=url)
    assert MARK not in str(info.value)
    assert "pw@" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        EVIL + "/api/v3.0/common/users",
        "http://us2.api.concursolutions.com/api/v3.0/common/users",  # right host, plain HTTP
        "https://concursolutions.com.evil.example.com/x",
        "https://evilconcursolutions.com/x",
        "http://127.0.0.1:8991/x",  # same host, another port: another origin
    ],
)
async def test_token_never_sent_to_a_foreign_absolute_url(concur: MockConcur, url: str) -> None:
    target = f"{url}?token=q-{MARK}-1"
    async with concur.client() as client:
        with pytest.raises((UntrustedURLError, ValidationError)) as info:
            await client.request("GET", target)
    assert concur.requests_sent == 0  # not the call, and not even a token request
    assert MARK not in every_text_of(info.value)


async def test_token_sent_to_concur_hosts_over_https(concur: MockConcur) -> None:
    other = concur.route("GET", USERS, base="https://www.concursolutions.com")
    async with concur.client() as client:
        await client.request("GET", "https://www.concursolutions.com" + USERS)
    assert other.hits[0].authorization == f"Bearer {concur.access_token(1)}"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirect_to_a_foreign_host_is_refused_and_sends_it_nothing(
    concur: MockConcur, status: int
) -> None:
    concur.route("GET", USERS, concur.reply(status=status, headers={"Location": EVIL + "/steal"}))
    evil = concur.route("GET", "/steal", concur.reply({"stolen": False}), base=EVIL)
    async with concur.client() as client:
        with pytest.raises(UntrustedURLError, match="redirect") as info:
            await client.request("GET", USERS)
    assert evil.hits == []  # neither the token nor the call itself went to the other origin
    assert info.value.url == EVIL + "/steal"


async def test_redirect_from_https_to_http_on_the_same_host_is_refused(
    concur: MockConcur,
) -> None:
    secure = "https://us2.api.concursolutions.com"
    insecure = "http://us2.api.concursolutions.com"
    concur.route(
        "GET", USERS, concur.reply(status=302, headers={"Location": insecure + "/plain"}),
        base=secure,
    )
    plain = concur.route("GET", "/plain", base=insecure)
    async with concur.client() as client:
        with pytest.raises(UntrustedURLError, match="another origin"):
            await client.request("GET", secure + USERS)
    assert plain.hits == []


async def test_redirect_loop_is_cut_short(concur: MockConcur) -> None:
    loop = concur.route("GET", "/loop", concur.reply(status=302, headers={"Location": "/loop"}))
    async with concur.client(retry=RetryPolicy(max_attempts=1)) as client:
        with pytest.raises(ConcurError, match="too many redirects"):
            await client.request("GET", "/loop")
    assert len(loop.hits) == 6


# -- a server that echoes what it was sent, in headers and bodies ------------------------------


@pytest.mark.parametrize("status", [200, 400, 429, 503])
async def test_a_secret_echoed_in_any_header_or_body_is_scrubbed_from_errors_and_logs(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    secret, token = "cs-SECRET-echo-1", "at-SECRET-echo-2"

    async def echo(request: web.Request) -> web.Response:
        if request.path == "/oauth2/v0/token":
            return web.json_response({"access_token": token, "expires_in": 3600})
        sent = request.headers["Authorization"]
        body = {"Error": {"Message": f"denied for {sent} (client {secret})", "Id": sent}}
        return web.json_response(body, status=status, headers={
            "concur-correlationid": sent, "Retry-After": "0",  # a careless gateway's echo
        })

    caplog.set_level(logging.DEBUG)
    async with loopback_server(echo) as base, ConcurClient(
        auth=ClientCredentialsGrant("id", secret), base_url=base,
        retry=RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.001),
    ) as client:
        with pytest.raises(ConcurError) as info:
            await client.request("GET", USERS)
    text = every_text_of(info.value)
    assert token not in text
    assert secret not in text
    assert "***" in text  # the rest of the message is kept
    assert getattr(info.value, "correlation_id", None) == "Bearer ***"
    for record in caplog.records:
        assert token not in record.getMessage(), record.getMessage()
    assert token not in caplog.text
    assert secret not in caplog.text
