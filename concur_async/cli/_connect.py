"""From command-line options and environment variables to an open ``ConcurClient``.

Secrets are best given through the environment (a flag shows in the process list); none is
ever printed: the grant dataclasses keep them out of their reprs and errors name only the
variable that is missing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from .._auth import Grant, PasswordGrant, RefreshTokenGrant, StaticToken, Token
from .._client import ConcurClient
from .._errors import ConcurError, ConfigurationError
from ._console import EXIT_FAILED, EXIT_INTERRUPTED, CliError

__all__ = ["Connection", "run"]

T = TypeVar("T")

_MISSING = (
    "missing credentials: set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET, and either "
    "CONCUR_REFRESH_TOKEN or CONCUR_USERNAME and CONCUR_PASSWORD "
    "(or CONCUR_ACCESS_TOKEN alone); see --help"
)


@dataclass(frozen=True, slots=True)
class Connection:
    """Where Concur is and how to sign in; built from the options every command shares."""

    base_url: str
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token_file: Path | None = None
    max_concurrency: int = 32

    def grant(self) -> Grant:
        """The grant the credentials given make up, or a CliError naming what is missing."""
        if self.access_token:
            return StaticToken(self.access_token)
        refresh_token = self._stored_refresh_token() or self.refresh_token
        if not (self.client_id and self.client_secret):
            missing = [name for name, value in (("CONCUR_CLIENT_ID", self.client_id),
                                                ("CONCUR_CLIENT_SECRET", self.client_secret))
                       if not value]
            given = refresh_token or self.username or self.password
            raise CliError(f"missing {' and '.join(missing)}" if given else _MISSING)
        if refresh_token:
            return RefreshTokenGrant(self.client_id, self.client_secret, refresh_token)
        if self.username and self.password:
            return PasswordGrant(client_id=self.client_id, client_secret=self.client_secret,
                                 username=self.username, password=self.password)
        if self.username or self.password:
            lacking = "CONCUR_PASSWORD" if self.username else "CONCUR_USERNAME"
            raise CliError(f"missing {lacking} for the password grant")
        raise CliError(_MISSING)

    def _stored_refresh_token(self) -> str | None:
        """The refresh token kept by an earlier run: Concur rotates it on every refresh."""
        if self.refresh_token_file is None:
            return None
        try:
            return self.refresh_token_file.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CliError(f"cannot read the refresh token file: {exc.strerror}") from None

    def client(self) -> ConcurClient:
        try:
            return ConcurClient(
                auth=self.grant(), base_url=self.base_url, token_url=self.token_url,
                max_concurrency=self.max_concurrency, on_token_refresh=self._keep_refresh_token,
            )
        except ConfigurationError as exc:
            raise CliError(f"configuration: {exc}") from None

    async def _keep_refresh_token(self, token: Token) -> None:
        if self.refresh_token_file is None or not token.refresh_token:
            return
        _write_private(self.refresh_token_file, token.refresh_token + "\n")


def _write_private(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file only its owner can read."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def run(
    connection: Connection, work: Callable[[ConcurClient], Awaitable[T]], *,
    on_interrupt: str = "interrupted",
) -> T:
    """Open a client, run ``work`` with it, and turn Concur's errors into one-line CliErrors."""

    async def main() -> T:
        async with connection.client() as client:
            return await work(client)

    try:
        return asyncio.run(main())
    except KeyboardInterrupt:
        raise CliError(on_interrupt, exit_code=EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        raise  # the reader of standard output went away: main() ends quietly
    except OSError as exc:
        # The client maps network errors to TransportError: this is a local file (an output,
        # a checkpoint) that could not be written.
        where = f" {exc.filename}" if exc.filename else ""
        raise CliError(f"{exc.strerror or exc}{where}", exit_code=EXIT_FAILED) from None
    except ConfigurationError as exc:
        raise CliError(f"configuration: {exc}") from None
    except ConcurError as exc:
        raise CliError(f"{type(exc).__name__}: {exc}", exit_code=EXIT_FAILED) from None
