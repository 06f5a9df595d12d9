"""Every operation of the API inventory is routed by LocalConcur, and nothing else is.

``spec/api-inventory.tsv`` is the project's list of the 141 Concur operations (api, version,
method, path, seed), kept in the repository so the test runs from a checkout alone.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections import Counter

import aiohttp
from test_operations_inventory import beyond_seeds

from concur_async.testing import TOKEN_PATH, LocalConcur
from tools import seedspec

INVENTORY = seedspec.INVENTORY
# Aliases without a trailing slash, for clients that drop it.
ALIASES = {"GET /api/v3.0/insights/latestbookings", "POST /purchaserequest/v4/purchaserequests"}
# Documented by Concur but not in the seeds (issue 18): the revocation endpoint, the
# operations of the spec files written from Concur's documentation, the trailing-slash form
# the .NET client uses for exchange rates, and where image links point.
BEYOND_SEEDS = {
    "DELETE /app-mgmt/v0/connections",
    *(f"{method} {path}" for method, path in beyond_seeds()),
    "GET /api/v3.0/expense/exchangerates/",
    "GET /localconcur/images/{token}",
}
SAMPLES = {"action": "submit", "contextType": "TRAVELER", "userID": "user1"}


def inventory() -> list[tuple[str, str]]:
    with INVENTORY.open(newline="") as f:
        return [(row["method"], row["path"]) for row in csv.DictReader(f, delimiter="\t")]


def concrete(path: str) -> str:
    """The template with every parameter filled (a UUID fits every id parameter)."""
    def fill(match: re.Match[str]) -> str:
        return SAMPLES.get(match.group(1), str(uuid.uuid4()))

    return re.sub(r"\{(\w+)\}", fill, path)


def test_inventory_has_141_distinct_operations() -> None:
    operations = inventory()
    assert len(operations) == 141
    assert len(set(operations)) == 141


async def test_every_inventory_operation_is_routed(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    answers: Counter[int] = Counter()
    for method, path in inventory():
        url = concur.base_url + concrete(path)
        async with session.request(method, url, json={}, headers=headers) as resp:
            await resp.read()
            assert resp.status not in (405, 500), (method, path, resp.status)
            answers[resp.status] += 1
        # Counted under exactly the inventory's template: the route exists as documented.
        assert concur.stats.count(method, path) == 1, (method, path)
    assert concur.stats.requests["GET <unrouted>"] == 0
    assert sum(answers.values()) == 141


async def test_the_server_serves_nothing_beyond_the_inventory(concur: LocalConcur) -> None:
    served = set(concur.routes())
    documented = {f"{method} {path}" for method, path in inventory()}
    assert documented <= served
    assert served - documented == {f"POST {TOKEN_PATH}", *ALIASES, *BEYOND_SEEDS}
