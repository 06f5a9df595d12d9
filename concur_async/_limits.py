"""Rate and concurrency limits shared by every task of one client.

Three gates, in order: a pause that a 429 sets for the whole client (Concur throttles the
company, not the task that happened to be refused), a cap on requests in flight, and
requests-per-second budgets (one for the client, one per API family where Concur publishes
its own, e.g. Quick Expense's 120 requests per 5 minutes). The budgets are kept by the
client's ``Coordination``: in memory by default, or shared by every process of an identity.
"""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import anyio

from ._errors import ConfigurationError

if TYPE_CHECKING:
    from ._coordination import Coordination, NamedLimit

__all__ = [
    "DEFAULT_FAMILY_LIMITS", "Limiter", "RateLimit", "bucket_shape", "parse_retry_after",
]


@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most ``max_rate`` requests in any ``period`` seconds."""

    max_rate: float
    period: float = 1.0

    def __post_init__(self) -> None:
        if self.max_rate <= 0 or self.period <= 0:
            raise ConfigurationError("RateLimit needs a positive max_rate and period")


#: Concur's published per-API limits.
DEFAULT_FAMILY_LIMITS: Mapping[str, RateLimit] = {
    "quick_expense": RateLimit(120, 300),
    "invoice_pay": RateLimit(10_000, 60),
}


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


def bucket_shape(limit: RateLimit) -> tuple[float, float]:
    """The bucket that enforces ``limit``: how many requests may go at once, refilled over how
    many seconds."""
    # A full bucket bursts; a bucket of one second's worth keeps bursts short.
    if limit.period > 1 and limit.max_rate / limit.period >= 1:
        rate = limit.max_rate / limit.period
        return max(1, math.floor(rate)), max(1, math.floor(rate)) / rate
    return limit.max_rate, limit.period


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds (possibly 0) or an HTTP-date."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
