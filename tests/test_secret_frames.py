"""No secret in a traceback captured with its local variables, as error trackers capture them.

Sentry and ``traceback.TracebackException(capture_locals=True)`` print the repr of every local
of every frame between the raise and the catch. Grants, tokens and the token manager hold their
secrets in ``Secret`` (masked repr); the raw form, answer and Authorization header live only in
frames that have returned before anything is raised. Each failure path below is driven against
a purpose-built server (``token_server``) and its captured traceback searched for every secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from traceback import TracebackException
from typing import Any

import pytest
from token_server import TokenServer, token_server

from concur_async import (
    ClientCredentialsGrant,
    ConcurClient,
    ConcurError,
    PasswordGrant,
    RefreshTokenGrant,
    RetryPolicy,
    StaticToken,
    Token,
)
from concur_async._secrets import Secret, SecretRegistry, live_secret_values

FAST = RetryPolicy(max_attempts=2, backoff_base=0.001, backoff_max=0.002)
CLIENT_SECRET = "cs-SECRET-frames-1"
PASSWORD = "pw-SECRET-frames-2"
REFRESH = "rt-SECRET-frames-3"


def with_locals(error: BaseException) -> str:
    """The traceback as a tracker records it: the SDK's frames with their locals, and the
    messages of the error and of every error chained to it (the test's own frames, which hold
    the server and its bookkeeping, are left out)."""
    out: list[str] = []
    seen: TracebackException | None = TracebackException.from_exception(
        error, capture_locals=True)
    while seen is not None:
        out += list(seen.format_exception_only())
        for frame in seen.stack:
            if "concur_async" in frame.filename:
                out.append(f"{frame.filename}:{frame.lineno} {frame.name}")
                out += [f"    {name} = {value}" for name, value in (frame.locals or {}).items()]
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    return "\n".join(out)


def secrets_of(server: TokenServer) -> set[str]:
    return {CLIENT_SECRET, PASSWORD, REFRESH} | server.live_access | {
        f"{server.prefix}-rt-{n}" for n in range(1, server.issued + 1)} | {
        f"{server.prefix}-at-{n}" for n in range(1, server.issued + 1)}


Scenario = Callable[[TokenServer, ConcurClient], Awaitable[Any]]


async def refused_token_echoing_the_form(server: TokenServer, client: ConcurClient) -> None:
    server.script, server.echo_form = [500, 500], True
    await client.request("GET", "/api/x")


async def token_endpoint_cut(server: TokenServer, client: ConcurClient) -> None:
    server.script = ["drop", "drop"]
    await client.request("GET", "/api/x")


async def api_500(server: TokenServer, client: ConcurClient) -> None:
    server.api_script = [500, 500]
    await client.request("GET", "/api/x")


async def api_cut(server: TokenServer, client: ConcurClient) -> None:
    await client.request("GET", "/api/x")
    server.api_script = ["drop"] * 4  # aiohttp itself resends once on a reused connection
    await client.request("GET", "/api/y")


async def api_echo(server: TokenServer, client: ConcurClient) -> None:
    server.api_script = ["echo"]
    await client.request("GET", "/api/x")


async def untrusted_geolocation(server: TokenServer, client: ConcurClient) -> None:
    server.geolocation = "https://evil.example.com"
    await client.request("GET", "/api/x")


SCENARIOS = [
    refused_token_echoing_the_form, token_endpoint_cut, api_500, api_cut, untrusted_geolocation,
    api_echo,
]
GRANTS: dict[str, Callable[[], Any]] = {
    "password": lambda: PasswordGrant("cid", CLIENT_SECRET, "user@example.com", PASSWORD),
    "refresh_token": lambda: RefreshTokenGrant("cid", CLIENT_SECRET, REFRESH),
    "client_credentials": lambda: ClientCredentialsGrant("cid", CLIENT_SECRET),
}


@pytest.mark.parametrize("grant", list(GRANTS))
@pytest.mark.parametrize("scenario", SCENARIOS,
                         ids=lambda s: getattr(s, "__name__", str(s)))
async def test_no_secret_in_a_traceback_captured_with_locals(
    grant: str, scenario: Scenario
) -> None:
    async with token_server() as server:
        server.live_refresh.add(REFRESH)
        async with ConcurClient(auth=GRANTS[grant](), base_url=server.base,
                                retry=FAST) as client:
            with pytest.raises(ConcurError) as info:
                await scenario(server, client)
        text = with_locals(info.value)
        assert "self = " in text  # the SDK's frames and their locals were captured
        leaks = [s for s in secrets_of(server) if s in text]
        assert not leaks, (leaks, text[-3000:])


async def test_a_static_token_stays_out_of_captured_frames() -> None:
    async with token_server() as server:
        server.live_access.add("st-SECRET-frames")
        server.api_script = [500, 500]
        async with ConcurClient(auth=StaticToken("st-SECRET-frames"), base_url=server.base,
                                retry=FAST) as client:
            with pytest.raises(ConcurError) as info:
                await client.request("GET", "/api/x")
    assert "st-SECRET-frames" not in with_locals(info.value)


async def test_a_token_echoed_in_the_token_endpoints_correlation_id_is_scrubbed() -> None:
    async with token_server(error_headers={"concur-correlationid": CLIENT_SECRET}) as server:
        server.script = [401]
        grant = ClientCredentialsGrant("cid", CLIENT_SECRET)
        async with ConcurClient(auth=grant, base_url=server.base, retry=FAST) as client:
            with pytest.raises(ConcurError) as info:
                await client.request("GET", "/api/x")
    error = info.value
    assert CLIENT_SECRET not in f"{error} {error!r} {with_locals(error)}"
    assert getattr(error, "correlation_id", None) == "***"


async def test_a_callback_failure_leaves_no_token_in_captured_frames() -> None:
    async def vault(token: Token) -> None:
        raise OSError("vault down")

    async with token_server() as server:
        server.live_refresh.add(REFRESH)
        grant = RefreshTokenGrant("cid", CLIENT_SECRET, REFRESH)
        async with ConcurClient(auth=grant, base_url=server.base, retry=FAST,
                                on_token_refresh=vault) as client:
            with pytest.raises(ConcurError) as info:
                await client.request("GET", "/api/x")
        leaks = [s for s in secrets_of(server) if s in with_locals(info.value)]
    assert not leaks


def test_secret_and_registry_show_nothing() -> None:
    secret = Secret("sv-SECRET-0001")
    assert "SECRET" not in f"{secret} {secret!r} {[secret]} {({'k': secret})}"
    assert secret.get_secret_value() == "sv-SECRET-0001"
    assert secret == Secret("sv-SECRET-0001")
    assert secret != "sv-SECRET-0001"  # never equal to the plain text: no accidental unwrap
    registry = SecretRegistry([secret, "pw", None], keep=2)
    for n in range(3):
        registry.add(f"at-SECRET-{n:04d}")
    assert "SECRET" not in repr(registry)
    assert registry.scrub("a sv-SECRET-0001 b at-SECRET-0002 c") == "a *** b *** c"
    assert "at-SECRET-0000" not in registry.values()  # only the `keep` latest tokens
    assert "pw" in registry.values()
    assert "pw" not in registry.values(short=False)
    assert "sv-SECRET-0001" in set(live_secret_values())
    assert "pw" not in set(live_secret_values())  # too short to blank in every log line


def test_a_configuration_error_from_the_environment_shows_no_secret_in_its_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from concur_async._env import read_env

    for name, value in {"CONCUR_CLIENT_ID": "cid", "CONCUR_CLIENT_SECRET": CLIENT_SECRET,
                        "CONCUR_USERNAME": "user@example.com",
                        "UNRELATED_TOKEN": "tok-SECRET-of-another-app"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CONCUR_PASSWORD", raising=False)
    with pytest.raises(ConcurError, match="CONCUR_PASSWORD") as info:
        read_env()
    text = with_locals(info.value)
    assert "env = <environment>" in text
    assert CLIENT_SECRET not in text
    assert "tok-SECRET" not in text  # nor anything else the environment holds
