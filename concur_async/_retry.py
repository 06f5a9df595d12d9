"""When to try a request again, and how long to wait first."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._errors import ConfigurationError

__all__ = ["IDEMPOTENT_METHODS", "RetryPolicy"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in total time.

    Connection errors, timeouts and ``retry_statuses`` are retried for idempotent methods;
    a POST only when the call is marked safe to repeat. A 429 is retried for every method:
    Concur refused it before doing anything, after the Retry-After pause.
    """

    max_attempts: int = 5
    backoff_base: float = 0.25
    backoff_max: float = 20.0
    max_total_seconds: float = 120.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    #: Wait used for a 429 that names no Retry-After.
    default_retry_after: float = 1.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("max_attempts must be at least 1")

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (attempt counts from 1)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)

    def may_retry(self, attempt: int, elapsed: float, delay: float) -> bool:
        return attempt < self.max_attempts and elapsed + delay <= self.max_total_seconds


NO_RETRY = RetryPolicy(max_attempts=1)
