"""Every SDK operation reaches its LocalConcur route over real sockets.

``tests/testing/test_local_inventory.py`` checks that LocalConcur routes each inventory row
(with a plain aiohttp client); ``tests/test_operations_inventory.py`` that each method sends
the documented request (against aioresponses). This joins the two: each of the 141 methods
``concur_async.operations()`` names is called through a ``ConcurClient`` on a running
LocalConcur with a placeholder for every argument, and must be counted on exactly its
documented route (an unrouted request counts as ``"<unrouted>"``, never under a template).
The answer is a typed result, or an ``APIError`` (400 or 404) where a placeholder names
nothing or is refused; never a decode error, a 405 or a 500. The per-family files
(``test_family_<name>.py``) call each family with real data.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, get_args, get_origin, get_type_hints

import pytest
from test_operations_inventory import Placeholders, beyond_seeds

import concur_async
from concur_async import APIError, ConcurClient
from concur_async._paging import AsyncPaginator
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

OPERATIONS = concur_async.operations()


placeholder = Placeholders(text=lambda: str(uuid.uuid4()))


def arguments(method: Any) -> tuple[list[Any], dict[str, Any]]:
    """A placeholder for each required parameter; options (filters, max_items...) left unset."""
    hints = get_type_hints(method, include_extras=True)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(method).parameters.items():
        if name == "prefetch":
            kwargs[name] = 0
        elif name == "page_size":
            kwargs[name] = 1
        elif param.default is not inspect.Parameter.empty:
            continue
        elif param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            args.append(placeholder(hints[name]))
        else:
            kwargs[name] = placeholder(hints[name])
    return args, kwargs


def conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the method's declared return type."""
    origin = get_origin(hint)
    if origin is list:
        (item,) = get_args(hint)
        return isinstance(value, list) and all(conforms(v, item) for v in value)
    if hint is None or hint is type(None):
        return value is None
    return isinstance(value, hint)


def bound(client: ConcurClient, dotted: str) -> Any:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


async def call(method: Any) -> str:
    """Call with placeholders; ``"ok"`` for a typed answer, else the APIError's status."""
    args, kwargs = arguments(method)
    returns = get_type_hints(method)["return"]
    try:
        result = method(*args, **kwargs)
        if isinstance(result, AsyncPaginator):
            page = await result.first_page()
            (item_type,) = get_args(returns)
            assert all(isinstance(i, item_type) for i in page.items), page.items
            return "ok"
        value = await result
    except APIError as exc:
        return str(exc.status)
    assert conforms(value, returns), (returns, value)
    return "ok"


def test_the_catalog_names_141_distinct_operations_and_those_beyond_the_seeds() -> None:
    count = 141 + len(beyond_seeds())
    assert len(OPERATIONS) == count
    assert len({(o.method, o.path) for o in OPERATIONS}) == count
    assert len({o.name for o in OPERATIONS}) == count


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_every_operation_reaches_its_route_through_the_sdk(wire_format: str) -> None:
    # XML is offered by the v3 APIs (under /api/) only; the v4 ones speak JSON.
    operations = [o for o in OPERATIONS if wire_format == "json" or o.path.startswith("/api/")]
    outcomes: dict[str, str] = {}
    async with LocalConcur(vendors=5) as concur, concur.client(wire_format=wire_format) as client:
        for info in operations:
            outcomes[info.name] = await call(bound(client, info.name))
            assert outcomes[info.name] in ("ok", "400", "404"), (info.name, outcomes[info.name])
            assert concur.stats.count(info.method, info.path) == 1, info.name
    assert not [route for route in concur.stats.requests if "<unrouted>" in route]
    assert concur.stats.total == len(operations) + concur.stats.token_requests
    assert concur.stats.statuses[405] == concur.stats.statuses[500] == 0
    assert not concur.errors
    # A read that names no record (a collection, whatever the placeholder filters) answers.
    # (An exchange rate is no collection: it needs two real currency codes.)
    reads = [o.name for o in operations if o.method == "GET" and "{" not in o.path
             and o.name != "expense.exchange_rates.get"]
    assert len(reads) > 20
    assert {name: outcomes[name] for name in reads} == dict.fromkeys(reads, "ok")
