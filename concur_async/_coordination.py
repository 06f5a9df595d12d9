"""What the holders of one Concur identity share: the token, its refresh, the rate budget, pauses.

A ``ConcurClient`` asks its ``Coordination`` three things: a fresh token when its own is stale
(``exchange``, the token manager's ``TokenStore``), leave to send one request under the rate
limits that apply (``acquire``), and to tell every other holder about a 429 (``pause``).
``LocalCoordination``, the default, answers within this process: what a single client has
always done. ``concur_async.redis`` answers across processes, so that many of them can share
one identity (Concur rotates the refresh token on every refresh: two processes refreshing on
their own lock each other out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from ._auth import Token, TokenStore
from ._rates import RateLimit, bucket_shape

if TYPE_CHECKING:
    from aiolimiter import AsyncLimiter

__all__ = ["Coordination", "LocalCoordination", "NamedLimit", "Refresh"]

#: Sends one token request from the token it is given (``None``: the grant's credentials).
Refresh = Callable[[Token | None], Awaitable[Token]]
#: A rate limit and the name its budget is kept under (``"rate"``, ``"family:quick_expense"``).
NamedLimit = tuple[str, RateLimit]


class Coordination(TokenStore, Protocol):
    """The state a Concur identity's clients share. ``open``/``aclose`` follow the client's;
    ``load``, ``exchange`` and ``forget`` are the token manager's ``TokenStore``."""

    async def open(self) -> None: ...

    async def aclose(self) -> None: ...

    async def acquire(self, limits: Sequence[NamedLimit]) -> None:
        """Wait until one more request fits every limit named, and no pause holds."""
        ...

    async def pause(self, seconds: float) -> None:
        """Hold every other holder's requests for ``seconds`` (a 429's Retry-After)."""
        ...


class LocalCoordination:
    """Within one process: the refresh as asked, budgets in memory, nobody else to pause."""

    def __init__(self) -> None:
        self._buckets: dict[str, AsyncLimiter] = {}

    async def open(self) -> None:
        return None

    async def aclose(self) -> None:
        return None

    async def load(self) -> Token | None:
        return None  # the token manager holds the only copy

    async def exchange(self, stale: Token | None, refresh: Refresh) -> Token:
        return await refresh(stale)

    async def forget(self) -> None:
        return None

    async def acquire(self, limits: Sequence[NamedLimit]) -> None:
        for name, limit in limits:
            bucket = self._buckets.get(name)
            if bucket is None:
                # Imported with the first budget: most clients set none (it imports
                # importlib.metadata, a good part of the SDK's own import time).
                from aiolimiter import AsyncLimiter

                bucket = self._buckets[name] = AsyncLimiter(*bucket_shape(limit))
            await bucket.acquire()

    async def pause(self, seconds: float) -> None:
        return None  # the client's own Limiter already holds this process
