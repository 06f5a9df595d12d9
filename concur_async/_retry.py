"""When to try a request again, and how long to wait first: one decision for every caller.

The client's request loop, the token manager and the bulk syncs all ask ``RetryPolicy.decide``
the same question (this error, on this attempt, after this long: wait how long, or give up?),
and every wait that is not Concur's own ``Retry-After`` comes from the one ``backoff``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from ._errors import (
    ConfigurationError,
    MalformedAnswerError,
    RateLimitError,
    ServerError,
    TransportError,
)

__all__ = ["IDEMPOTENT_METHODS", "NO_RETRY", "RetryPolicy", "parse_retry_after"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in attempts and in total time.

    Connection errors, timeouts, unreadable answers and ``retry_statuses`` are retried for
    idempotent calls; a POST only when the call is marked safe to repeat. A 429 is retried for
    every method (Concur refused it before doing anything) after its ``Retry-After``, but only
    when that wait is at most ``max_retry_after`` and fits in ``max_total_seconds``: a longer
    one raises ``RateLimitError`` at once, with ``retry_after`` set, rather than hang the call.
    A body that cannot be sent twice (a stream) is never retried.
    """

    max_attempts: int = 5
    backoff_base: float = 0.25
    backoff_max: float = 20.0
    max_total_seconds: float = 120.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    #: Wait used for a 429 that names no Retry-After.
    default_retry_after: float = 1.0
    #: The longest Retry-After the SDK waits (and pauses the client for).
    max_retry_after: float = 60.0
    #: A Retry-After beyond ``max_retry_after``: raise at once (False, what a caller waiting
    #: on one call wants), or wait ``max_retry_after`` and try again (True, what a long batch
    #: job wants: a 429 was refused before anything was done, so trying again is safe).
    retry_past_cap: bool = False

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("max_attempts must be at least 1")
        if min(self.backoff_base, self.backoff_max, self.max_total_seconds,
               self.default_retry_after, self.max_retry_after) < 0:
            raise ConfigurationError("RetryPolicy's waits and budgets must not be negative")

    def backoff(self, attempt: int) -> float:
        """Delay before attempt ``attempt + 1`` (attempt counts from 1)."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)

    def rate_limit_wait(self, retry_after: float | None) -> float:
        """How long a 429 holds the calls behind it: Concur's wait, but never longer than this
        policy would wait itself (``max_retry_after``, ``max_total_seconds``)."""
        wait = self.default_retry_after if retry_after is None else retry_after
        return min(wait, self.max_retry_after, self.max_total_seconds)

    def retryable(self, error: Exception, *, idempotent: bool = True) -> bool:
        """Whether ``error`` is of a kind that may pass on another try."""
        if isinstance(error, RateLimitError):
            return True
        if not idempotent:
            return False
        if isinstance(error, TransportError | MalformedAnswerError):
            return True
        return isinstance(error, ServerError) and error.status in self.retry_statuses

    def decide(
        self,
        error: Exception,
        *,
        attempt: int,
        elapsed: float,
        idempotent: bool = True,
        replayable: bool = True,
    ) -> float | None:
        """Seconds to wait before trying again after ``error`` on attempt ``attempt`` (from 1),
        ``elapsed`` seconds after the first; None means give up and raise ``error``."""
        if not replayable or not self.retryable(error, idempotent=idempotent):
            return None
        if isinstance(error, RateLimitError):
            wait = self.default_retry_after if error.retry_after is None else error.retry_after
            if wait > self.max_retry_after:
                if not self.retry_past_cap:
                    return None
                wait = self.max_retry_after
        else:
            wait = self.backoff(attempt)
        return wait if self.may_retry(attempt, elapsed, wait) else None

    def may_retry(self, attempt: int, elapsed: float, delay: float) -> bool:
        """Whether another attempt after ``delay`` stays within the attempts and time budget."""
        return attempt < self.max_attempts and elapsed + delay <= self.max_total_seconds


NO_RETRY = RetryPolicy(max_attempts=1)


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
