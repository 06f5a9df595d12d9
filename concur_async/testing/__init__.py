"""LocalConcur: a local test double of SAP Concur for tests, benchmarks, examples and demos.

This is not SAP Concur and never contacts it. ``LocalConcur`` is an aiohttp server on
127.0.0.1 that implements the documented behaviour of the Concur web services on in-memory
data: the OAuth2 token endpoint (password, refresh-token and client-credentials grants, with
refresh-token rotation and ``geolocation``), every operation of the SDK's API inventory
(vendors, purchase orders, payment requests, expense, common, budget, travel request, invoice
pay, purchase request and quick expense), each family's paging and error shapes, and XML for
the v3 APIs. Faults (429 with ``Retry-After``, 5xx, connections dropped mid-body, malformed
bodies, latency) can be injected on demand, reproducibly from a seed.

    from concur_async.testing import LocalConcur

    async with LocalConcur(vendors=1_000_000) as concur:      # lazily generated vendors
        concur.faults.set(rate_limit=0.05, server_error=0.02, seed=7)
        async with concur.client() as client:
            ...
        assert not concur.state.write_log.duplicates()

From a shell: ``python -m concur_async.testing serve --port 8080 --vendors 100000``.
"""

from ._auth import TokenStore
from ._faults import FaultKind, FaultRule, Faults
from ._redis import RedisServer
from ._server import TOKEN_PATH, LocalConcur
from ._state import ConcurState
from ._stats import Stats
from ._store import Collection, Page, Store, Write, WriteLog
from ._vendors import (
    SEED_ADDRESS_CODE,
    STATUS_DUPLICATE,
    STATUS_INVALID_COUNTRY,
    STATUS_INVALID_CURRENCY,
    STATUS_INVALID_VALUE,
    STATUS_MISSING_FIELD,
    STATUS_NOT_FOUND,
    STATUS_OK,
    VendorStore,
    seed_code,
    seeded_vendor,
)

__all__ = [
    "SEED_ADDRESS_CODE",
    "STATUS_DUPLICATE",
    "STATUS_INVALID_COUNTRY",
    "STATUS_INVALID_CURRENCY",
    "STATUS_INVALID_VALUE",
    "STATUS_MISSING_FIELD",
    "STATUS_NOT_FOUND",
    "STATUS_OK",
    "TOKEN_PATH",
    "Collection",
    "ConcurState",
    "FaultKind",
    "FaultRule",
    "Faults",
    "LocalConcur",
    "Page",
    "RedisServer",
    "Stats",
    "Store",
    "TokenStore",
    "VendorStore",
    "Write",
    "WriteLog",
    "seed_code",
    "seeded_vendor",
]
