"""concur_async.fastapi: the app's client and the tenant clients, opened and closed with the app."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Header
from fastapi.responses import StreamingResponse

from concur_async import ConcurClient, ConfigurationError, StaticToken
from concur_async.fastapi import (
    ConcurClientDep,
    TenantClients,
    concur_lifespan,
    get_concur_client,
    tenant_client,
)
from concur_async.testing import LocalConcur, seed_code


def is_open(client: ConcurClient) -> bool:
    return "state=open" in repr(client)


def is_closed(client: ConcurClient) -> bool:
    return "state=closed" in repr(client)


async def call(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as http:
        return await http.request(method, path, **kwargs)


# -- one client per app ------------------------------------------------------------------


async def test_lifespan_opens_one_client_that_routes_share_and_closes_it() -> None:
    made: list[ConcurClient] = []
    async with LocalConcur(vendors=7) as concur:

        def make() -> ConcurClient:
            made.append(concur.client())
            return made[-1]

        app = FastAPI(lifespan=concur_lifespan(make))

        @app.get("/vendors/first")
        async def first(client: ConcurClientDep) -> dict[str, Any]:
            page = await client.invoice.vendors.list(page_size=3).first_page()
            return {"client": id(client), "codes": [v.vendor_code for v in page.items]}

        async with app.router.lifespan_context(app):
            assert len(made) == 1
            assert is_open(made[0])
            answers = await asyncio.gather(*(call(app, "GET", "/vendors/first")
                                             for _ in range(5)))
        assert {a.json()["client"] for a in answers} == {id(made[0])}
        assert answers[0].json()["codes"] == [seed_code(i) for i in range(3)]
        assert len(made) == 1
        assert is_closed(made[0])
        assert not hasattr(app.state, "concur_client")


async def test_a_route_without_the_lifespan_fails_with_a_clear_message() -> None:
    app = FastAPI()

    @app.get("/x")
    async def x(client: ConcurClientDep) -> str:
        return client.base_url

    with pytest.raises(RuntimeError, match="concur_lifespan"):
        await call(app, "GET", "/x")


def test_the_lifespan_needs_something_to_open(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CONCUR_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("CONCUR_CLIENT_ID", "app")
    # Without a factory it reads the environment, and says at once what is missing.
    with pytest.raises(ConfigurationError, match="CONCUR_CLIENT_SECRET"):
        concur_lifespan()
    with pytest.raises(ValueError, match="max_tenants"):
        concur_lifespan(lambda: ConcurClient(auth=StaticToken("t")), max_tenants=0)


async def test_each_app_owns_its_client() -> None:
    apps = [FastAPI(lifespan=concur_lifespan(lambda: ConcurClient(auth=StaticToken("t"))))
            for _ in range(2)]
    async with apps[0].router.lifespan_context(apps[0]), \
            apps[1].router.lifespan_context(apps[1]):
        clients = [get_concur_client(_request_for(app)) for app in apps]
        assert clients[0] is not clients[1]
        assert all(map(is_open, clients))
    assert all(map(is_closed, clients))


def _request_for(app: FastAPI) -> Any:
    from starlette.requests import Request

    return Request({"type": "http", "app": app, "method": "GET", "headers": []})


# -- TenantClients ---------------------------------------------------------------------------


class Factory:
    """Builds a client per tenant (for LocalConcur when given) and remembers each one."""

    def __init__(self, concur: LocalConcur | None = None, *, delay: float = 0.0) -> None:
        self.concur = concur
        self.delay = delay
        self.made: dict[str, list[ConcurClient]] = {}

    async def __call__(self, tenant: str) -> ConcurClient:
        await asyncio.sleep(self.delay)  # e.g. reading the tenant's token from a vault
        if self.concur is not None:
            client = self.concur.client()
        else:
            client = ConcurClient(auth=StaticToken(f"token-{tenant}"))
        self.made.setdefault(tenant, []).append(client)
        return client


async def test_first_requests_of_a_tenant_build_one_client() -> None:
    factory = Factory(delay=0.01)
    async with TenantClients(factory, max_clients=4) as tenants:

        async def use(tenant: str) -> ConcurClient:
            async with tenants.lease(tenant) as client:
                await asyncio.sleep(0)
                return client

        got = await asyncio.gather(*(use(t) for t in ["a", "b"] * 10))
        assert {len(v) for v in factory.made.values()} == {1}
        assert {id(c) for c in got[::2]} == {id(factory.made["a"][0])}
        assert len(tenants) == 2
        assert "a" in tenants


async def test_least_recently_used_idle_client_is_closed_when_pushed_out() -> None:
    factory = Factory()
    async with TenantClients(factory, max_clients=2) as tenants:
        for tenant in ("a", "b", "a", "c"):  # "b" is the least recently used when "c" comes
            async with tenants.lease(tenant):
                pass
        assert "b" not in tenants
        assert {"a", "c"} <= set(factory.made)
        assert is_closed(factory.made["b"][0])
        assert is_open(factory.made["a"][0])
        assert is_open(factory.made["c"][0])
        async with tenants.lease("b") as again:  # back: a new client
            assert again is not factory.made["b"][0]
            assert is_open(again)
        assert is_closed(factory.made["a"][0])
    assert all(is_closed(c) for made in factory.made.values() for c in made)


async def test_a_client_pushed_out_while_leased_closes_only_when_released() -> None:
    async with LocalConcur(vendors=50) as concur:
        factory = Factory(concur)
        tenants = TenantClients(factory, max_clients=1)
        async with tenants.lease("a") as a:
            async with tenants.lease("b"):
                pass  # "a" is pushed out, but a request still holds it
            assert "a" not in tenants
            assert is_open(a)
            # The request in flight on it carries on to the end.
            vendors = await a.invoice.vendors.list(page_size=10).collect()
            assert len(vendors) == 50
        assert is_closed(a)
        await tenants.aclose()
        assert is_closed(factory.made["b"][0])


async def test_aclose_closes_leased_and_draining_clients_and_refuses_new_leases() -> None:
    factory = Factory()
    tenants = TenantClients(factory, max_clients=1)
    async with tenants.lease("a") as a, tenants.lease("b") as b:
        await tenants.aclose()
        assert is_closed(a)
        assert is_closed(b)
    with pytest.raises(RuntimeError, match="closed"):
        async with tenants.lease("c"):
            pass


async def test_a_failing_factory_leaves_nothing_behind() -> None:
    calls = 0

    def flaky(tenant: str) -> ConcurClient:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise LookupError(f"no credentials for {tenant}")
        return ConcurClient(auth=StaticToken("t"))

    async with TenantClients(flaky) as tenants:
        with pytest.raises(LookupError):
            async with tenants.lease("a"):
                pass
        assert len(tenants) == 0
        async with tenants.lease("a") as client:  # a plain (not async) factory works too
            assert is_open(client)


async def test_evict_drops_a_tenant_now() -> None:
    factory = Factory()
    async with TenantClients(factory) as tenants:
        async with tenants.lease("a"):
            pass
        await tenants.evict("a")
        await tenants.evict("never-seen")
        assert "a" not in tenants
        assert is_closed(factory.made["a"][0])


def test_max_clients_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_clients"):
        TenantClients(Factory(), max_clients=0)


# -- tenants through FastAPI ---------------------------------------------------------------


def tenant_from_header(x_tenant: Annotated[str, Header()]) -> str:
    return x_tenant


TenantClient = Annotated[ConcurClient, Depends(tenant_client(tenant_from_header))]


async def test_tenant_dependency_keeps_a_streamed_response_s_client_open() -> None:
    async with LocalConcur(vendors=3000, latency_ms=5) as concur:
        factory = Factory(concur)
        app = FastAPI(lifespan=concur_lifespan(tenants=factory, max_tenants=1))
        pushed_out = asyncio.Event()

        @app.get("/vendors")
        async def vendors(client: TenantClient) -> StreamingResponse:
            async def lines() -> AsyncIterator[bytes]:
                async for page in client.invoice.vendors.list(page_size=500).pages():
                    yield b"".join(f"{v.vendor_code}\n".encode() for v in page.items)
                    await pushed_out.wait()  # another tenant comes while this one streams

            return StreamingResponse(lines(), media_type="text/plain")

        @app.get("/whoami")
        async def whoami(client: TenantClient) -> int:
            pushed_out.set()
            return id(client)

        async with app.router.lifespan_context(app), asyncio.timeout(30):
            streamed, other = await asyncio.gather(
                call(app, "GET", "/vendors", headers={"X-Tenant": "a"}),
                _after_first_client(factory, call(app, "GET", "/whoami",
                                                  headers={"X-Tenant": "b"})),
            )
            assert streamed.status_code == 200
            assert streamed.text.split() == [seed_code(i) for i in range(3000)]
            assert other.json() == id(factory.made["b"][0])
            assert is_closed(factory.made["a"][0])  # released once the stream ended
            assert is_open(factory.made["b"][0])
        assert is_closed(factory.made["b"][0])
        assert not hasattr(app.state, "concur_tenants")


async def _after_first_client(factory: Factory, request: Any) -> httpx.Response:
    while "a" not in factory.made:
        await asyncio.sleep(0.001)
    result: httpx.Response = await request
    return result
