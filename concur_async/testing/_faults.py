"""Faults on demand: what a real Concur does on a bad day, reproducibly.

A ``FaultRule`` names a kind of fault, the share of matching requests it hits (``rate``), how
many times at most (``count``) and which requests match (``prefix``, ``methods``). Every
decision draws from one ``random.Random(seed)``, so a run with the same seed and the same
request order meets the same faults.

Kinds, and when they strike:

- ``latency`` / ``spike``: wait ``ms`` before answering (non-blocking, requests overlap);
- ``rate_limit``: answer 429 with ``Retry-After: retry_after`` instead of serving the request;
- ``server_error``: answer ``status`` (or one of 500/502/503 at random) instead of serving it;
- ``drop``: serve the request (writes happen), send the headers and half the body, then close
  the connection, as a proxy dying mid-answer does;
- ``malformed``: serve the request and answer 200 with the body cut in half.

Rules match API routes; the token endpoint only meets rules whose prefix starts with
``/oauth2``, so a chaos run does not lock the client out unless asked to.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["FaultKind", "FaultPlan", "FaultRule", "Faults"]

FaultKind = Literal["latency", "spike", "rate_limit", "server_error", "drop", "malformed"]
KINDS: tuple[FaultKind, ...] = (
    "latency", "spike", "rate_limit", "server_error", "drop", "malformed"
)
SERVER_ERROR_STATUSES = (500, 502, 503)
TOKEN_PREFIX = "/oauth2"  # noqa: S105 - a path, not a secret


@dataclass(slots=True)
class FaultRule:
    """One kind of fault, where it applies and how often."""

    kind: FaultKind
    rate: float = 1.0
    count: int | None = None
    prefix: str = ""
    methods: frozenset[str] | None = None
    status: int | None = None
    retry_after: float = 1.0
    ms: float = 0.0
    fired: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {KINDS}")
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        if self.methods is not None:
            self.methods = frozenset(m.upper() for m in self.methods)

    def matches(self, method: str, path: str) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        if path.startswith(TOKEN_PREFIX) and not self.prefix.startswith(TOKEN_PREFIX):
            return False
        return path.startswith(self.prefix) and (self.methods is None or method in self.methods)


@dataclass(slots=True)
class FaultPlan:
    """What to do to one request: decided before it is served."""

    delay_ms: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    after: Literal["drop", "malformed"] | None = None
    kinds: list[FaultKind] = field(default_factory=list)


class Faults:
    """The fault rules of one server, and the count of every fault served.

    ``served`` counts faults by kind; ``served_by_route`` by ``(kind, "METHOD /route")``.
    """

    def __init__(self, seed: int = 0) -> None:
        self.rules: list[FaultRule] = []
        self.served: Counter[str] = Counter()
        self.served_by_route: Counter[tuple[str, str]] = Counter()
        self.seed = seed
        self._rng = random.Random(seed)

    def __repr__(self) -> str:
        return f"Faults(rules={self.rules!r}, served={dict(self.served)!r})"

    def reseed(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def add(
        self,
        kind: FaultKind,
        *,
        rate: float = 1.0,
        count: int | None = None,
        prefix: str = "",
        methods: Iterable[str] | None = None,
        status: int | None = None,
        retry_after: float = 1.0,
        ms: float = 0.0,
    ) -> FaultRule:
        """Add a rule, e.g. ``add("rate_limit", count=3, retry_after=2)``; returns it."""
        rule = FaultRule(kind, rate=rate, count=count, prefix=prefix,
                         methods=None if methods is None else frozenset(methods),
                         status=status, retry_after=retry_after, ms=ms)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def reset_counts(self) -> None:
        self.served.clear()
        self.served_by_route.clear()

    def set(
        self,
        *,
        rate_limit: float = 0.0,
        server_error: float = 0.0,
        drop: float = 0.0,
        malformed: float = 0.0,
        latency_ms: float = 0.0,
        spike_ms: float = 0.0,
        spike_rate: float = 0.0,
        retry_after: float = 1.0,
        prefix: str = "",
        seed: int | None = None,
    ) -> None:
        """Replace every rule with shares of each kind; zero leaves a kind out."""
        if seed is not None:
            self.reseed(seed)
        self.rules = list(
            _rules(rate_limit, server_error, drop, malformed, latency_ms, spike_ms, spike_rate,
                   retry_after, prefix)
        )

    @contextmanager
    def injected(self, **options: Any) -> Iterator[Faults]:
        """``with concur.faults.injected(rate_limit=0.2):`` - the rules of ``set`` for a block."""
        saved = list(self.rules)
        self.set(**options)
        try:
            yield self
        finally:
            self.rules = saved

    def plan(self, method: str, path: str) -> FaultPlan | None:
        """Decide the faults for one request, or None when it meets none."""
        if not self.rules:
            return None
        plan = FaultPlan()
        # Answer-replacing faults are decided first: a request answered 429 is never served,
        # so it cannot also be dropped mid-body.
        for rule in self.rules:
            if rule.kind in ("drop", "malformed") or not self._hits(rule, method, path):
                continue
            if rule.kind in ("latency", "spike"):
                plan.delay_ms += rule.ms
            elif plan.status is not None:
                continue
            elif rule.kind == "rate_limit":
                plan.status, plan.retry_after = 429, rule.retry_after
            else:
                plan.status = rule.status or self._rng.choice(SERVER_ERROR_STATUSES)
            rule.fired += 1
            plan.kinds.append(rule.kind)
        if plan.status is None:
            for rule in self.rules:
                if rule.kind in ("drop", "malformed") and self._hits(rule, method, path):
                    plan.after = "drop" if rule.kind == "drop" else "malformed"
                    rule.fired += 1
                    plan.kinds.append(rule.kind)
                    break
        return plan if plan.kinds else None

    def _hits(self, rule: FaultRule, method: str, path: str) -> bool:
        if not rule.matches(method, path):
            return False
        return rule.rate >= 1.0 or self._rng.random() < rule.rate

    def record(self, plan: FaultPlan, route: str) -> None:
        """Count the faults of a plan once they have been served."""
        for kind in plan.kinds:
            self.served[kind] += 1
            self.served_by_route[(kind, route)] += 1


def _rules(
    rate_limit: float, server_error: float, drop: float, malformed: float, latency_ms: float,
    spike_ms: float, spike_rate: float, retry_after: float, prefix: str,
) -> Iterable[FaultRule]:
    if latency_ms:
        yield FaultRule("latency", ms=latency_ms, prefix=prefix)
    if spike_ms and spike_rate:
        yield FaultRule("spike", rate=spike_rate, ms=spike_ms, prefix=prefix)
    if rate_limit:
        yield FaultRule("rate_limit", rate=rate_limit, retry_after=retry_after, prefix=prefix)
    if server_error:
        yield FaultRule("server_error", rate=server_error, prefix=prefix)
    if drop:
        yield FaultRule("drop", rate=drop, prefix=prefix)
    if malformed:
        yield FaultRule("malformed", rate=malformed, prefix=prefix)
