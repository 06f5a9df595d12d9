"""Configuration from ``CONCUR_*`` environment variables: the one place the SDK reads them.

``ConcurClient.from_env()``, the ``concur-async`` command, the examples and the FastAPI helpers
all come here, so they agree on the names and on which grant a set of variables makes:

==============================  ===============================================================
``CONCUR_CLIENT_ID``            the OAuth2 client id (every grant but an access token)
``CONCUR_CLIENT_SECRET``        its secret
``CONCUR_REFRESH_TOKEN``        the refresh-token grant
``CONCUR_USERNAME``             with ``CONCUR_PASSWORD``: the password grant
``CONCUR_PASSWORD``             the password, or a company request token with
``CONCUR_CREDTYPE``             ``authtoken`` (default ``password``)
``CONCUR_ACCESS_TOKEN``         a token obtained elsewhere, used as is and never refreshed
``CONCUR_REFRESH_TOKEN_FILE``   where the rotated refresh token is kept, with its geolocation
                                and expiry (mode 0600); read first
``CONCUR_BASE_URL``             the company's data centre (default the US one)
``CONCUR_TOKEN_URL``            the token endpoint (default ``<base url>/oauth2/v0/token``)
``CONCUR_REDIS_URL``            share the token, its rotations and the rate budget with every
                                process of the same namespace through this Redis
                                (``concur_async.redis``; needs the ``redis`` extra)
``CONCUR_REDIS_NAMESPACE``      the Concur identity (company or user) those processes share;
                                required with ``CONCUR_REDIS_URL``
==============================  ===============================================================

Each has a keyword of the same name in lower case (``client_id=``, ``base_url=``...) that wins
over the variable. Concur rotates the refresh token on every refresh; with a refresh-token
file, the newest one is written there (``concur_async._token_file``) and wins over
``CONCUR_REFRESH_TOKEN`` on the next start, refreshed at the data centre stored with it; one
whose stored expiry has passed is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ._auth import Grant, PasswordGrant, RefreshTokenGrant, StaticToken, Token
from ._errors import ConfigurationError
from ._secrets import Secret
from ._token_file import read_token_file, write_token_file

if TYPE_CHECKING:
    from ._coordination import Coordination

__all__ = ["VARIABLES", "EnvConfig", "credentials_in_env", "read_env"]

#: Every variable read here, in the order of the table above.
VARIABLES = (
    "CONCUR_CLIENT_ID", "CONCUR_CLIENT_SECRET", "CONCUR_REFRESH_TOKEN", "CONCUR_USERNAME",
    "CONCUR_PASSWORD", "CONCUR_CREDTYPE", "CONCUR_ACCESS_TOKEN", "CONCUR_REFRESH_TOKEN_FILE",
    "CONCUR_BASE_URL", "CONCUR_TOKEN_URL", "CONCUR_REDIS_URL", "CONCUR_REDIS_NAMESPACE",
)
_CREDENTIALS = VARIABLES[:8]

_NOTHING = (
    "missing credentials: set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET, and either "
    "CONCUR_REFRESH_TOKEN or CONCUR_USERNAME and CONCUR_PASSWORD (or CONCUR_ACCESS_TOKEN alone)"
)


@dataclass(frozen=True, slots=True)
class EnvConfig:
    """What the variables (and the keywords over them) make: a grant and where to use it."""

    grant: Grant
    base_url: str | None = None
    token_url: str | None = None
    refresh_token_file: Path | None = None
    #: May carry Redis's password: kept out of the repr.
    redis_url: str | None = field(default=None, repr=False)
    redis_namespace: str | None = None

    async def keep_refresh_token(self, token: Token) -> None:
        """Write a rotated refresh token, with its geolocation and expiry, to the
        refresh-token file, if there is one."""
        if self.refresh_token_file is not None:
            await write_token_file(self.refresh_token_file, token)

    def client_options(
        self, on_token_refresh: Callable[[Token], Awaitable[None]] | None = None
    ) -> dict[str, Any]:
        """The ``ConcurClient`` keywords this configuration sets."""
        options: dict[str, Any] = {"auth": self.grant, "token_url": self.token_url}
        if self.base_url:
            options["base_url"] = self.base_url
        if self.refresh_token_file is None:
            options["on_token_refresh"] = on_token_refresh
        else:
            options["on_token_refresh"] = _both(self.keep_refresh_token, on_token_refresh)
        if self.redis_url:
            options["coordination"] = self._coordination(self.redis_url)
        return options

    def _coordination(self, url: str) -> Coordination:
        try:
            from .redis import RedisCoordination
        except ImportError:
            raise ConfigurationError(
                "CONCUR_REDIS_URL needs the redis extra: pip install 'concur-async[redis]'"
            ) from None
        assert self.redis_namespace is not None  # read_env requires it with the URL
        return RedisCoordination.from_url(url, namespace=self.redis_namespace)


class _Environment(Mapping[str, str]):
    """The environment, read through; its repr names no variable and no value."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return "<environment>"


def credentials_in_env(environ: Mapping[str, str] | None = None) -> bool:
    """Whether any credential variable is set (the examples' switch to a real Concur)."""
    env = os.environ if environ is None else environ
    return any(env.get(name) for name in _CREDENTIALS)


def read_env(
    environ: Mapping[str, str] | None = None,
    *,
    client_id: str | None = None,
    client_secret: str | None = None,
    refresh_token: str | None = None,
    username: str | None = None,
    password: str | None = None,
    credtype: Literal["password", "authtoken"] | None = None,
    access_token: str | None = None,
    refresh_token_file: str | Path | None = None,
    base_url: str | None = None,
    token_url: str | None = None,
    redis_url: str | None = None,
    redis_namespace: str | None = None,
) -> EnvConfig:
    """The grant and addresses the environment gives; a keyword given wins over its variable.

    Raises ``ConfigurationError`` naming the first variable missing for the grant chosen.
    """
    # Masked, as are the secrets picked from it: a traceback captured with its locals (an
    # error tracker's) of any error raised here must not print the environment.
    env = _Environment(os.environ if environ is None else environ)

    def pick(given: str | Path | None, name: str) -> str | None:
        return str(given) if given else env.get(name) or None

    def secret_of(given: str | None, name: str) -> Secret | None:
        value = pick(given, name)
        return None if value is None else Secret(value)

    file_name = pick(refresh_token_file, "CONCUR_REFRESH_TOKEN_FILE")
    token_file = Path(file_name).expanduser() if file_name else None
    where: dict[str, Any] = {"base_url": pick(base_url, "CONCUR_BASE_URL"),
                             "token_url": pick(token_url, "CONCUR_TOKEN_URL"),
                             "refresh_token_file": token_file,
                             "redis_url": pick(redis_url, "CONCUR_REDIS_URL"),
                             "redis_namespace": pick(redis_namespace, "CONCUR_REDIS_NAMESPACE")}
    if where["redis_url"] and not where["redis_namespace"]:
        # Guessing it (from the client id, say) could share one company's token with another.
        raise ConfigurationError(
            "CONCUR_REDIS_NAMESPACE is not set: name the Concur identity (company or user) "
            "the processes sharing CONCUR_REDIS_URL act as"
        )
    static = secret_of(access_token, "CONCUR_ACCESS_TOKEN")
    if static:
        return EnvConfig(StaticToken(static), **where)
    cid = pick(client_id, "CONCUR_CLIENT_ID")
    secret = secret_of(client_secret, "CONCUR_CLIENT_SECRET")
    stored = read_token_file(token_file)
    if stored is not None and stored.expired():
        stored = None  # spent by now: the variables' credentials are the way back in
    rtoken = stored.refresh_token if stored else secret_of(refresh_token, "CONCUR_REFRESH_TOKEN")
    user, pwd = pick(username, "CONCUR_USERNAME"), secret_of(password, "CONCUR_PASSWORD")
    if not (cid or secret or rtoken or user or pwd):
        raise ConfigurationError(_NOTHING)
    if not cid:
        raise ConfigurationError("CONCUR_CLIENT_ID is not set (the OAuth2 client id)")
    if not secret:
        raise ConfigurationError("CONCUR_CLIENT_SECRET is not set (the OAuth2 client secret)")
    if rtoken:
        geolocation = stored.geolocation if stored else None
        return EnvConfig(RefreshTokenGrant(cid, secret, rtoken, geolocation), **where)
    if not user:
        which = "CONCUR_USERNAME" if pwd else "CONCUR_REFRESH_TOKEN (or CONCUR_USERNAME)"
        raise ConfigurationError(f"{which} is not set")
    if not pwd:
        raise ConfigurationError("CONCUR_PASSWORD is not set (the password grant needs it)")
    kind = credtype or env.get("CONCUR_CREDTYPE") or "password"
    if kind not in ("password", "authtoken"):
        raise ConfigurationError(f"CONCUR_CREDTYPE must be password or authtoken, not {kind!r}")
    grant = PasswordGrant(client_id=cid, client_secret=secret, username=user, password=pwd,
                          credtype="authtoken" if kind == "authtoken" else "password")
    return EnvConfig(grant, **where)


def _both(
    first: Callable[[Token], Awaitable[None]], then: Callable[[Token], Awaitable[None]] | None
) -> Callable[[Token], Awaitable[None]]:
    if then is None:
        return first

    async def both(token: Token) -> None:
        await first(token)
        await then(token)

    return both
