"""Request counters, for tests that check how the client used the server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["Stats"]


@dataclass
class Stats:
    """What the server was asked.

    ``requests`` counts by route as ``"METHOD /route/{template}"`` (the inventory's spelling;
    unrouted requests count under ``"METHOD <unrouted>"``), ``statuses`` by answer status.
    ``in_flight``/``max_in_flight`` show how many requests the client had open at once.
    """

    requests: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    token_requests: int = 0
    #: Requests whose client hung up before the answer was written.
    disconnects: int = 0
    in_flight: int = 0
    max_in_flight: int = 0

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def count(self, method: str, route: str) -> int:
        """Requests served on one route, e.g. ``count("GET", "/api/v3.0/invoice/vendors")``."""
        return self.requests[f"{method.upper()} {route}"]

    def reset(self) -> None:
        self.requests.clear()
        self.statuses.clear()
        self.token_requests = 0
        self.disconnects = 0
        self.max_in_flight = self.in_flight
