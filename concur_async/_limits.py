"""Rate and concurrency limits shared by every task of one client.

Three gates, in order: a pause that a 429 sets for the whole client (Concur throttles the
company, not the task that happened to be refused), a cap on requests in flight, and
requests-per-second budgets (one for the client, one per API family where Concur publishes
its own, e.g. Quick Expense's 120 requests per 5 minutes). The budgets are kept by the
client's ``Coordination``: in memory by default, or shared by every process of an identity.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import anyio

from ._errors import ConfigurationError
from ._rates import DEFAULT_FAMILY_LIMITS, RateLimit

if TYPE_CHECKING:
    from ._coordination import Coordination, NamedLimit

__all__ = ["Limiter"]


class Limiter:
    """The client's gates. ``async with limiter.slot(family):`` around each request."""

    def __init__(
        self,
        *,
        max_concurrency: int,
        coordination: Coordination,
        requests_per_second: float | None = None,
        family_limits: Mapping[str, RateLimit] = DEFAULT_FAMILY_LIMITS,
    ) -> None:
        if max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be at least 1")
        self.max_concurrency = max_concurrency
        self._in_flight = anyio.Semaphore(max_concurrency)
        self._coordination = coordination
        rate: list[NamedLimit] = (
            [("rate", RateLimit(requests_per_second))] if requests_per_second else []
        )
        # Per family, every budget its requests spend: the family's own, then the client's.
        self._limits = {name: [(f"family:{name}", limit), *rate]
                        for name, limit in family_limits.items()}
        self._rate = rate
        self._resume_at = 0.0
        self.pauses = 0

    async def pause(self, seconds: float) -> None:
        """Hold every new request of this client, and of every client sharing its coordination,
        for ``seconds`` (a 429's Retry-After)."""
        self.pauses += 1
        self._resume_at = max(self._resume_at, time.monotonic() + max(seconds, 0.0))
        await self._coordination.pause(seconds)

    @property
    def in_flight(self) -> int:
        return self.max_concurrency - self._in_flight.value

    async def _wait_for_pause(self) -> None:
        # A loop, not an Event: another 429 may push the resume time further while we sleep.
        while (delay := self._resume_at - time.monotonic()) > 0:  # noqa: ASYNC110
            await anyio.sleep(delay)

    @asynccontextmanager
    async def slot(self, family: str | None = None) -> AsyncIterator[None]:
        await self._wait_for_pause()
        async with self._in_flight:
            # A pause set while this task queued for a slot applies to it too.
            await self._wait_for_pause()
            await self._coordination.acquire(
                self._limits.get(family, self._rate) if family else self._rate
            )
            yield
