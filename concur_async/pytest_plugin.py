"""A pytest plugin: LocalConcur and an open client as fixtures, for testing your own code.

Installed with concur-async and registered through the ``pytest11`` entry point, so any
project with ``pytest`` and ``pytest-asyncio`` gets, in every test module:

``local_concur``
    a started ``LocalConcur`` (a test double of Concur on 127.0.0.1, never Concur itself),
    stopped after the test; the test fails if the double's own handlers failed.
``local_concur_client``
    a ``ConcurClient`` for it, opened before the test and closed after.

Both are async fixtures declared through ``pytest_asyncio.fixture``, so they work in
pytest-asyncio's default *strict* mode: mark your test ``@pytest.mark.asyncio`` (no
``asyncio_mode = auto`` needed). Options for the server go in a marker::

    @pytest.mark.asyncio
    @pytest.mark.local_concur(vendors=500, reports=20, token_lifetime=2)
    async def test_my_export(local_concur_client: ConcurClient) -> None:
        ...

Marker keywords are ``LocalConcur``'s, plus seed counts: ``reports``, ``purchase_orders``,
``payment_requests``, ``payments``, ``travel_requests``, ``budget_items``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from concur_async import ConcurClient
    from concur_async.testing import LocalConcur

__all__ = ["local_concur", "local_concur_client"]

MARKER = "local_concur"
_SEEDS = ("reports", "purchase_orders", "payment_requests", "payments", "travel_requests",
          "budget_items")

try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the fixtures say what is missing when used
    _WITH_ASYNCIO = False
else:
    _WITH_ASYNCIO = True


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(**options): options of the LocalConcur the local_concur "
        "fixture starts (LocalConcur keywords, and seed counts such as reports=20)")


async def _local_concur(request: pytest.FixtureRequest) -> AsyncIterator[LocalConcur]:
    """A started LocalConcur (options from ``@pytest.mark.local_concur(...)``)."""
    from concur_async.testing import LocalConcur

    marker = request.node.get_closest_marker(MARKER)
    options: dict[str, Any] = dict(marker.kwargs) if marker is not None else {}
    seeds = {name: options.pop(name) for name in _SEEDS if name in options}
    async with LocalConcur(**options) as concur:
        for name, count in seeds.items():
            getattr(concur.state, f"seed_{name}")(count)
        yield concur
    if concur.errors:
        pytest.fail(f"LocalConcur's own handlers failed: {concur.errors!r}", pytrace=False)


async def _local_concur_client(local_concur: LocalConcur) -> AsyncIterator[ConcurClient]:
    """A ConcurClient opened on the ``local_concur`` server."""
    async with local_concur.client() as client:
        yield client


if _WITH_ASYNCIO:
    local_concur = pytest_asyncio.fixture(_local_concur, name="local_concur")
    local_concur_client = pytest_asyncio.fixture(_local_concur_client,
                                                 name="local_concur_client")
else:  # pragma: no cover

    @pytest.fixture(name="local_concur")
    def local_concur() -> None:
        pytest.fail("the local_concur fixture needs pytest-asyncio: "
                    "pip install pytest-asyncio", pytrace=False)

    @pytest.fixture(name="local_concur_client")
    def local_concur_client() -> None:
        pytest.fail("the local_concur_client fixture needs pytest-asyncio: "
                    "pip install pytest-asyncio", pytrace=False)
