"""Where the examples connect: LocalConcur by default, SAP Concur when credentials are set.

With ``CONCUR_CLIENT_ID``, ``CONCUR_CLIENT_SECRET`` and ``CONCUR_REFRESH_TOKEN`` in the
environment (and ``CONCUR_BASE_URL`` for a data centre other than the US one) an example talks
to SAP Concur with a refresh-token grant. Concur hands out a new refresh token on every refresh:
set ``CONCUR_REFRESH_TOKEN_FILE`` to a path and the current one is kept there (mode 0600) and
read from there next time, instead of ``CONCUR_REFRESH_TOKEN``.

Without credentials an example starts ``LocalConcur`` in-process: a test double of the Concur
APIs on 127.0.0.1, never Concur itself, seeded with made-up data for the example to work on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from concur_async import DEFAULT_BASE_URL, ConcurClient, RefreshTokenGrant, Token
from concur_async.testing import LocalConcur

__all__ = ["Settings", "Target", "concur_target", "settings_from_env"]

REQUIRED = ("CONCUR_CLIENT_ID", "CONCUR_CLIENT_SECRET")


@dataclass(frozen=True)
class Settings:
    """Credentials for SAP Concur, read from the environment."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    token_file: Path | None = None

    def client(self, **options: Any) -> ConcurClient:
        grant = RefreshTokenGrant(client_id=self.client_id, client_secret=self.client_secret,
                                  refresh_token=self.refresh_token)
        if self.token_file is not None:
            options.setdefault("on_token_refresh", self._keep_refresh_token)
        return ConcurClient(auth=grant, base_url=self.base_url, **options)

    async def _keep_refresh_token(self, token: Token) -> None:
        if token.refresh_token and self.token_file is not None:
            # Written aside and renamed, so a crash never leaves half a token behind.
            spare = self.token_file.with_suffix(self.token_file.suffix + ".new")
            fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(token.refresh_token)
            spare.replace(self.token_file)


def settings_from_env(env: dict[str, str] | None = None) -> Settings | None:
    """SAP Concur credentials from the environment; None when none are given at all."""
    env = dict(os.environ if env is None else env)
    token_file = Path(env["CONCUR_REFRESH_TOKEN_FILE"]) if env.get(
        "CONCUR_REFRESH_TOKEN_FILE") else None
    refresh_token = env.get("CONCUR_REFRESH_TOKEN", "")
    if token_file is not None and token_file.exists():
        refresh_token = token_file.read_text().strip()  # the latest rotation wins
    given = [name for name in (*REQUIRED, "CONCUR_REFRESH_TOKEN") if env.get(name)]
    if not given and token_file is None:
        return None
    missing = [name for name in REQUIRED if not env.get(name)]
    if not refresh_token:
        missing.append("CONCUR_REFRESH_TOKEN")
    if missing:
        sys.exit(f"set {', '.join(missing)} too (or none of the CONCUR_* variables, "
                 "to run against LocalConcur)")
    return Settings(env["CONCUR_CLIENT_ID"], env["CONCUR_CLIENT_SECRET"], refresh_token,
                    env.get("CONCUR_BASE_URL") or DEFAULT_BASE_URL, token_file)


@dataclass(frozen=True)
class Target:
    """What an example talks to: ``make_client(**options)`` builds an unopened client for it."""

    label: str
    make_client: Callable[..., ConcurClient]
    local: LocalConcur | None = None


@asynccontextmanager
async def concur_target(
    *, vendors: int = 0, prepare: Callable[[LocalConcur], object] | None = None
) -> AsyncIterator[Target]:
    """SAP Concur if the environment has credentials, else a LocalConcur for the duration.

    ``vendors`` and ``prepare`` (which seeds the LocalConcur's state) only apply to LocalConcur.
    """
    settings = settings_from_env()
    if settings is not None:
        yield Target(f"SAP Concur at {settings.base_url}", settings.client)
        return
    async with LocalConcur(vendors=vendors) as concur:
        if prepare is not None:
            prepare(concur)
        yield Target(f"LocalConcur at {concur.base_url} (a local test double, not Concur)",
                     concur.client, concur)
