"""The OAuth2 token endpoint and the bearer-token check every API route makes.

``POST /oauth2/v0/token`` takes Concur's three grants: ``password`` (with ``credtype`` of
``password`` or ``authtoken``), ``refresh_token`` and ``client_credentials``. Refresh tokens
rotate: each refresh answers a new one and the old one stops working, as at Concur. A refresh
token this server has never seen is taken as one issued before it started (so a client
configured with a made-up token works): it starts a grant. One it has rotated away, revoked or
let expire is refused. ``client_credentials`` answers no refresh token; the client asks for a
new grant when its token runs out.

Error codes (``code`` in the error body), chosen for this double and stable:
``100`` invalid_request, ``101`` unsupported_grant_type, ``105`` invalid_client,
``108`` invalid_grant.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from aiohttp import web

from ._wire import JSON, Failure

__all__ = ["TokenStore"]

INVALID_REQUEST, UNSUPPORTED_GRANT, INVALID_CLIENT, INVALID_GRANT = 100, 101, 105, 108


@dataclass(slots=True)
class _Grant:
    client_id: str
    subject: str
    expires_at: float  # monotonic clock


class TokenStore:
    """The access and refresh tokens issued, and the rules for issuing them.

    ``lifetime`` and ``refresh_lifetime`` (seconds) may be changed at any time and apply to
    tokens issued afterwards. ``client_id``/``client_secret`` and ``users`` (username ->
    password), when set, are required; when left ``None`` any value is accepted. A refresh
    token never seen is accepted unless ``accept_unknown_refresh_tokens`` is false; one rotated
    away (or revoked, or expired) never is. Two servers given the same store accept each
    other's tokens (a data-centre move in tests).
    """

    def __init__(
        self,
        *,
        lifetime: float = 3600.0,
        refresh_lifetime: float = 180 * 86400.0,
        client_id: str | None = None,
        client_secret: str | None = None,
        users: Mapping[str, str] | None = None,
        accept_unknown_refresh_tokens: bool = True,
    ) -> None:
        self.lifetime = lifetime
        self.refresh_lifetime = refresh_lifetime
        self.client_id = client_id
        self.client_secret = client_secret
        self.users = dict(users) if users is not None else None
        self.accept_unknown_refresh_tokens = accept_unknown_refresh_tokens
        self.issued = 0
        self.refreshed = 0
        self._access: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        # Rotated away, revoked or expired: refused for good, never taken for a new one.
        self._spent: set[str] = set()

    def __repr__(self) -> str:
        return f"TokenStore(active={self.active}, issued={self.issued})"

    @property
    def active(self) -> int:
        """Access tokens that would be accepted right now."""
        now = time.monotonic()
        return sum(1 for grant in self._access.values() if grant.expires_at > now)

    def expire_access_tokens(self) -> None:
        """Make every access token issued so far expired, as if its lifetime had run out."""
        for grant in self._access.values():
            grant.expires_at = 0.0

    def revoke_refresh_tokens(self) -> None:
        """Make every refresh token issued so far (or accepted) refused from now on."""
        self._spent.update(self._refresh)
        self._refresh.clear()

    def revoke_connection(self, header: str | None) -> int:
        """``DELETE /app-mgmt/v0/connections``: every token the app holds for the bearer's
        user stops working, access and refresh alike. Answers how many were dropped."""
        self.authorize(header)
        grant = self._access[(header or "").partition(" ")[2].strip()]
        owner = (grant.client_id, grant.subject)
        before = len(self._access) + len(self._refresh)
        self._access = {k: g for k, g in self._access.items()
                        if (g.client_id, g.subject) != owner}
        self._spent.update(k for k, g in self._refresh.items()
                           if (g.client_id, g.subject) == owner)
        self._refresh = {k: g for k, g in self._refresh.items()
                         if (g.client_id, g.subject) != owner}
        return before - len(self._access) - len(self._refresh)

    def authorize(self, header: str | None) -> None:
        """Accept a live ``Bearer`` (or legacy ``OAuth``) token; 401 otherwise.

        The refusal has the v3 error shape on every route: the token check is Concur's
        gateway, in front of every API family.
        """
        if not header:
            raise Failure(401, "The Authorization header is missing.", code="NO_TOKEN",
                          shape="v3")
        scheme, _, token = header.partition(" ")
        grant = self._access.get(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
        if grant is None:
            raise Failure(401, "The access token is invalid.", code="INVALID_TOKEN", shape="v3")
        if grant.expires_at <= time.monotonic():
            raise Failure(401, "The access token has expired.", code="EXPIRED_TOKEN", shape="v3")

    def endpoint(
        self, geolocation: Callable[[], str], on_request: Callable[[], None]
    ) -> Callable[[web.Request], Any]:
        """The aiohttp handler for ``POST /oauth2/v0/token``."""

        async def token(request: web.Request) -> web.Response:
            on_request()
            form = await request.post()
            fields = {key: str(value) for key, value in form.items()}
            answer = self._grant(fields, geolocation())
            return web.Response(body=msgspec.json.encode(answer),
                                headers={"Content-Type": JSON})

        return token

    def _grant(self, form: Mapping[str, str], geolocation: str) -> dict[str, Any]:
        grant_type = form.get("grant_type", "")
        client_id = form.get("client_id", "")
        if not grant_type:
            raise _error(400, "invalid_request", "grant_type is required.", INVALID_REQUEST)
        self._check_client(client_id, form.get("client_secret", ""))
        if grant_type == "password":
            subject = self._check_user(form)
            return self._issue(client_id, subject, geolocation, refresh=True)
        if grant_type == "refresh_token":
            old = self._take_refresh_token(form.get("refresh_token", ""), client_id)
            self.refreshed += 1
            return self._issue(client_id, old.subject, geolocation, refresh=True)
        if grant_type == "client_credentials":
            return self._issue(client_id, client_id, geolocation, refresh=False)
        raise _error(400, "unsupported_grant_type",
                     f"The grant type {grant_type!r} is not supported.", UNSUPPORTED_GRANT)

    def _take_refresh_token(self, token: str, client_id: str) -> _Grant:
        """The grant a refresh token continues; it is spent by this refresh."""
        old = self._refresh.get(token)
        if old is None and token and token not in self._spent and (
            self.accept_unknown_refresh_tokens
        ):
            # Issued before this server started, as far as it can tell: a grant starts here.
            old = _Grant(client_id, "refresh-token-user",
                         time.monotonic() + self.refresh_lifetime)
        if old is None or old.expires_at <= time.monotonic() or old.client_id != client_id:
            raise _error(400, "invalid_grant", "The refresh token is invalid or expired.",
                         INVALID_GRANT)
        self._refresh.pop(token, None)
        self._spent.add(token)
        return old

    def _check_client(self, client_id: str, client_secret: str) -> None:
        if not client_id:
            raise _error(401, "invalid_client", "client_id is required.", INVALID_CLIENT)
        wrong_id = self.client_id is not None and client_id != self.client_id
        wrong_secret = self.client_secret is not None and not secrets.compare_digest(
            client_secret, self.client_secret
        )
        if wrong_id or wrong_secret:
            raise _error(401, "invalid_client", "The client credentials are not valid.",
                         INVALID_CLIENT)

    def _check_user(self, form: Mapping[str, str]) -> str:
        username, password = form.get("username", ""), form.get("password", "")
        credtype = form.get("credtype", "password")
        if credtype not in ("password", "authtoken"):
            raise _error(400, "invalid_request", "credtype must be password or authtoken.",
                         INVALID_REQUEST)
        if not username or not password:
            raise _error(400, "invalid_request", "username and password are required.",
                         INVALID_REQUEST)
        if self.users is not None and self.users.get(username) != password:
            raise _error(401, "invalid_grant", "Incorrect credentials.", INVALID_GRANT)
        return username

    def _issue(
        self, client_id: str, subject: str, geolocation: str, *, refresh: bool
    ) -> dict[str, Any]:
        self._prune()
        now = time.monotonic()
        access = secrets.token_urlsafe(24)
        self._access[access] = _Grant(client_id, subject, now + self.lifetime)
        self.issued += 1
        answer: dict[str, Any] = {
            "expires_in": f"{self.lifetime:g}",
            "scope": "LocalConcur",
            "token_type": "Bearer",
            "access_token": access,
            "geolocation": geolocation,
            "id_token": _id_token(geolocation, subject, client_id, self.lifetime),
        }
        if refresh:
            token = secrets.token_urlsafe(24)
            self._refresh[token] = _Grant(client_id, subject, now + self.refresh_lifetime)
            answer["refresh_token"] = token
            answer["refresh_expires_in"] = int(time.time() + self.refresh_lifetime)
        return answer

    def _prune(self) -> None:
        # Long benchmark runs issue many tokens; forget the long-dead ones now and then.
        if len(self._access) < 10_000:
            return
        cutoff = time.monotonic() - 60.0
        self._access = {k: g for k, g in self._access.items() if g.expires_at > cutoff}


def _error(status: int, error: str, message: str, code: int) -> Failure:
    return Failure(status, message, error=error, code=code)


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(data)).rstrip(b"=").decode()


def _id_token(issuer: str, subject: str, audience: str, lifetime: float) -> str:
    """An unsigned JWT with the usual claims: enough for code that only reads it."""
    now = int(time.time())
    claims = {"iss": issuer, "sub": subject, "aud": audience, "iat": now,
              "exp": now + int(lifetime)}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
