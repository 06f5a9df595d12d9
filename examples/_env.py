"""Where the examples connect: LocalConcur by default, the Concur the CONCUR_* variables name.

With credentials in the environment (see ``ConcurClient.from_env``: ``CONCUR_CLIENT_ID``,
``CONCUR_CLIENT_SECRET`` and ``CONCUR_REFRESH_TOKEN``, or ``CONCUR_USERNAME`` and
``CONCUR_PASSWORD``; ``CONCUR_BASE_URL`` for a data centre other than the US one, or for a
``python -m concur_async.testing serve`` on this machine) an example talks to that Concur.
``CONCUR_REFRESH_TOKEN_FILE`` keeps the rotated refresh token between runs.

Without credentials an example starts ``LocalConcur`` in-process: a test double of the Concur
APIs on 127.0.0.1, never Concur itself, seeded with made-up data for the example to work on.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from concur_async import ConcurClient, ConfigurationError, credentials_in_env
from concur_async.testing import LocalConcur

__all__ = ["Target", "check_env", "concur_target"]


@dataclass(frozen=True)
class Target:
    """What an example talks to: ``make_client(**options)`` builds an unopened client for it.

    ``samples`` is true when it holds LocalConcur's made-up data: an in-process LocalConcur
    (``local``), or one served on this machine (SAP Concur is never on a loopback address).
    """

    label: str
    make_client: Callable[..., ConcurClient]
    local: LocalConcur | None = None
    samples: bool = False


def check_env() -> str | None:
    """The base URL the CONCUR_* variables name (None without any); exits naming a gap."""
    if not credentials_in_env():
        return None
    try:
        return ConcurClient.from_env().base_url
    except ConfigurationError as exc:
        sys.exit(f"error: {exc} (or set none of the CONCUR_* variables, to run against "
                 "LocalConcur)")


@asynccontextmanager
async def concur_target(
    *, vendors: int = 0, prepare: Callable[[LocalConcur], object] | None = None
) -> AsyncIterator[Target]:
    """The Concur the environment names, else a LocalConcur for the duration.

    ``vendors`` and ``prepare`` (which seeds the LocalConcur's state) only apply to LocalConcur.
    """
    base_url = check_env()
    if base_url is not None:
        host = urlsplit(base_url).hostname or ""
        yield Target(f"the Concur at {base_url} (CONCUR_* variables)", ConcurClient.from_env,
                     samples=host == "localhost" or host.startswith("127."))
        return
    async with LocalConcur(vendors=vendors) as concur:
        if prepare is not None:
            prepare(concur)
        yield Target(f"LocalConcur at {concur.base_url} (a local test double, not Concur)",
                     concur.client, concur, samples=True)
