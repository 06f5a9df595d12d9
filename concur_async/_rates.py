"""How fast requests may go: a budget, Concur's published per-API budgets, and the token bucket
that enforces one. Plain values, shared by the in-process limiter and the Redis coordination."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from ._errors import ConfigurationError

__all__ = ["DEFAULT_FAMILY_LIMITS", "RateLimit", "bucket_shape"]


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


def bucket_shape(limit: RateLimit) -> tuple[float, float]:
    """The bucket that enforces ``limit``: how many requests may go at once, refilled over how
    many seconds."""
    # A full bucket bursts; a bucket of one second's worth keeps bursts short.
    if limit.period > 1 and limit.max_rate / limit.period >= 1:
        rate = limit.max_rate / limit.period
        return max(1, math.floor(rate)), max(1, math.floor(rate)) / rate
    return limit.max_rate, limit.period
