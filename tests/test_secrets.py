"""Secrets and origin over real sockets: where the token goes, and where secrets never show up.

``test_redaction.py`` checks the same promises against a mocked aiohttp; here they hold on
127.0.0.1 with LocalConcur and a second aiohttp server (another port, so another origin) that
records every header it is sent:

- redirects to another origin, and a ``NextPage`` naming another origin, never carry the
  ``Authorization`` header (a foreign ``NextPage`` is refused before anything is sent);
- a token answer's ``geolocation`` outside Concur's domain is refused before any token goes
  there; loopback and the client's own origin are accepted (LocalConcur names its own);
- for every grant type and every failure path (a refused token request, a 401, a 500, a cut
  connection, a body that does not decode, a server echoing what it was sent), no client
  secret, password, access or refresh token appears in DEBUG logs, reprs, exception messages
  or formatted tracebacks.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import (
    AuthenticationError,
    BadRequestError,
    ClientCredentialsGrant,
    ConcurClient,
    ConcurError,
    ConfigurationError,
    PasswordGrant,
    RefreshTokenGrant,
    ResponseTooLargeError,
    RetryPolicy,
    StaticToken,
    Token,
    UntrustedURLError,
)
from concur_async.testing import TOKEN_PATH, LocalConcur

FAST = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.002,
                   default_retry_after=0.001)
VENDORS = "/api/v3.1/invoice/vendors"


@dataclass
class Recorder:
    """An aiohttp server on its own port that records what it is sent."""

    base: str = ""
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    routes: dict[str, Callable[[web.Request], web.StreamResponse]] = field(default_factory=dict)

    def authorizations(self) -> list[str | None]:
        return [headers.get("Authorization") for _, _, headers in self.seen]


@pytest.fixture
async def recorder() -> AsyncIterator[Recorder]:
    server = Recorder()

    async def record(request: web.Request) -> web.StreamResponse:
        server.seen.append((request.method, request.path, dict(request.headers)))
        route = server.routes.get(request.path)
        if route is not None:
            return route(request)
        return web.json_response({"Vendor": [], "NextPage": None})

    async with loopback_server(record) as server.base:
        yield server


# -- where the token goes -------------------------------------------------------------------------


@pytest.fixture
async def origin(recorder: Recorder) -> AsyncIterator[Recorder]:
    """The client's own origin: a token endpoint and API paths that point elsewhere.

    It shares the recorder's bookkeeping but listens on a port of its own, so redirects from
    it to the recorder cross origins (same host, another port).
    """
    home = Recorder()
    token = "at-SECRET-origin"

    async def handle(request: web.Request) -> web.StreamResponse:
        home.seen.append((request.method, request.path, dict(request.headers)))
        if request.path == TOKEN_PATH:
            form = await request.post()
            if form.get("client_id") == "echo":  # a careless server repeating what it got
                return web.json_response({"error": "invalid_client", "error_description":
                                          f"rejected {dict(form)!r}"}, status=401)
            return web.json_response({"access_token": token, "expires_in": "3600"})
        if request.headers.get("Authorization") != f"Bearer {token}":
            return web.json_response({"Error": {"Message": "no"}}, status=401)
        if request.path.startswith("/redirect/"):
            raise _redirect(int(request.path.rsplit("/", 1)[1]), f"{recorder.base}/landed")
        if request.path == "/echo":  # a careless gateway repeating the header it got
            header = request.headers["Authorization"]
            return web.json_response({"Error": {"Message": f"bad request with {header}",
                                                "Id": header}}, status=400)
        if request.path == "/same-origin":
            raise _redirect(302, "/api/v3.1/invoice/vendors")
        if request.path == VENDORS:
            next_page = request.query.get("next")
            return web.json_response({
                "Vendor": [{"VendorCode": "V1", "AddressCode": "MAIN"}],
                "NextPage": next_page or None,
            })
        return web.json_response({})

    async with loopback_server(handle) as home.base:
        yield home


def _redirect(status: int, location: str) -> web.HTTPException:
    kinds: dict[int, type[web.HTTPException]] = {
        301: web.HTTPMovedPermanently, 302: web.HTTPFound, 303: web.HTTPSeeOther,
        307: web.HTTPTemporaryRedirect, 308: web.HTTPPermanentRedirect,
    }
    return kinds[status](location=location)  # type: ignore[call-arg]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_to_another_origin_is_refused_and_carries_nothing(
    origin: Recorder, recorder: Recorder, status: int
) -> None:
    async with ConcurClient(auth=ClientCredentialsGrant("id", "cs-SECRET"),
                            base_url=origin.base) as client:
        with pytest.raises(UntrustedURLError, match="another origin") as refused:
            await client.request("GET", f"/redirect/{status}")
        await client.request("GET", "/same-origin")  # followed, and with the token
    assert recorder.seen == []  # neither the token nor the call went to the other origin
    assert "SECRET" not in "".join(traceback.format_exception(refused.value))
    same = [h for _, path, h in origin.seen if path == VENDORS]
    assert len(same) == 1
    assert same[0].get("Authorization") == "Bearer at-SECRET-origin"


async def test_a_foreign_next_page_is_refused_before_anything_is_sent(
    origin: Recorder, recorder: Recorder
) -> None:
    async with ConcurClient(auth=ClientCredentialsGrant("id", "cs-SECRET"),
                            base_url=origin.base) as client:
        foreign = f"{recorder.base}/api/v3.1/invoice/vendors?offset=2"
        paginator = client.invoice.vendors.list()
        paginator.params["next"] = foreign  # the server names another origin's page next
        pages = paginator.pages()
        first = await anext(pages)
        with pytest.raises(UntrustedURLError, match="foreign host") as refused:
            await anext(pages)
        await pages.aclose()
    assert [v.vendor_code for v in first.items] == ["V1"]  # read; the foreign page never asked
    assert recorder.seen == []
    assert "SECRET" not in "".join(traceback.format_exception(refused.value))


# -- geolocation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "geolocation",
    [
        "https://evil.example.com",
        "http://us2.api.concursolutions.com",  # Concur's host, but plain HTTP
        "https://concursolutions.com.evil.example.com",
        "https://evilconcursolutions.com",
        "https://user:pw@us2.api.concursolutions.com",
        "https://us2.api.concursolutions.com/?redirect=evil",
        "https://us2.api.concursolutions.com:99999",
        "ftp://127.0.0.1",
        "not a url",
    ],
)
async def test_an_untrusted_geolocation_is_refused_before_a_token_goes_there(
    geolocation: str,
) -> None:
    sent: list[str] = []

    async def on_start(_: Any, __: Any, params: aiohttp.TraceRequestStartParams) -> None:
        sent.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    async with LocalConcur(vendors=3, geolocation=geolocation) as concur, concur.client(
        trace_configs=[trace]
    ) as client:
        with pytest.raises(AuthenticationError, match="untrusted geolocation") as refused:
            await client.invoice.vendors.list().collect()
        assert client.api_base_url == concur.base_url  # not moved
        assert client.token_manager.token is None  # the token was not kept either
    assert sent == [concur.token_url]  # only the token request: nothing went to the host
    assert "pw@" not in str(refused.value)


async def test_a_geolocation_named_on_refresh_is_checked_too() -> None:
    async with LocalConcur(vendors=3) as concur, concur.client() as client:
        assert len(await client.invoice.vendors.list().collect()) == 3
        concur.geolocation = "https://evil.example.com"
        concur.tokens.expire_access_tokens()
        with pytest.raises(AuthenticationError, match="untrusted geolocation"):
            await client.invoice.vendors.list().collect()
        assert client.api_base_url == concur.base_url


async def test_loopback_and_own_origin_geolocations_are_followed() -> None:
    async with LocalConcur(vendors=2) as home, LocalConcur(vendors=5, tokens=home.tokens) as away:
        home.geolocation = away.base_url  # another loopback server: a test data centre
        async with home.client() as client:
            assert len(await client.invoice.vendors.list().collect()) == 5
            assert client.api_base_url == away.base_url
        assert away.stats.count("GET", VENDORS) == 1
        assert home.stats.count("GET", VENDORS) == 0
    checks = ConcurClient(auth=StaticToken("t"), base_url="https://concur.example.com")
    accepts = checks._accepts_geolocation
    assert accepts("https://us2.api.concursolutions.com")
    assert accepts("https://concur.example.com")  # the origin it was configured with
    assert accepts("https://concur.example.com:443/")
    assert not accepts("https://concur.example.com:8443")
    assert not accepts("http://concur.example.com")


def test_non_loopback_base_url_must_be_https() -> None:
    with pytest.raises(ConfigurationError, match="https"):
        ConcurClient(auth=StaticToken("t"), base_url="http://192.168.1.10")
    with pytest.raises(ConfigurationError, match="https"):
        ConcurClient(auth=StaticToken("t"), token_url="http://auth.example.com/token")


# -- secrets never in text ------------------------------------------------------------------------

CLIENT_ID = "client-id-public"
CLIENT_SECRET = "cs-SECRET-9f8e7d"
USER = "ap.clerk@example.com"
COMPANY = "company-request@example.com"
PASSWORD = "pw-SECRET-1a2b3c"
COMPANY_TOKEN = "ct-SECRET-44dd"


def every_text(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), *map(str, error.args),
                      *traceback.format_exception(error)])


def grants(refresh_token: str) -> dict[str, Any]:
    return {
        "password": PasswordGrant(CLIENT_ID, CLIENT_SECRET, USER, PASSWORD),
        "authtoken": PasswordGrant(CLIENT_ID, CLIENT_SECRET, COMPANY, COMPANY_TOKEN,
                                   credtype="authtoken"),
        "refresh_token": RefreshTokenGrant(CLIENT_ID, CLIENT_SECRET, refresh_token),
        "client_credentials": ClientCredentialsGrant(CLIENT_ID, CLIENT_SECRET),
        "static": None,  # filled with a live access token once one is issued
    }


async def _failures(client: ConcurClient, concur: LocalConcur) -> list[ConcurError]:
    """Drive one client through every failure path; return what it raised."""
    errors: list[ConcurError] = []

    async def attempt(call: Callable[[], Any]) -> None:
        try:
            await call()
        except ConcurError as exc:
            errors.append(exc)

    await client.invoice.vendors.list(page_size=2).first_page()  # a token, and a success
    concur.faults.add("server_error", count=2, status=500, prefix=VENDORS)
    await attempt(lambda: client.invoice.vendors.list(page_size=2).first_page())  # 500 twice
    concur.faults.add("drop", count=2, prefix=VENDORS)
    await attempt(lambda: client.invoice.vendors.list(page_size=2).first_page())  # cut twice
    concur.faults.add("malformed", count=FAST.max_attempts, prefix=VENDORS)
    await attempt(lambda: client.invoice.vendors.list(page_size=2).first_page())  # cut, twice
    concur.tokens.expire_access_tokens()
    concur.tokens.revoke_refresh_tokens()
    await attempt(lambda: client.invoice.vendors.list(page_size=2).first_page())  # 401, refresh
    concur.tokens.client_secret = "another-secret"  # every later token request is refused
    concur.tokens.expire_access_tokens()
    await attempt(lambda: client.invoice.vendors.list(page_size=2).first_page())
    return errors


@pytest.mark.parametrize("grant_type",
                         ["password", "authtoken", "refresh_token", "client_credentials",
                          "static"])
async def test_no_secret_in_logs_reprs_errors_or_tracebacks(
    grant_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: the SDK's, aiohttp's, LocalConcur's
    async with LocalConcur(vendors=10, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                           users={USER: PASSWORD, COMPANY: COMPANY_TOKEN}) as concur:
        # A refresh token from an earlier password grant, for the refresh-token grant.
        async with ConcurClient(base_url=concur.base_url,
                                auth=grants("")["password"]) as first:
            await first.invoice.vendors.list(page_size=1).first_page()
            assert first.token_manager.token is not None
            earlier = first.token_manager.token
        grant = grants(earlier.refresh_token or "")[grant_type] or StaticToken(
            earlier.access_token)
        issued: list[Token] = [earlier]

        async def keep(token: Token) -> None:
            issued.append(token)

        client = ConcurClient(base_url=concur.base_url, auth=grant, retry=FAST,
                              on_token_refresh=keep)
        texts = [repr(client), repr(grant), str(grant)]
        async with client:
            errors = await _failures(client, concur)
            texts += [repr(client), repr(client.token_manager), repr(client.token_manager.token),
                      repr(client.stats)]
        texts.append(repr(client))
    kinds = {type(e).__name__ for e in errors}
    assert {"ServerError", "TransportError", "MalformedAnswerError"} <= kinds, kinds
    assert "AuthenticationError" in kinds  # the refused token request, or a static token's 401
    secrets = {CLIENT_SECRET, PASSWORD, COMPANY_TOKEN}
    secrets |= {t.access_token for t in issued} | {t.refresh_token for t in issued
                                                      if t.refresh_token}
    assert len(secrets) >= 4
    texts += [every_text(e) for e in errors]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert any("refreshing the token" in r.getMessage() or "requesting token" in r.getMessage()
               for r in caplog.records)
    leaks = [(secret[:6], text[:200]) for text in texts for secret in secrets if secret in text]
    assert not leaks, leaks


async def test_secrets_a_server_echoes_back_are_blanked_in_errors(origin: Recorder) -> None:
    async with ConcurClient(auth=ClientCredentialsGrant("id", "cs-SECRET-7"),
                            base_url=origin.base) as client:
        with pytest.raises(BadRequestError) as echoed:
            await client.request("GET", "/echo")
    assert "at-SECRET-origin" not in every_text(echoed.value)
    assert "***" in echoed.value.message
    assert echoed.value.correlation_id == "Bearer ***"  # the echo sat in the error's Id
    grant = PasswordGrant("echo", "cs-SECRET-8", USER, PASSWORD)
    async with ConcurClient(auth=grant, base_url=origin.base) as client:
        with pytest.raises(AuthenticationError) as refused:
            await client.request("GET", VENDORS)
    text = every_text(refused.value)
    assert "cs-SECRET-8" not in text
    assert PASSWORD not in text
    assert "rejected" in text  # the rest of the message is kept
    assert USER in text


async def test_a_redirecting_token_endpoint_never_gets_the_form_resent() -> None:
    elsewhere: list[str] = []

    async def steal(request: web.Request) -> web.StreamResponse:
        elsewhere.append(await request.text())
        return web.json_response({"access_token": "stolen", "expires_in": 3600})

    async with loopback_server(steal) as thief:

        async def redirect(request: web.Request) -> web.StreamResponse:
            raise web.HTTPTemporaryRedirect(f"{thief}/oauth2/v0/token")

        async with loopback_server(redirect) as base:
            grant = RefreshTokenGrant("id", "shh-secret", "refresh-me")
            async with ConcurClient(base_url=base, auth=grant) as client:
                with pytest.raises(AuthenticationError, match="redirect") as refused:
                    await client.request("GET", "/api/v3.1/invoice/vendors")
    assert elsewhere == []
    assert "shh-secret" not in str(refused.value)


async def test_an_oversized_token_answer_is_refused_unread() -> None:
    async def huge(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"{" + b" " * (2 * 2**20) + b"}", content_type="application/json")

    async with loopback_server(huge) as base:
        grant = ClientCredentialsGrant("id", "shh-secret")
        async with ConcurClient(base_url=base, auth=grant) as client:
            with pytest.raises(ResponseTooLargeError):
                await client.request("GET", "/api/v3.1/invoice/vendors")
