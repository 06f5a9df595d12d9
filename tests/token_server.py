"""A purpose-built OAuth2 server on 127.0.0.1 that misbehaves on a script.

It is strict where Concur is: a refresh token is spent on receipt (rotated before the answer
is even sent), and a spent one is refused with ``invalid_grant`` (code 108). Every other path
is an API route that accepts only a live access token (401 otherwise) and answers ``{}``.

``script`` holds what the next token requests meet, one entry each, in order:
an HTTP status (answered with an error body, nothing issued), ``"drop"`` (the connection
closed before anything is processed), ``"drop-after"`` (the grant processed, the refresh token
rotated, then the connection closed: the answer is lost), ``("delay", seconds)`` (the grant
processed, the answer sent late), ``("elsewhere", url)`` (Concur's code 16: the user lives at
``url``), ``("body", bytes)`` (a 200 with this body, nothing issued).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from servers import loopback_server

TOKEN_PATH = "/oauth2/v0/token"
Step = int | str | tuple[str, Any]


@dataclass
class TokenServer:
    base: str = ""
    script: list[Step] = field(default_factory=list)
    expires_in: Any = "3600"
    geolocation: str | None = None
    #: Extra fields of every token answer.
    extra: dict[str, Any] = field(default_factory=dict)
    #: Headers of every token error answer (e.g. an echoed value).
    error_headers: dict[str, str] = field(default_factory=dict)
    #: What the next API calls meet, one entry each: a status, ``"drop"`` or ``"echo"`` (a
    #: 400 whose body and ``concur-correlationid`` repeat the Authorization header).
    api_script: list[int | str] = field(default_factory=list)
    #: Every token error's description repeats the form it was sent (a careless server).
    echo_form: bool = False
    forms: list[dict[str, str]] = field(default_factory=list)
    api_calls: list[tuple[str, str | None]] = field(default_factory=list)
    live_refresh: set[str] = field(default_factory=set)
    live_access: set[str] = field(default_factory=set)
    issued: int = 0
    invalid_grants: int = 0
    prefix: str = "srv"

    @property
    def token_url(self) -> str:
        return self.base + TOKEN_PATH

    def expire_access_tokens(self) -> None:
        self.live_access.clear()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.path != TOKEN_PATH:
            auth = request.headers.get("Authorization")
            self.api_calls.append((request.path, auth))
            if auth is None or auth.removeprefix("Bearer ") not in self.live_access:
                return web.json_response({"Error": {"Message": "expired"}}, status=401)
            fault = self.api_script.pop(0) if self.api_script else None
            if fault == "drop":
                return _drop(request)
            if fault == "echo":
                return web.json_response({"Error": {"Message": f"bad: {auth}"}}, status=400,
                                         headers={"concur-correlationid": auth})
            if isinstance(fault, int):
                return web.json_response({"Error": {"Message": "down"}}, status=fault)
            return web.json_response({"path": request.path})
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.forms.append(form)
        step = self.script.pop(0) if self.script else None
        if step == "drop":
            return _drop(request)
        if isinstance(step, int):
            said = f"down; you sent {form!r}" if self.echo_form else "down"
            return web.json_response({"error": "server_error", "error_description": said},
                                     status=step, headers=self.error_headers)
        if isinstance(step, tuple) and step[0] == "elsewhere":
            return web.json_response({"code": 16, "error": "invalid_request",
                                      "error_description": "user lives elsewhere",
                                      "geolocation": step[1]}, status=400)
        if isinstance(step, tuple) and step[0] == "body":
            return web.Response(body=step[1], content_type="application/json")
        answer = self.grant(form)
        if isinstance(answer, web.Response):
            return answer
        if step == "drop-after":
            return _drop(request)
        if isinstance(step, tuple) and step[0] == "delay":
            await asyncio.sleep(step[1])
        return web.json_response(answer)

    def grant(self, form: dict[str, str]) -> dict[str, Any] | web.Response:
        if form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") not in self.live_refresh:
                self.invalid_grants += 1
                return web.json_response(
                    {"error": "invalid_grant", "error_description": "bad or expired refresh "
                     "token", "code": 108}, status=400, headers=self.error_headers)
            self.live_refresh.discard(form["refresh_token"])  # spent on receipt
        self.issued += 1
        access, refresh = f"{self.prefix}-at-{self.issued}", f"{self.prefix}-rt-{self.issued}"
        self.live_access.add(access)
        self.live_refresh.add(refresh)
        answer = {"access_token": access, "refresh_token": refresh,
                  "expires_in": self.expires_in, **self.extra}
        if self.geolocation:
            answer["geolocation"] = self.geolocation
        return answer


def _drop(request: web.Request) -> web.StreamResponse:
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=200)


@asynccontextmanager
async def token_server(**options: Any) -> AsyncIterator[TokenServer]:
    server = TokenServer(**options)
    async with loopback_server(server.handle) as server.base:
        yield server
