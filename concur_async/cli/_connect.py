"""From command-line options and environment variables to an open ``ConcurClient``.

Secrets are best given through the environment (a flag shows in the process list); none is
ever printed: the grant dataclasses keep them out of their reprs and errors name only the
variable that is missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .._client import ConcurClient
from .._env import read_env
from .._errors import AuthenticationError, ConcurError, ConfigurationError
from ._console import EXIT_FAILED, EXIT_INTERRUPTED, CliError

__all__ = ["Connection", "run"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Connection:
    """Where Concur is and how to sign in: the ``CONCUR_*`` variables, under the flags given.

    ``flags`` holds the connection options given on the command line (``None`` when not
    given); the environment is read by ``concur_async._env`` alone.
    """

    flags: dict[str, Any] = field(default_factory=dict, repr=False)
    max_concurrency: int = 32

    def check(self) -> None:
        """Raise a CliError naming the variable missing, before any file is read."""
        try:
            read_env(**self._given())
        except ConfigurationError as exc:
            raise CliError(f"{exc}; see --help") from None

    def client(self) -> ConcurClient:
        try:
            return ConcurClient.from_env(**self._given(), max_concurrency=self.max_concurrency)
        except ConfigurationError as exc:
            raise CliError(f"configuration: {exc}") from None

    def _given(self) -> dict[str, Any]:
        return {name: value for name, value in self.flags.items() if value is not None}


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
    except AuthenticationError as exc:
        # Wrong or expired credentials: fixed by the caller, like a wrong command line.
        raise CliError(f"Concur refused the credentials: {exc}") from None
    except ConcurError as exc:
        raise CliError(f"{type(exc).__name__}: {exc}", exit_code=EXIT_FAILED) from None
