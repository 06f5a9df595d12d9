"""The refresh-token file (``CONCUR_REFRESH_TOKEN_FILE``): what one run leaves the next.

Concur rotates the refresh token on every refresh, and its docs ask for the geolocation and
the refresh token's expiry (``refresh_expires_in``) to be stored with it: the next run must
refresh at the data centre the token belongs to. The file is a small JSON object::

    {"refresh_token": "...", "geolocation": "https://us2.api.concursolutions.com",
     "refresh_expires_in": 1767139200, "refresh_expires_at": "2026-12-31T00:00:00+00:00"}

A file an earlier version wrote (the bare refresh token on one line) is still read. The file
is replaced atomically, readable by its owner only (mode 0600).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import msgspec

from ._errors import ConfigurationError
from ._files import write_atomically
from ._secrets import Secret
from ._token import Token

__all__ = ["StoredRefresh", "read_token_file", "write_token_file"]


@dataclass(frozen=True, slots=True)
class StoredRefresh:
    """What the file holds: the refresh token, its data centre and its expiry."""

    refresh_token: Secret
    geolocation: str | None = None
    expires_at: datetime | None = None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or datetime.now(UTC))


class _Record(msgspec.Struct):
    refresh_token: str
    geolocation: str | None = None
    refresh_expires_in: Any = None
    refresh_expires_at: str | None = None


def read_token_file(path: Path | None) -> StoredRefresh | None:
    """The refresh token an earlier run kept (None when there is no file, or it is empty)."""
    if path is None:
        return None
    try:
        # Held masked from the start: an error raised here shows this frame's locals.
        content = Secret(path.read_text(encoding="utf-8").strip())
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigurationError(
            f"cannot read CONCUR_REFRESH_TOKEN_FILE {path}: {exc.strerror}") from None
    if not content:
        return None
    if not content.get_secret_value().startswith("{"):  # the bare token of earlier versions
        return StoredRefresh(content)
    try:
        record = msgspec.json.decode(content.get_secret_value(), type=_Record)
    except msgspec.DecodeError:
        raise ConfigurationError(  # never repeating the content: it holds a refresh token
            f"CONCUR_REFRESH_TOKEN_FILE {path} is not a refresh-token file") from None
    if not record.refresh_token:
        return None
    return StoredRefresh(Secret(record.refresh_token), record.geolocation or None,
                         _when(record.refresh_expires_at))


def _when(text: str | None) -> datetime | None:
    try:
        return None if text is None else datetime.fromisoformat(text)
    except ValueError:
        return None  # an unreadable expiry: the token is tried, Concur says if it is spent


class _Masked(bytes):
    """The file's bytes (a refresh token among them), masked in the writer's frame locals."""

    def __repr__(self) -> str:
        return "<refresh-token record>"


async def write_token_file(path: Path, token: Token) -> None:
    """Keep ``token``'s refresh token, geolocation and refresh expiry in ``path``."""
    if not token.refresh_token:
        return
    expires = token.refresh_expires_at
    # A thread: the write is flushed to disk, which must not stall every task of the loop.
    await anyio.to_thread.run_sync(write_atomically, path, _Masked(msgspec.json.encode(_Record(
        refresh_token=token.refresh_token, geolocation=token.geolocation,
        refresh_expires_in=token.refresh_expires_in,
        refresh_expires_at=None if expires is None else expires.isoformat(),
    )) + b"\n"))
