"""A purpose-built Concur stand-in for many-process tests: it rotates refresh tokens as Concur
does, refuses a spent one with ``invalid_grant``, and records every request.

``GET /api/ping`` answers ``{}`` to a live bearer token (401 otherwise); its requests are kept
with their arrival time and the pid of the sender, which the workers put in their User-Agent.
``throttle_at`` answers the n-th ping with a 429 and ``Retry-After``; ``stall_refresh`` holds
the n-th refresh, and rotates nothing if the sender hangs up meanwhile (as when Concur never
received the whole request).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field

from aiohttp import web

__all__ = ["Ping", "RotatingConcur", "TokenRequest"]


@dataclass(slots=True)
class TokenRequest:
    at: float
    pid: int
    outcome: str  # "rotated", "invalid_grant" or "abandoned"


@dataclass(slots=True)
class Ping:
    at: float
    pid: int
    status: int


@dataclass
class RotatingConcur:
    lifetime: float = 2.0
    rotate: bool = True
    throttle_at: int | None = None
    retry_after: float = 1.5
    stall_refresh: int | None = None
    stall_seconds: float = 8.0
    refresh_token: str = "r0"
    token_requests: list[TokenRequest] = field(default_factory=list)
    pings: list[Ping] = field(default_factory=list)
    stalled: asyncio.Event = field(default_factory=asyncio.Event)
    stalled_pid: int = 0
    _access: dict[str, float] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def outcomes(self, outcome: str) -> list[TokenRequest]:
        return [r for r in self.token_requests if r.outcome == outcome]

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        pid = _pid(request)
        if len(self.token_requests) + 1 == self.stall_refresh:
            self.stalled_pid = pid
            self.stalled.set()
            deadline = time.monotonic() + self.stall_seconds
            while time.monotonic() < deadline:
                if request.transport is None or request.transport.is_closing():
                    self.token_requests.append(TokenRequest(time.monotonic(), pid, "abandoned"))
                    return web.Response(status=499)
                await asyncio.sleep(0.02)
        sent = str(form.get("refresh_token", ""))
        if self.rotate and sent != self.refresh_token:
            self.token_requests.append(TokenRequest(time.monotonic(), pid, "invalid_grant"))
            return web.json_response(
                {"error": "invalid_grant", "error_description": "refresh token spent"},
                status=400,
            )
        n = next(self._serial)
        access = f"a{n}"
        if self.rotate:
            self.refresh_token = f"r{n}"
        self._access[access] = time.monotonic() + self.lifetime
        self.token_requests.append(TokenRequest(time.monotonic(), pid, "rotated"))
        return web.json_response({
            "access_token": access, "expires_in": self.lifetime,
            "refresh_token": self.refresh_token, "token_type": "Bearer",
        })

    async def _ping(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        now = time.monotonic()
        if self._access.get(token, 0.0) <= now:
            self.pings.append(Ping(now, _pid(request), 401))
            return web.json_response({"Error": {"Message": "expired"}}, status=401)
        if self.throttle_at is not None and len(self.pings) + 1 == self.throttle_at:
            self.pings.append(Ping(now, _pid(request), 429))
            return web.json_response({"Error": {"Message": "slow down"}}, status=429,
                                     headers={"Retry-After": str(self.retry_after)})
        self.pings.append(Ping(now, _pid(request), 200))
        return web.json_response({})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """For ``loopback_server``: the token endpoint and the one API route."""
        if request.method == "POST" and request.path == "/oauth2/v0/token":
            return await self._token(request)
        if request.path == "/api/ping":
            return await self._ping(request)
        return web.Response(status=404)


def _pid(request: web.Request) -> int:
    # The workers' User-Agent is "worker/<pid>".
    agent = request.headers.get("User-Agent", "")
    return int(agent.partition("/")[2] or 0) if agent.startswith("worker/") else 0
