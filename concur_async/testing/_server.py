"""``LocalConcur``: the aiohttp server that plays Concur on a loopback port."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ._auth import TokenStore
from ._faults import FaultPlan, Faults
from ._images import DOWNLOAD_PATH
from ._routes import register_all
from ._state import ConcurState
from ._stats import Stats
from ._wire import Failure, error_response

if TYPE_CHECKING:
    from concur_async import ConcurClient

__all__ = ["TOKEN_PATH", "LocalConcur"]

log = logging.getLogger("concur_async.testing")

TOKEN_PATH = "/oauth2/v0/token"  # noqa: S105 - a path, not a secret
REVOKE_PATH = "/app-mgmt/v0/connections"
HOST = "127.0.0.1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
#: The status a request is recorded with when its client hung up (nginx's "client closed").
CLIENT_GONE = 499


class LocalConcur:
    """A local test double of SAP Concur, serving over HTTP on 127.0.0.1.

    It is not Concur and talks to nothing else: it implements the documented behaviour of the
    Concur web services (the OAuth2 token endpoint, the v3 and v4 APIs of the project's
    inventory, their paging, errors and XML) on in-memory data, so the SDK can be tested,
    benchmarked and demonstrated over real sockets without an account::

        async with LocalConcur(vendors=50_000) as concur:
            async with concur.client() as client:
                ...

    Options: ``vendors`` (seeded vendors, generated lazily from their index),
    ``token_lifetime`` and ``refresh_token_lifetime`` (seconds), ``client_id`` /
    ``client_secret`` / ``users`` (required credentials; anything is accepted when unset),
    ``latency_ms`` (added to every answer), ``seed`` (for fault decisions), ``geolocation``
    (the URL token answers name; this server's by default), ``tokens`` (another server's
    ``TokenStore`` to share, which then supplies the token options) and ``port`` (0: a free
    one).

    Attributes: ``base_url``, ``state`` (``ConcurState``), ``faults`` (``Faults``), ``stats``
    (``Stats``; ``stats.disconnects`` counts requests whose client hung up), ``tokens``
    (``TokenStore``) and ``errors`` (exceptions raised by the server's own handlers: a test
    double bug, which tests may assert is empty; a client hanging up is not one).
    """

    def __init__(
        self,
        *,
        vendors: int = 0,
        token_lifetime: float = 3600.0,
        refresh_token_lifetime: float = 180 * 86400.0,
        client_id: str | None = None,
        client_secret: str | None = None,
        users: Mapping[str, str] | None = None,
        latency_ms: float = 0.0,
        seed: int = 0,
        geolocation: str | None = None,
        tokens: TokenStore | None = None,
        port: int = 0,
    ) -> None:
        self.state = ConcurState(vendors=vendors)
        self.faults = Faults(seed)
        self.stats = Stats()
        self.tokens = tokens or TokenStore(
            lifetime=token_lifetime, refresh_lifetime=refresh_token_lifetime,
            client_id=client_id, client_secret=client_secret, users=users,
        )
        self.latency_ms = latency_ms
        self.geolocation = geolocation
        self.errors: list[BaseException] = []
        self.base_url = ""
        self._port = port
        self._runner: web.AppRunner | None = None
        self._routes: list[str] = []

    def __repr__(self) -> str:
        return f"LocalConcur(base_url={self.base_url!r})"

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1]) if self.base_url else self._port

    @property
    def token_url(self) -> str:
        return f"{self.base_url}{TOKEN_PATH}"

    async def __aenter__(self) -> LocalConcur:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("this LocalConcur is already running")
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 2**20)
        app.router.add_post(TOKEN_PATH, self.tokens.endpoint(self._geolocation, self._count_token))
        register_all(app.router, self.state)
        app.router.add_delete(REVOKE_PATH, self._revoke)
        self._routes = [
            f"{route.method} {route.resource.canonical}"
            for route in app.router.routes()
            if route.resource is not None and route.method != "HEAD"
        ]
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, HOST, self._port, backlog=4096)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        port = runner.addresses[0][1]
        self.base_url = self.state.base_url = f"http://{HOST}:{port}"

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def routes(self) -> list[str]:
        """Every ``"METHOD /path/{template}"`` the running server answers, token endpoint too."""
        return list(self._routes)

    def client(self, **options: Any) -> ConcurClient:
        """A ``ConcurClient`` for this server, with a client-credentials grant.

        Options go to ``ConcurClient``; ``auth`` may replace the default grant.
        """
        from concur_async import ClientCredentialsGrant, ConcurClient

        options.setdefault("auth", ClientCredentialsGrant(
            client_id=self.tokens.client_id or "local",
            client_secret=self.tokens.client_secret or "local",
        ))
        return ConcurClient(base_url=self.base_url, **options)

    def _geolocation(self) -> str:
        return self.geolocation or self.base_url

    async def _revoke(self, request: web.Request) -> web.Response:
        self.tokens.revoke_connection(request.headers.get("Authorization"))
        return web.Response(status=200)

    def _count_token(self) -> None:
        self.stats.token_requests += 1

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        correlation = _correlation_id(request.headers.get("concur-correlationid"))
        resource = request.match_info.route.resource
        route = f"{request.method} {resource.canonical if resource else '<unrouted>'}"
        stats = self.stats
        stats.requests[route] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            plan = self.faults.plan(request.method, request.path)
            delay = self.latency_ms + (plan.delay_ms if plan else 0.0)
            if delay > 0:
                await asyncio.sleep(delay / 1000)
            if plan is not None and plan.status is not None:
                response: web.StreamResponse = error_response(
                    request, _fault_failure(plan), correlation)
            else:
                response = await self._serve(request, handler, correlation)
            response.headers["concur-correlationid"] = correlation
            if plan is not None and plan.after is not None and isinstance(response, web.Response):
                response = await _sabotage(request, response, plan.after)
            if plan is not None:
                self.faults.record(plan, route)
            if response.status != CLIENT_GONE:
                stats.statuses[response.status] += 1
            return response
        finally:
            stats.in_flight -= 1

    async def _serve(
        self, request: web.Request, handler: Handler, correlation: str
    ) -> web.StreamResponse:
        try:
            routing_error = request.match_info.http_exception
            if routing_error is not None:
                raise Failure(routing_error.status, _routing_message(request, routing_error),
                              code="NOT_FOUND" if routing_error.status == 404 else None)
            if request.path != TOKEN_PATH and not request.path.startswith(DOWNLOAD_PATH):
                # Image links are signed: fetched without a token, as Concur's are.
                self.tokens.authorize(request.headers.get("Authorization"))
            return await handler(request)
        except Failure as failure:
            return error_response(request, failure, correlation)
        except web.HTTPException as exc:
            return error_response(request, Failure(exc.status, exc.reason), correlation)
        except ConnectionError as exc:
            if request.transport is not None and not request.transport.is_closing():
                raise  # not the client hanging up: a bug in the double, kept below
            # The client hung up (a cancelled request, a closed stream): nothing to answer
            # and nothing wrong with the double.
            log.debug("client gone during %s %s: %s", request.method, request.path, exc)
            self.stats.disconnects += 1
            return web.Response(status=CLIENT_GONE)
        except Exception as exc:  # a bug in the double: answer 500 and keep it for the test
            log.exception("LocalConcur handler failed on %s %s", request.method, request.path)
            self.errors.append(exc)
            internal = Failure(500, f"LocalConcur internal error: {type(exc).__name__}")
            return error_response(request, internal, correlation)


def _correlation_id(given: str | None) -> str:
    if given:
        try:
            return str(uuid.UUID(given))
        except ValueError:
            pass
    return str(uuid.uuid4())


def _routing_message(request: web.Request, error: web.HTTPException) -> str:
    if error.status == 405:
        return f"The method {request.method} is not allowed on {request.path}."
    return f"No resource at {request.path}."


def _fault_failure(plan: FaultPlan) -> Failure:
    if plan.status == 429:
        retry_after = plan.retry_after if plan.retry_after is not None else 1.0
        return Failure(429, "Rate limit exceeded; retry later.", code="RATE_LIMITED",
                       error="TooManyRequests", headers={"Retry-After": f"{retry_after:g}"})
    status = plan.status or 500
    return Failure(status, f"Injected server error {status}.", code=f"HTTP_{status}",
                   error="ServerError")


async def _sabotage(
    request: web.Request, response: web.Response, kind: str
) -> web.StreamResponse:
    """The answer spoiled: cut in half (``malformed``) or cut off mid-body (``drop``)."""
    body = response.body if isinstance(response.body, bytes) else b""
    headers = {k: v for k, v in response.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding")}
    if kind == "malformed":
        spoiled = body[: len(body) // 2] if len(body) > 1 else b"{"
        return web.Response(body=spoiled, status=response.status, headers=headers)
    stream = web.StreamResponse(status=response.status, headers=headers)
    stream.content_length = max(len(body), 2)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return stream
