"""Rate and concurrency limits shared by every task of one client.

Three gates, in order: a pause that a 429 sets for the whole client (Concur throttles the
company, not the task that happened to be refused), a cap on requests in flight, and
requests-per-second budgets (one for the client, one per API family where Concur publishes
its own, e.g. Quick Expense's 120 requests per 5 minutes). The budgets are kept by the
client's ``Coordination``: in memory by default, or shared by every process of an identity.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import anyio

from ._coordination import LocalCoordination
from ._errors import ConfigurationError
from ._rates import DEFAULT_FAMILY_LIMITS, RateLimit

if TYPE_CHECKING:
    from ._coordination import Coordination, NamedLimit

__all__ = ["Limiter"]


class Limiter:
    """The client's gates: ``acquire(family)`` before each request, ``release()`` after."""

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
        self._in_flight = anyio.Semaphore(max_concurrency, fast_acquire=True)
        self._coordination = coordination
        # In-process budgets have nothing to wait for without a limit; a shared one may still
        # hold a pause set by another process.
        self._ask_always = not isinstance(coordination, LocalCoordination)
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

    async def acquire(self, family: str | None = None) -> None:
        """Wait for a slot under every gate; ``release()`` it once the request is done.

        Cancelled at any of its awaits, it holds nothing. (A ``try/finally`` around
        ``acquire``/``release`` costs less per request than a context manager.)
        """
        if self._resume_at > time.monotonic():
            await self._wait_for_pause()
        # Fast acquire: a free slot is taken without yielding to the event loop (one loop
        # iteration less per request); a full semaphore still queues its waiters in order.
        await self._in_flight.acquire()
        try:
            if self._resume_at > time.monotonic():
                # A pause set while this task queued for a slot applies to it too.
                await self._wait_for_pause()
            limits = self._limits.get(family, self._rate) if family else self._rate
            if limits or self._ask_always:
                await self._coordination.acquire(limits)
        except BaseException:
            self._in_flight.release()
            raise

    def release(self) -> None:
        self._in_flight.release()
