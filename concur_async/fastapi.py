"""FastAPI integration: one ``ConcurClient`` per app, or one per tenant, opened and closed with it.

Install with ``pip install 'concur-async[fastapi]'``::

    from fastapi import FastAPI
    from concur_async import ConcurClient, RefreshTokenGrant
    from concur_async.fastapi import ConcurClientDep, concur_lifespan

    def make_client() -> ConcurClient:
        return ConcurClient(auth=RefreshTokenGrant(client_id=..., client_secret=...,
                                                   refresh_token=...))

    app = FastAPI(lifespan=concur_lifespan(make_client))

    @app.get("/vendors/{code}")
    async def vendor(code: str, client: ConcurClientDep) -> dict[str, object]:
        page = await client.invoice.vendors.list(vendor_code=code).first_page()
        ...

``install_error_handler(app)`` answers a ``ConcurError`` escaping a route with JSON (status,
Concur's code and message, the correlation id): 404 and 400 keep their meaning, Concur failing
the service is 502, a timeout 504.

The client lives on ``app.state`` for the app's lifetime, never in a module global, so two apps
(or two test clients) in one process each own theirs. ``TenantClients`` keeps one client per
tenant (one company token each) in a bounded LRU: a client pushed out of it is closed as soon
as the last request using it finishes, never under a request's feet.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.applications import Starlette

from ._client import ConcurClient
from ._env import read_env
from ._errors import (
    ConcurError,
    ConfigurationError,
    DecodeError,
    TransportError,
    ValidationError,
)

__all__ = [
    "CLIENT_STATE",
    "TENANTS_STATE",
    "ClientFactory",
    "ConcurClientDep",
    "TenantClientFactory",
    "TenantClients",
    "concur_error_handler",
    "concur_error_status",
    "concur_lifespan",
    "get_concur_client",
    "get_tenant_clients",
    "install_error_handler",
    "tenant_client",
]

log = logging.getLogger("concur_async.fastapi")

#: The ``app.state`` attributes the lifespan sets.
CLIENT_STATE = "concur_client"
TENANTS_STATE = "concur_tenants"

ClientFactory = Callable[[], ConcurClient]
#: Builds the client of one tenant; may be async (e.g. to read its refresh token from a vault).
TenantClientFactory = Callable[[str], ConcurClient | Awaitable[ConcurClient]]


def concur_lifespan(
    client: ClientFactory | None = None,
    *,
    tenants: TenantClientFactory | None = None,
    max_tenants: int = 64,
    redis_url: str | None = None,
    redis_namespace: str | None = None,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A FastAPI ``lifespan`` that opens the shared client (and the tenant cache) and closes them.

    ``client`` builds the app's one ``ConcurClient``: routes get it with ``ConcurClientDep``;
    without ``client`` or ``tenants`` it is ``ConcurClient.from_env`` (the ``CONCUR_*``
    variables, checked now: a missing one raises ``ConfigurationError`` naming it), sharing
    its token and rate budget with the app's other workers through ``redis_url`` and
    ``redis_namespace`` when given (or ``CONCUR_REDIS_URL`` and ``CONCUR_REDIS_NAMESPACE``;
    see docs/many-processes.md).
    ``tenants`` builds a tenant's client on that tenant's first request: routes get it with
    ``tenant_client(...)``; at most ``max_tenants`` stay open. Give either or both. To run your
    own startup code too, enter this one inside yours::

        @asynccontextmanager
        async def lifespan(app: FastAPI) -> AsyncIterator[None]:
            async with concur_lifespan(make_client)(app):
                ...  # your own startup
                yield
    """
    if client is None and tenants is None:
        # Fails here, naming the CONCUR_* variable missing, not at the first request.
        read_env(redis_url=redis_url, redis_namespace=redis_namespace)
        client = functools.partial(ConcurClient.from_env, redis_url=redis_url,
                                   redis_namespace=redis_namespace)
    elif redis_url or redis_namespace:
        raise ConfigurationError(
            "redis_url and redis_namespace configure the client built from the environment; "
            "give your own clients coordination=RedisCoordination.from_url(...) instead"
        )
    if max_tenants < 1:
        raise ConfigurationError("max_tenants must be at least 1")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        names: list[str] = []
        async with AsyncExitStack() as stack:
            try:
                if tenants is not None:
                    app.state.concur_tenants = await stack.enter_async_context(
                        TenantClients(tenants, max_clients=max_tenants))
                    names.append(TENANTS_STATE)
                if client is not None:
                    app.state.concur_client = await stack.enter_async_context(client())
                    names.append(CLIENT_STATE)
                yield
            finally:
                for name in names:
                    # Gone with the app: a request arriving after shutdown fails clearly.
                    delattr(app.state, name)

    return lifespan


def get_concur_client(request: Request) -> ConcurClient:
    """The app's ``ConcurClient``, as opened by ``concur_lifespan``: use it with ``Depends``."""
    found = getattr(request.app.state, CLIENT_STATE, None)
    if not isinstance(found, ConcurClient):
        raise RuntimeError(
            "no ConcurClient on app.state: create the app with "
            "FastAPI(lifespan=concur_lifespan(make_client))"
        )
    return found


#: A route parameter typed ``ConcurClientDep`` receives the app's shared client.
ConcurClientDep = Annotated[ConcurClient, Depends(get_concur_client)]


def concur_error_status(exc: ConcurError) -> int:
    """The HTTP status a service answers its own caller with when a Concur call failed.

    What the caller asked for (404, a refused input: 400) keeps its meaning; Concur failing
    the service (its token, its permissions, a 5xx, an undecodable answer) is 502, a timeout
    504, Concur's rate limit 503; the service's own misconfiguration is 500.
    """
    # Read off the status Concur answered, so every error class that carries one maps alike.
    status = getattr(exc, "status", None) or 0
    if isinstance(exc, TransportError):
        return 504 if _timed_out(exc) else 502
    if status == 404:
        return 404
    if status == 400 or isinstance(exc, ValidationError):
        return 400
    if status == 429:
        return 503
    if status or isinstance(exc, DecodeError):
        return 502
    return 500


def _timed_out(exc: TransportError) -> bool:
    # The transport's own timeout error, or a transport error that a timeout caused.
    return any(isinstance(e, TimeoutError) or type(e).__name__ == "TimeoutError"
               for e in (exc, exc.__cause__, exc.__context__))


async def concur_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """A FastAPI exception handler: a ``ConcurError`` as JSON, with Concur's own story.

    The body is ``{"detail", "error", "concur_status", "code", "correlation_id"}``: Concur's
    message (never a secret), the error class, the status and code Concur answered (``null``
    when it answered none) and the correlation id Concur support asks for.
    """
    if not isinstance(exc, ConcurError):
        raise exc
    status = concur_error_status(exc)
    log.log(logging.WARNING if status >= 500 else logging.INFO,
            "Concur call failed in %s %s: %s", request.method, request.url.path, exc)
    body = {
        "detail": getattr(exc, "message", None) or str(exc),
        "error": type(exc).__name__,
        "concur_status": getattr(exc, "status", None) or None,
        "code": getattr(exc, "code", None),
        "correlation_id": getattr(exc, "correlation_id", None),
    }
    return JSONResponse(body, status_code=status)


def install_error_handler(app: Starlette) -> None:
    """Answer every ``ConcurError`` a route lets escape with ``concur_error_handler``."""
    app.add_exception_handler(ConcurError, concur_error_handler)


def get_tenant_clients(request: Request) -> TenantClients:
    """The app's ``TenantClients``, as opened by ``concur_lifespan(tenants=...)``."""
    found = getattr(request.app.state, TENANTS_STATE, None)
    if not isinstance(found, TenantClients):
        raise RuntimeError(
            "no TenantClients on app.state: create the app with "
            "FastAPI(lifespan=concur_lifespan(tenants=make_tenant_client))"
        )
    return found


def tenant_client(
    tenant_id: Callable[..., Any],
) -> Callable[..., AsyncIterator[ConcurClient]]:
    """A dependency giving the client of the tenant that ``tenant_id`` (itself a dependency) names.

    ::

        def tenant_from_header(x_tenant: Annotated[str, Header()]) -> str:
            return x_tenant

        TenantClient = Annotated[ConcurClient, Depends(tenant_client(tenant_from_header))]

    The client is leased for the whole request, response included (FastAPI 0.118 or later ends
    dependencies after a streamed response is sent): the LRU may drop it meanwhile, but it is
    only closed once released.
    """

    async def dependency(request: Request, tenant: str) -> AsyncIterator[ConcurClient]:
        async with get_tenant_clients(request).lease(tenant) as client:
            yield client

    # Spelled out as objects: FastAPI cannot resolve a string annotation naming a closure
    # variable (``tenant_id``), and this module's annotations are strings.
    dependency.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter("tenant", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                          annotation=Annotated[str, Depends(tenant_id)]),
    ])
    return dependency


@dataclass(slots=True, eq=False)  # eq=False: hashed by identity, kept in a set
class _Entry:
    client: ConcurClient
    leases: int = 0
    evicted: bool = False


class TenantClients:
    """One open ``ConcurClient`` per tenant, at most ``max_clients`` of them, least recent out.

    ``async with tenants.lease("acme") as client:`` hands out the tenant's client, building it
    with ``factory(tenant)`` on first use. When a new tenant pushes the least recently used one
    out, that client is closed at once if no request holds it, otherwise when its last lease
    ends. ``aclose()`` (or leaving ``async with TenantClients(...)``) closes every client.
    """

    def __init__(self, factory: TenantClientFactory, *, max_clients: int = 64) -> None:
        if max_clients < 1:
            raise ConfigurationError("max_clients must be at least 1")
        self._factory = factory
        self.max_clients = max_clients
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._draining: set[_Entry] = set()  # pushed out while leased: closed by the last lease
        self._locks: dict[str, asyncio.Lock] = {}
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"TenantClients(open={len(self._entries)}, max_clients={self.max_clients}, "
            f"draining={len(self._draining)})"
        )

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, tenant: object) -> bool:
        return tenant in self._entries

    async def __aenter__(self) -> TenantClients:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @asynccontextmanager
    async def lease(self, tenant: str) -> AsyncIterator[ConcurClient]:
        """The tenant's open client, held open until the ``async with`` block ends."""
        entry = await self._acquire(tenant)
        try:
            yield entry.client
        finally:
            entry.leases -= 1
            if entry.evicted and entry.leases == 0:
                self._draining.discard(entry)
                await entry.client.aclose()

    async def evict(self, tenant: str) -> None:
        """Drop the tenant's client (its grant was revoked, say): the next lease builds anew."""
        entry = self._entries.pop(tenant, None)
        if entry is not None:
            await self._retire(entry)

    async def aclose(self) -> None:
        """Close every client, leased or not; no lease is granted afterwards."""
        self._closed = True
        entries = [*self._entries.values(), *self._draining]
        self._entries.clear()
        self._draining.clear()
        for entry in entries:
            entry.evicted = True
            await entry.client.aclose()

    async def _acquire(self, tenant: str) -> _Entry:
        self._check_open()
        entry = self._take(tenant)
        if entry is not None:
            return entry
        lock = self._locks.setdefault(tenant, asyncio.Lock())
        try:
            # One build per tenant even when its first requests arrive together.
            async with lock:
                return self._take(tenant) or await self._build(tenant)
        finally:
            if not lock.locked():
                self._locks.pop(tenant, None)

    def _take(self, tenant: str) -> _Entry | None:
        # No await between finding the entry and counting the lease: nothing can close it.
        entry = self._entries.get(tenant)
        if entry is not None:
            entry.leases += 1
            self._entries.move_to_end(tenant)
        return entry

    async def _build(self, tenant: str) -> _Entry:
        made = self._factory(tenant)
        client = await made if inspect.isawaitable(made) else made
        try:
            await client.open()
            self._check_open()
        except BaseException:
            await client.aclose()
            raise
        entry = self._entries[tenant] = _Entry(client, leases=1)
        while len(self._entries) > self.max_clients:
            _, oldest = self._entries.popitem(last=False)
            await self._retire(oldest)
        return entry

    async def _retire(self, entry: _Entry) -> None:
        entry.evicted = True
        if entry.leases:
            self._draining.add(entry)
        else:
            await entry.client.aclose()

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("these TenantClients are closed")
