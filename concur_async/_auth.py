"""OAuth2 grants and the token manager.

The manager refreshes single-flight: however many tasks find the token expired at once, one
token request is made and every task proceeds with its answer. Concur rotates the refresh token
on every refresh and may move the company to another data centre (``geolocation``); both are
kept, and the new refresh token is handed to ``on_token_refresh`` so a service can persist it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp
import anyio
import msgspec

from ._errors import (
    AuthenticationError,
    ConcurError,
    TransportError,
    api_error,
    redact_url,
)
from ._transport import read_capped

__all__ = [
    "ClientCredentialsGrant",
    "Grant",
    "PasswordGrant",
    "RefreshTokenGrant",
    "StaticToken",
    "Token",
    "TokenManager",
]

log = logging.getLogger("concur_async.auth")

#: A token answer is a few hundred bytes; anything near this is not one.
_TOKEN_BODY_CAP = 1 * 2**20

#: Refresh this long (or a tenth of the lifetime, if shorter) before ``expires_in`` runs out,
#: so no request races the expiry.
REFRESH_MARGIN = 60.0


def _hidden(value: str) -> str:
    return "***" if value else "''"


@dataclass(frozen=True, slots=True)
class PasswordGrant:
    """Concur's password grant; ``credtype="authtoken"`` exchanges a company request token."""

    client_id: str
    client_secret: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    credtype: Literal["password", "authtoken"] = "password"

    def form(self) -> dict[str, str]:
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
    """A refresh token from an earlier grant; rotated on every refresh."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)

    def form(self) -> dict[str, str]:
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
    client_secret: str = field(repr=False)

    def form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }


@dataclass(frozen=True, slots=True)
class StaticToken:
    """An access token obtained elsewhere; never refreshed."""

    access_token: str = field(repr=False)


Grant = PasswordGrant | RefreshTokenGrant | ClientCredentialsGrant | StaticToken


class _TokenResponse(msgspec.Struct):
    access_token: str
    expires_in: int | float | str | None = None
    refresh_token: str | None = None
    geolocation: str | None = None
    token_type: str | None = None
    refresh_expires_in: int | float | str | None = None


@dataclass(slots=True)
class Token:
    """An access token and what came with it. Its repr never shows the secrets."""

    access_token: str = field(repr=False)
    expires_at: float  # monotonic clock
    refresh_token: str | None = field(default=None, repr=False)
    geolocation: str | None = None
    refresh_at: float = 0.0

    def __post_init__(self) -> None:
        if not self.refresh_at:
            # A short-lived token (tests use seconds) must not look stale from birth.
            lifetime = self.expires_at - time.monotonic()
            self.refresh_at = self.expires_at - min(REFRESH_MARGIN, max(lifetime, 0) * 0.1)

    def fresh(self, now: float) -> bool:
        return now < self.refresh_at


TokenCallback = Callable[[Token], Awaitable[None]]
#: Whether a ``geolocation`` named by a token answer may become the API base URL.
GeolocationCheck = Callable[[str], bool]


class TokenManager:
    """Holds the current token and refreshes it single-flight."""

    def __init__(
        self,
        grant: Grant,
        *,
        token_url: str,
        on_token_refresh: TokenCallback | None = None,
        accept_geolocation: GeolocationCheck | None = None,
    ) -> None:
        self._grant = grant
        self._token_url = token_url
        self._on_refresh = on_token_refresh
        self._accept_geolocation = accept_geolocation
        self._lock = anyio.Lock()
        self._token: Token | None = None
        self.refresh_count = 0
        # Token requests finished, and the last one's error: tasks that queued behind a
        # failed request share its error instead of each sending another doomed request.
        self._finished = 0
        self._failure: ConcurError | None = None
        if isinstance(grant, StaticToken):
            self._token = Token(access_token=grant.access_token, expires_at=float("inf"))

    def __repr__(self) -> str:
        return f"TokenManager(grant={self._grant!r}, token_url={redact_url(self._token_url)!r})"

    @property
    def refreshable(self) -> bool:
        return not isinstance(self._grant, StaticToken)

    @property
    def geolocation(self) -> str | None:
        return None if self._token is None else self._token.geolocation

    @property
    def token(self) -> Token | None:
        return self._token

    async def get(self, session: aiohttp.ClientSession) -> Token:
        """A token valid for at least REFRESH_MARGIN seconds, refreshing once if needed."""
        token = self._token
        if token is not None and token.fresh(time.monotonic()):
            return token
        finished = self._finished
        async with self._lock:
            # Whoever waited on the lock re-checks: the task ahead may have refreshed already.
            token = self._token
            if token is not None and token.fresh(time.monotonic()):
                return token
            if self._failure is not None and self._finished != finished:
                raise self._failure.with_traceback(None)
            self._failure = None
            try:
                token = await self._refresh(session)
            except ConcurError as exc:
                self._failure = exc
                raise
            finally:
                self._finished += 1
            return token

    def invalidate(self, access_token: str) -> None:
        """Mark the token that drew a 401 as spent, unless a newer one already replaced it."""
        if self._token is not None and self._token.access_token == access_token:
            if isinstance(self._grant, StaticToken):
                return
            self._token.expires_at = self._token.refresh_at = 0.0

    async def forget(self) -> None:
        """Drop the current token, e.g. once Concur has revoked it: nothing reuses it, and the
        next call starts again from the grant."""
        async with self._lock:
            # A shared token store (many processes) is cleared here too, once one exists.
            self._token = None
            self._failure = None

    def _form(self) -> dict[str, str]:
        grant = self._grant
        previous = self._token
        if previous is not None and previous.refresh_token and not isinstance(grant, StaticToken):
            # After the first grant, every refresh uses the latest (rotated) refresh token.
            return RefreshTokenGrant(
                grant.client_id, grant.client_secret, previous.refresh_token
            ).form()
        if isinstance(grant, StaticToken):
            raise AuthenticationError(
                "the static access token was rejected and cannot be refreshed", status=401
            )
        return grant.form()

    def _url(self) -> str:
        geo = self.geolocation
        # Refreshes go to the company's data centre once Concur has named it.
        return f"{geo.rstrip('/')}/oauth2/v0/token" if geo else self._token_url

    async def _refresh(self, session: aiohttp.ClientSession) -> Token:
        form = self._form()
        url = self._url()
        log.debug("requesting token (grant_type=%s) from %s", form["grant_type"], redact_url(url))
        try:
            # Never redirected: the form carries the secrets, and a 307 would resend it as is.
            async with session.post(
                url, data=form, headers={"Accept": "application/json"}, allow_redirects=False
            ) as resp:
                body = await read_capped(resp, "POST", url, _TOKEN_BODY_CAP)
                status = resp.status
                headers = resp.headers
                correlation = headers.get("concur-correlationid")
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportError(
                f"token request failed: {type(exc).__name__}", method="POST", url=redact_url(url)
            ) from None
        if 300 <= status < 400:
            raise AuthenticationError(
                f"the token endpoint answered a redirect (HTTP {status}); the credentials were "
                "not sent on: configure token_url with the final address",
                status=status, method="POST", url=redact_url(url), correlation_id=correlation,
            )
        if status != 200:
            hide = [form[k] for k in ("client_secret", "password", "refresh_token") if k in form]
            raise api_error(status, body, headers, "POST", url, hide=hide,
                            kind=AuthenticationError, fallback="token request refused")
        try:
            answer = msgspec.json.decode(body, type=_TokenResponse)
        except (msgspec.DecodeError, RecursionError, UnicodeDecodeError):
            raise AuthenticationError(
                "token response was not understood", status=status, method="POST",
                url=redact_url(url), correlation_id=correlation,
            ) from None
        if answer.geolocation and self._accept_geolocation is not None and not (
            self._accept_geolocation(answer.geolocation)
        ):
            # The token would travel to the named host on every later call and refresh: a
            # tampered or misrouted answer must not redirect the credentials.
            raise AuthenticationError(
                f"token response named an untrusted geolocation "
                f"{redact_url(answer.geolocation)!r}; refused",
                status=status, method="POST", url=redact_url(url), correlation_id=correlation,
            )
        token = Token(
            access_token=answer.access_token,
            expires_at=time.monotonic() + _seconds(answer.expires_in),
            refresh_token=answer.refresh_token
            or (self._token.refresh_token if self._token else None),
            geolocation=answer.geolocation or self.geolocation,
        )
        self._token = token
        self.refresh_count += 1
        log.debug("token refreshed; expires in %ss", _seconds(answer.expires_in))
        if self._on_refresh is not None:
            await self._on_refresh(token)
        return token


def _seconds(expires_in: Any) -> float:
    """Concur sends ``expires_in`` as a string or a number; an hour when it is missing."""
    try:
        return float(expires_in) if expires_in is not None else 3600.0
    except ValueError:
        return 3600.0
