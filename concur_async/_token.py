"""An access token and everything Concur's token answer says about it.

Concur documents these answer fields: ``access_token``, ``expires_in`` (seconds, as a string),
``refresh_token``, ``refresh_expires_in`` (an epoch time, per the docs), ``scope``,
``token_type``, ``id_token`` (an OIDC JWT) and ``geolocation`` (the base URL of the company's
data centre). ``Token`` exposes all of them; the secret ones are held as ``Secret`` so that no
repr, and no traceback frame holding a ``Token``, shows them.

A lifetime below ``LIFETIME_FLOOR`` (``"0"``, negative, ``NaN``, ``inf``, unreadable) cannot be
planned around: such a token is used until its first 401 rather than treated as already
expired, which would send one token request per call.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from typing import Any

import msgspec

from ._secrets import Secret, reveal

__all__ = ["LIFETIME_FLOOR", "REFRESH_MARGIN", "Token", "TokenAnswer", "lifetime_of"]

#: Refresh this long (or a tenth of the lifetime, if shorter) before ``expires_in`` runs out,
#: so no request races the expiry.
REFRESH_MARGIN = 60.0
#: A stated lifetime below this is not believed: the token is used until a 401 says it is spent.
LIFETIME_FLOOR = 30.0
#: The lifetime Concur documents, used when an answer states none.
DEFAULT_LIFETIME = 3600.0
#: ``refresh_expires_in`` values above this are epoch times (as documented); below, seconds.
_EPOCH_THRESHOLD = 10**9

class TokenAnswer(msgspec.Struct, frozen=True):
    """A token endpoint's 200 answer, its secrets decoded straight into ``Secret``."""

    access_token: Secret
    # Any JSON value: whatever Concur sends here is read leniently, never refused.
    expires_in: Any = None
    refresh_token: Secret | None = None
    refresh_expires_in: Any = None
    geolocation: str | None = None
    scope: str | None = None
    token_type: str | None = None
    id_token: Secret | None = None


def decode_hook(kind: type, value: Any) -> Any:
    if kind is Secret and isinstance(value, str):
        return Secret(value)
    raise NotImplementedError(f"{kind!r} is not decoded here")


ANSWER_DECODER = msgspec.json.Decoder(TokenAnswer, dec_hook=decode_hook)


def lifetime_of(expires_in: object) -> float | None:
    """Seconds a token lives, from ``expires_in`` as Concur sent it (string or number).

    An hour when it is missing; None when it is unusable or under ``LIFETIME_FLOOR``.
    """
    if expires_in is None:
        return DEFAULT_LIFETIME
    if isinstance(expires_in, bool):
        return None
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(seconds) or seconds < LIFETIME_FLOOR:
        return None
    return seconds


def _refresh_expiry(value: object, wall: float) -> datetime | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number) or number <= 0:
        return None
    epoch = number if number >= _EPOCH_THRESHOLD else wall + number
    try:
        return datetime.fromtimestamp(epoch, UTC)
    except (OverflowError, OSError, ValueError):
        return None


class Token:
    """An access token and what came with it. Its repr never shows a secret.

    ``expires_at`` and ``refresh_at`` are on the monotonic clock (``inf`` for a token used
    until a 401); ``to_record``/``from_record`` convert them to and from wall-clock times for a
    store shared between processes.
    """

    __slots__ = (
        "_access", "_id", "_refresh", "expires_at", "expires_in", "geolocation", "refresh_at",
        "refresh_expires_at", "refresh_expires_in", "scope", "token_type",
    )

    def __init__(
        self,
        access_token: str | Secret,
        expires_at: float = math.inf,
        refresh_token: str | Secret | None = None,
        geolocation: str | None = None,
        refresh_at: float | None = None,
        *,
        scope: str | None = None,
        token_type: str | None = None,
        id_token: str | Secret | None = None,
        expires_in: Any = None,
        refresh_expires_in: Any = None,
        refresh_expires_at: datetime | None = None,
    ) -> None:
        self._access = Secret(access_token)
        self._refresh = None if refresh_token is None else Secret(refresh_token)
        self._id = None if id_token is None else Secret(id_token)
        self.expires_at = expires_at
        self.refresh_at = expires_at - REFRESH_MARGIN if refresh_at is None else refresh_at
        self.geolocation = geolocation
        self.scope = scope
        self.token_type = token_type
        #: As Concur sent them (``expires_in`` seconds, ``refresh_expires_in`` epoch seconds).
        self.expires_in = expires_in
        self.refresh_expires_in = refresh_expires_in
        #: When the refresh token runs out (UTC), when Concur said so.
        self.refresh_expires_at = refresh_expires_at or _refresh_expiry(
            refresh_expires_in, time.time()
        )

    @classmethod
    def from_answer(
        cls, answer: TokenAnswer, *, now: float, geolocation: str | None,
        refresh_token: Secret | None,
    ) -> Token:
        """The token an answer gives; ``geolocation`` and ``refresh_token`` stand in for what
        the answer leaves out (an unrotated refresh token is still the live one)."""
        lifetime = lifetime_of(answer.expires_in)
        expires_at = math.inf if lifetime is None else now + lifetime
        refresh_at = expires_at - min(REFRESH_MARGIN, (lifetime or 0.0) * 0.1)
        return cls(
            answer.access_token, expires_at, answer.refresh_token or refresh_token,
            answer.geolocation or geolocation, refresh_at, scope=answer.scope,
            token_type=answer.token_type, id_token=answer.id_token,
            expires_in=answer.expires_in, refresh_expires_in=answer.refresh_expires_in,
        )

    @property
    def access_token(self) -> str:
        return self._access.get_secret_value()

    @property
    def access_secret(self) -> Secret:
        """The access token, held masked (for code that passes it on without showing it)."""
        return self._access

    @property
    def refresh_token(self) -> str | None:
        return reveal(self._refresh)

    @property
    def id_token(self) -> str | None:
        return reveal(self._id)

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return tuple(s for s in (self._access, self._refresh, self._id) if s)

    @property
    def short_lived(self) -> bool:
        """Concur gave no usable lifetime: the token is used until a 401 says it is spent."""
        return self.expires_at == math.inf and self.expires_in is not None

    def fresh(self, now: float) -> bool:
        return now < self.refresh_at

    def spend(self) -> None:
        """Mark the token as refused (a 401): the next caller refreshes."""
        self.expires_at = self.refresh_at = 0.0

    def __repr__(self) -> str:
        return (
            f"Token(access_token='***', refresh_token={'***' if self._refresh else None}, "
            f"geolocation={self.geolocation!r}, scope={self.scope!r}, "
            f"token_type={self.token_type!r}, refresh_expires_at={self.refresh_expires_at!r})"
        )

    __str__ = __repr__

    def to_record(self) -> dict[str, Any]:
        """Every field as plain JSON values, secrets in clear, times as epoch seconds: what a
        store shared between processes (or a file) keeps. Guard it like the secrets it holds."""
        wall, mono = time.time(), time.monotonic()

        def epoch(at: float) -> float | None:
            return None if at == math.inf else wall + (at - mono)

        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "id_token": self.id_token,
            "expires_at": epoch(self.expires_at),
            "refresh_at": epoch(self.refresh_at),
            "geolocation": self.geolocation,
            "scope": self.scope,
            "token_type": self.token_type,
            "expires_in": self.expires_in,
            "refresh_expires_in": self.refresh_expires_in,
            "refresh_expires_at": None if self.refresh_expires_at is None
            else self.refresh_expires_at.timestamp(),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Token:
        """The token ``to_record`` wrote (in this process or another)."""
        wall, mono = time.time(), time.monotonic()

        def monotonic(at: float | None) -> float:
            return math.inf if at is None else mono + (float(at) - wall)

        expiry = record.get("refresh_expires_at")
        return cls(
            record["access_token"], monotonic(record.get("expires_at")),
            record.get("refresh_token"), record.get("geolocation"),
            monotonic(record.get("refresh_at", record.get("expires_at"))),
            scope=record.get("scope"), token_type=record.get("token_type"),
            id_token=record.get("id_token"), expires_in=record.get("expires_in"),
            refresh_expires_in=record.get("refresh_expires_in"),
            refresh_expires_at=None if expiry is None else datetime.fromtimestamp(expiry, UTC),
        )
