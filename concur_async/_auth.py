"""OAuth2 grants and the token manager.

The manager refreshes single-flight: however many tasks find the token expired at once, one
token request is made and every task proceeds with its answer. Concur rotates the refresh token
on every refresh (on receipt of the request) and may move the company to another data centre
(``geolocation``); both are kept, and the new token is handed to ``on_token_refresh`` so a
service can persist it.

The refresh runs in a task the manager owns, not in the task that asked for it. A caller that
is cancelled while it waits (``asyncio.timeout``, a client disconnecting from a web handler)
stops waiting; the refresh goes on, keeps the rotated token and runs ``on_token_refresh`` to
completion. ``aclose`` waits for a refresh under way. The token request is retried like any
other call (5xx, 429, dropped connections), with the client's ``RetryPolicy``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

import aiohttp
import anyio
import msgspec

from ._errors import (
    APIError,
    AuthenticationError,
    ClientClosedError,
    ConcurError,
    ConfigurationError,
    TransportError,
    UntrustedURLError,
    api_error,
    redact_url,
)
from ._retry import RetryPolicy, parse_retry_after
from ._secrets import Secret, SecretRegistry, reveal
from ._token import ANSWER_DECODER, REFRESH_MARGIN, Token, TokenAnswer
from ._transport import CONCUR_SUFFIX, describe, is_loopback, origin, read_capped

__all__ = [
    "REFRESH_MARGIN",
    "ClientCredentialsGrant",
    "Grant",
    "PasswordGrant",
    "RefreshTokenGrant",
    "StaticToken",
    "Token",
    "TokenManager",
    "TokenPersistenceError",
    "TokenStore",
    "accepts_geolocation",
]

log = logging.getLogger("concur_async.auth")

TOKEN_PATH = "/oauth2/v0/token"  # noqa: S105 - a path, not a secret
#: A token answer is a few hundred bytes; anything near this is not one.
_TOKEN_BODY_CAP = 1 * 2**20
#: Concur's token error code for "user lives elsewhere": the answer names the geolocation.
LIVES_ELSEWHERE = "16"


def _secret(value: str | Secret) -> Secret:
    return value if isinstance(value, Secret) else Secret(value)


@dataclass(frozen=True, slots=True)
class PasswordGrant:
    """Concur's password grant; ``credtype="authtoken"`` exchanges a company request token."""

    client_id: str
    client_secret: Secret
    username: str
    password: Secret
    credtype: Literal["password", "authtoken"] = "password"

    def __init__(
        self, client_id: str, client_secret: str | Secret, username: str,
        password: str | Secret, credtype: Literal["password", "authtoken"] = "password",
    ) -> None:
        object.__setattr__(self, "client_id", client_id)
        object.__setattr__(self, "client_secret", _secret(client_secret))
        object.__setattr__(self, "username", username)
        object.__setattr__(self, "password", _secret(password))
        object.__setattr__(self, "credtype", credtype)

    def form(self) -> dict[str, str | Secret]:
        return {
            "grant_type": "password",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "username": self.username,
            "password": self.password,
            "credtype": self.credtype,
        }


@dataclass(frozen=True, slots=True)
class RefreshTokenGrant:
    """A refresh token from an earlier grant; rotated on every refresh.

    ``geolocation`` is the data centre Concur named with it (the docs ask to store the two
    together): refreshes and API calls then go there.
    """

    client_id: str
    client_secret: Secret
    refresh_token: Secret
    geolocation: str | None = None

    def __init__(
        self, client_id: str, client_secret: str | Secret, refresh_token: str | Secret,
        geolocation: str | None = None,
    ) -> None:
        object.__setattr__(self, "client_id", client_id)
        object.__setattr__(self, "client_secret", _secret(client_secret))
        object.__setattr__(self, "refresh_token", _secret(refresh_token))
        object.__setattr__(self, "geolocation", geolocation or None)

    def form(self) -> dict[str, str | Secret]:
        return {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
        }


@dataclass(frozen=True, slots=True)
class ClientCredentialsGrant:
    """An application token for the client itself."""

    client_id: str
    client_secret: Secret

    def __init__(self, client_id: str, client_secret: str | Secret) -> None:
        object.__setattr__(self, "client_id", client_id)
        object.__setattr__(self, "client_secret", _secret(client_secret))

    def form(self) -> dict[str, str | Secret]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


@dataclass(frozen=True, slots=True)
class StaticToken:
    """An access token obtained elsewhere; never refreshed."""

    access_token: Secret

    def __init__(self, access_token: str | Secret) -> None:
        object.__setattr__(self, "access_token", _secret(access_token))


Grant = PasswordGrant | RefreshTokenGrant | ClientCredentialsGrant | StaticToken
Form = dict[str, str | Secret]

TokenCallback = Callable[[Token], Awaitable[None]]
#: Whether a ``geolocation`` named by a token answer may become the API base URL.
GeolocationCheck = Callable[[str], bool]


class TokenPersistenceError(ConcurError):
    """``on_token_refresh`` kept failing: the rotated token lives in memory only.

    The SDK keeps using it, and calls ``on_token_refresh`` again on the next call that needs a
    token; until that succeeds, such calls raise this error (its ``__cause__`` is the
    callback's last exception) rather than run with a store holding a dead refresh token.
    """


class TokenStore(Protocol):
    """Where the live token is shared between processes (``concur_async.redis``).

    The manager calls ``exchange`` from its own refresh task, single-flight in the process.
    """

    async def load(self) -> Token | None:
        """The shared token, or None before the first grant."""

    async def exchange(
        self, stale: Token | None, refresh: Callable[[Token | None], Awaitable[Token]]
    ) -> Token:
        """A token to use instead of ``stale`` (None: this process has none yet).

        Under the store's cross-process lock: when the stored token is another than ``stale``
        and still fresh, return it (another process refreshed). Otherwise call
        ``refresh(stored)`` (the stored token, whose refresh token wins over the grant's) and
        write its answer before returning it. ``refresh`` sends the token request; it raises
        on failure, and the store then writes nothing.
        """

    async def forget(self) -> None:
        """Drop the shared token (Concur revoked it): the next refresh starts from the grant."""


def accepts_geolocation(url: str, *, client_urls: Iterable[str]) -> bool:
    """Whether a token answer's ``geolocation`` may receive the token: Concur's own domain
    over HTTPS; the origin the client was configured with; a loopback address only when the
    client's API base (``client_urls[0]``) is itself on loopback (a test server), so a client
    of ``https://…concursolutions.com`` never sends its token over plain HTTP to a local port.
    """
    parts = urlsplit(url)
    if parts.username or parts.password or parts.query or parts.fragment:
        return False
    scheme, host, port = origin(url)
    if scheme == "https" and host.endswith(CONCUR_SUFFIX):
        return True
    own = list(client_urls)
    if scheme in ("http", "https") and is_loopback(host):
        return bool(own) and is_loopback(origin(own[0])[1])
    return any((scheme, host, port) == origin(u) for u in own)


@dataclass(slots=True)
class _Outcome:
    """One token request's result: a token answer, or the error with what it allows next."""

    answer: TokenAnswer | None = None
    error: ConcurError | None = None
    retryable: bool = False
    retry_after: float | None = None
    moved_to: str | None = None  # code 16: the user lives at this geolocation
    invalid_grant: bool = False


class _Refusal(msgspec.Struct):
    error: str | None = None
    code: int | str | None = None
    geolocation: str | None = None


class TokenManager:
    """Holds the current token and refreshes it single-flight, in a task of its own.

    ``secrets`` is the registry of every secret value the manager holds or has held recently
    (credentials and tokens): scrub any text a server wrote with it before showing it.
    """

    def __init__(
        self,
        grant: Grant,
        *,
        token_url: str,
        base_url: str | None = None,
        on_token_refresh: TokenCallback | None = None,
        accept_geolocation: GeolocationCheck | None = None,
        retry: RetryPolicy | None = None,
        store: TokenStore | None = None,
    ) -> None:
        self._grant = grant
        self._token_url = token_url
        self._on_refresh = on_token_refresh
        self._accept_geolocation = accept_geolocation or (
            lambda url: accepts_geolocation(url, client_urls=(base_url or token_url, token_url))
        )
        self.retry = retry or RetryPolicy()
        self.store = store
        self.secrets = SecretRegistry(_grant_secrets(grant))
        self._token: Token | None = None
        self.refresh_count = 0
        #: The refresh under way, shared by every caller that needs a token meanwhile.
        self._flight: asyncio.Task[Token] | None = None
        #: A rotated token ``on_token_refresh`` has not yet accepted.
        self._unpersisted: Token | None = None
        self._closing = False
        self._wake: asyncio.Event | None = None
        if isinstance(grant, StaticToken):
            self._token = Token(grant.access_token)
        geolocation = getattr(grant, "geolocation", None)
        if geolocation and not self._accept_geolocation(geolocation):
            raise ConfigurationError(
                f"the grant's geolocation {redact_url(geolocation)!r} is not trusted"
            )

    def __repr__(self) -> str:
        return f"TokenManager(grant={self._grant!r}, token_url={redact_url(self._token_url)!r})"

    @property
    def refreshable(self) -> bool:
        return not isinstance(self._grant, StaticToken)

    @property
    def geolocation(self) -> str | None:
        """The data centre API calls go to: the token's, else the one stored with the grant."""
        if self._token is not None and self._token.geolocation:
            return self._token.geolocation
        return getattr(self._grant, "geolocation", None)

    @property
    def token(self) -> Token | None:
        return self._token

    @property
    def refreshing(self) -> bool:
        """Whether a refresh (or a retry of ``on_token_refresh``) is under way."""
        return self._flight is not None and not self._flight.done()

    def usable(self) -> Token | None:
        """The token ``get`` would hand back at once, if it needs no refresh: most calls find
        one, and ask here without the cost of awaiting ``get``."""
        token = self._token
        if token is not None and self._unpersisted is None and token.fresh(time.monotonic()):
            return token
        return None

    async def get(self, session: aiohttp.ClientSession) -> Token:
        """A token valid for at least REFRESH_MARGIN seconds, refreshing once if needed."""
        token = self.usable()
        if token is not None:
            return token
        flight = self._flight
        if flight is None or flight.done():
            if self._closing:
                raise ClientClosedError("the client is closed: its token manager starts no refresh")
            flight = asyncio.get_running_loop().create_task(
                self._fly(session), name="concur-async token refresh"
            )
            flight.add_done_callback(_retrieve)
            self._flight = flight
        # Shielded: a caller cancelled here stops waiting; the refresh itself carries on.
        return await asyncio.shield(flight)

    def invalidate(self, access_token: str) -> None:
        """Mark the token that drew a 401 as spent, unless a newer one already replaced it."""
        token = self._token
        if token is not None and token.access_token == access_token and self.refreshable:
            token.spend()

    async def forget(self) -> None:
        """Drop the current token, e.g. once Concur has revoked it: nothing reuses it, and the
        next call starts again from the grant."""
        flight = self._flight
        if flight is not None and not flight.done():
            # A refresh under way would bring the token back once it ends.
            await asyncio.wait([flight])
        if self.store is not None:
            # The other processes sharing the token must not reuse it either.
            await self.store.forget()
        self._token = None
        self._unpersisted = None

    async def aclose(self) -> None:
        """Let a refresh under way finish (its rotated token kept and persisted); no more."""
        self._closing = True
        if self._wake is not None:
            self._wake.set()
        flight = self._flight
        if flight is not None and not flight.done():
            with anyio.CancelScope(shield=True):
                await asyncio.wait([flight])

    # -- the refresh task ---------------------------------------------------------------

    async def _fly(self, session: aiohttp.ClientSession) -> Token:
        pending = self._unpersisted
        if pending is not None:
            await self._persist(pending)
            return pending
        rotated: list[Token] = []

        async def refresh(latest: Token | None) -> Token:
            token = await self._request(session, latest)
            rotated.append(token)
            return token

        if self.store is None:
            token = await refresh(self._token)
        else:
            token = await self.store.exchange(self._token, refresh)
            ours = any(t.access_token == token.access_token for t in rotated)
            if not ours:  # another process refreshed: take its token
                self._adopt(token)
        if rotated and rotated[-1].access_token == token.access_token:
            await self._persist(token)
        return token

    async def _request(self, session: aiohttp.ClientSession, latest: Token | None) -> Token:
        """One token request, retried by the retry policy; the token it gives is kept at once
        (Concur has spent the previous refresh token by then)."""
        form = self._form(latest)
        url = self._url(latest, form)
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        moved = fell_back = False
        while True:
            attempt += 1
            outcome = await self._exchange(session, url, form)
            if outcome.answer is not None:
                geolocation = self._refresh_geolocation(latest, form)
                return self._keep(outcome.answer, latest, moved_to=url if moved else None,
                                  geolocation=geolocation)
            assert outcome.error is not None
            if outcome.moved_to and not moved and self._accept_geolocation(outcome.moved_to):
                # Code 16, "user lives elsewhere": once, at the data centre Concur named.
                moved = True
                url = outcome.moved_to.rstrip("/") + TOKEN_PATH
                log.debug("token request: user lives at %s; asking there",
                          redact_url(outcome.moved_to))
                continue
            if (outcome.invalid_grant and not fell_back and form["grant_type"] == "refresh_token"
                    and isinstance(self._grant, PasswordGrant | ClientCredentialsGrant)):
                # The rotated refresh token is gone (an answer lost on the way): the original
                # grant still stands, so ask with it once rather than lock the client out.
                fell_back = True
                form, url = self._grant.form(), self._token_url
                log.debug("refresh token refused; asking with the original grant")
                continue
            delay = outcome.retry_after if outcome.retry_after is not None else (
                policy.backoff(attempt) if outcome.retryable else None)
            elapsed = time.monotonic() - started
            if delay is None or self._closing or not policy.may_retry(attempt, elapsed, delay):
                raise outcome.error
            log.debug("retrying the token request after %s (attempt %d of %d, waiting %.2fs)",
                      describe(outcome.error), attempt + 1, policy.max_attempts, delay)
            await self._pause(delay)

    async def _exchange(
        self, session: aiohttp.ClientSession, url: str, form: Form
    ) -> _Outcome:
        """Send the form once. Every raw body stays in this frame, which is gone before any
        error is raised: nothing a server sent or echoed sits in a traceback's locals."""
        log.debug("requesting token (grant_type=%s) from %s", form["grant_type"],
                  redact_url(url))
        try:
            # Never redirected: the form carries the secrets, and a 307 would resend it as is.
            async with session.post(
                url, data={k: reveal(v) for k, v in form.items()},
                headers={"Accept": "application/json"}, allow_redirects=False,
            ) as resp:
                body = await read_capped(resp, "POST", url, _TOKEN_BODY_CAP)
                status, headers = resp.status, resp.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            return _Outcome(error=TransportError(
                f"token request failed: {describe(exc)}", method="POST", url=redact_url(url)
            ), retryable=True)
        except APIError as exc:  # an answer over the size cap: not a token endpoint's
            return _Outcome(error=exc)
        correlation = self.secrets.scrub(headers.get("concur-correlationid") or "") or None
        if 300 <= status < 400:
            return _Outcome(error=AuthenticationError(
                f"the token endpoint answered a redirect (HTTP {status}); the credentials were "
                "not sent on: configure token_url with the final address",
                status=status, method="POST", url=redact_url(url), correlation_id=correlation,
            ))
        if status != 200:
            error = api_error(status, body, headers, "POST", url, hide=self.secrets.values(),
                              kind=AuthenticationError, fallback="token request refused")
            error.correlation_id = correlation
            refusal = _refusal(body)
            lives_elsewhere = str(refusal.code) == LIVES_ELSEWHERE and refusal.geolocation
            return _Outcome(
                error=error,
                retryable=status in self.retry.retry_statuses,
                retry_after=_retry_after(headers, self.retry) if status == 429 else None,
                moved_to=refusal.geolocation if lives_elsewhere else None,
                invalid_grant=refusal.error == "invalid_grant",
            )
        try:
            answer = ANSWER_DECODER.decode(body)
            if _header_safe(answer.access_token.get_secret_value()):
                return _Outcome(answer=answer)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            pass
        # A cut or garbled answer: asked again like a dropped connection. An access token
        # that cannot go in a header (CR/LF would split it) is garbled too, refused here
        # rather than as aiohttp's bare ValueError on the next call.
        return _Outcome(error=AuthenticationError(
            "token response was not understood", status=status, method="POST",
            url=redact_url(url), correlation_id=correlation,
        ), retryable=True)

    def _keep(
        self, answer: TokenAnswer, latest: Token | None, *, moved_to: str | None,
        geolocation: str | None,
    ) -> Token:
        if moved_to is not None:
            geolocation = moved_to.removesuffix(TOKEN_PATH)
        token = Token.from_answer(
            answer, now=time.monotonic(), geolocation=geolocation,
            refresh_token=latest._refresh if latest is not None else None,
        )
        self._adopt(token)
        self.refresh_count += 1
        log.debug("token refreshed; expires in %s", answer.expires_in)
        return token

    def _adopt(self, token: Token) -> None:
        if token.geolocation and not self._accept_geolocation(token.geolocation):
            # The token would travel to the named host on every later call and refresh: a
            # tampered or misrouted answer must not redirect the credentials.
            raise AuthenticationError(
                f"token response named an untrusted geolocation "
                f"{redact_url(token.geolocation)!r}; refused",
                status=200, method="POST", url=redact_url(self._token_url),
            )
        for secret in token.secrets:
            self.secrets.add(secret)
        self._token = token

    async def _persist(self, token: Token) -> None:
        """Hand the rotated token to ``on_token_refresh``, retried until it takes it."""
        if self._on_refresh is None:
            return
        policy = self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._on_refresh(token)
            except Exception as exc:
                delay = policy.backoff(attempt)
                elapsed = time.monotonic() - started
                if self._closing or not policy.may_retry(attempt, elapsed, delay):
                    self._unpersisted = token
                    log.error("on_token_refresh failed %d times (%s); the rotated token is "
                              "kept in memory and handed over again on the next call",
                              attempt, type(exc).__name__)
                    raise TokenPersistenceError(
                        f"on_token_refresh failed: {type(exc).__name__}"
                    ) from exc
                log.warning("on_token_refresh failed (%s); trying again in %.2fs",
                            type(exc).__name__, delay)
                await self._pause(delay)
            else:
                self._unpersisted = None
                return

    async def _pause(self, delay: float) -> None:
        """Wait ``delay`` seconds, or until ``aclose`` asks the refresh to stop retrying."""
        if self._wake is None:
            self._wake = asyncio.Event()
        with anyio.move_on_after(delay):
            await self._wake.wait()

    def _form(self, latest: Token | None) -> Form:
        grant = self._grant
        if isinstance(grant, StaticToken):
            raise AuthenticationError(
                "the static access token was rejected and cannot be refreshed", status=401
            )
        if latest is not None and latest.refresh_token:
            # After the first grant, every refresh uses the latest (rotated) refresh token.
            return RefreshTokenGrant(grant.client_id, grant.client_secret,
                                     latest._refresh or "").form()
        return grant.form()

    def _refresh_geolocation(self, latest: Token | None, form: Form) -> str | None:
        """A refresh token's data centre: the one of the token it came with (stored by another
        process, perhaps), else this manager's."""
        if form["grant_type"] != "refresh_token":
            return None
        stored = latest.geolocation if latest is not None else None
        if stored and not self._accept_geolocation(stored):
            # A shared store is one more place a geolocation can be tampered with: the form
            # carries the client secret and must not travel there.
            raise UntrustedURLError(
                f"the stored token names an untrusted geolocation {redact_url(stored)!r}; "
                "refused", method="POST", url=redact_url(self._token_url),
            )
        return stored or self.geolocation

    def _url(self, latest: Token | None, form: Form) -> str:
        # A first grant goes to the application's token URL; refreshes to the token's data
        # centre once Concur has named it.
        geo = self._refresh_geolocation(latest, form)
        return f"{geo.rstrip('/')}{TOKEN_PATH}" if geo else self._token_url


def _grant_secrets(grant: Grant) -> list[Secret]:
    names = ("client_secret", "password", "refresh_token", "access_token")
    return [s for s in (getattr(grant, n, None) for n in names) if isinstance(s, Secret)]


def _retry_after(headers: Mapping[str, str], policy: RetryPolicy) -> float:
    wait = parse_retry_after(headers.get("Retry-After"))
    return policy.default_retry_after if wait is None else wait


def _header_safe(value: str) -> bool:
    """Visible ASCII only: what an ``Authorization: Bearer`` value may hold (RFC 6750)."""
    return bool(value) and value.isascii() and value.isprintable() and " " not in value


def _refusal(body: bytes) -> _Refusal:
    try:
        return msgspec.json.decode(body, type=_Refusal)
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
        return _Refusal()


def _retrieve(flight: asyncio.Task[Token]) -> None:
    # Every caller may have stopped waiting (cancelled): the outcome is still read, so asyncio
    # does not report "exception was never retrieved".
    if not flight.cancelled():
        flight.exception()
