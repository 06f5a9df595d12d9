"""``client.common`` against LocalConcur over real sockets: lists and list items, connection
requests in three versions, users, locations and suppliers."""

from __future__ import annotations

import pytest

from concur_async import NotFoundError
from concur_async.common.connection_requests import ConnectionRequestGet, ConnectionRequestPut
from concur_async.common.list_items import ListItemGet, ListItemPost, ListItemPut
from concur_async.common.lists import ListPost
from concur_async.common.users import User
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

LIST_ITEMS = "/api/v3.0/common/listitems"


@pytest.mark.parametrize("wire_format", ["json", "xml"])
async def test_lists_and_list_items(wire_format: str) -> None:
    async with LocalConcur() as concur, concur.client(wire_format=wire_format) as client:
        common = client.common
        made = await common.lists.create(ListPost(name="Cost centers", display_code_first=True))
        assert made.id
        cost_centers = await common.lists.get(id=made.id)
        assert (cost_centers.name, cost_centers.display_code_first) == ("Cost centers", True)

        ids = concur.state.seed_list_items(made.id, 250)
        items = [i async for i in common.list_items.list(list_id=made.id, page_size=100)]
        assert concur.stats.count("GET", LIST_ITEMS) == 3
        assert [i.id for i in items] == ids
        assert all(isinstance(i, ListItemGet) for i in items)
        assert items[249].level1_code == "ITEM00249"

        added = await common.list_items.create(
            ListItemPost(list_id=made.id, name="Research", level1_code="R100"))
        assert added.id
        await common.list_items.update(ListItemPut(list_id=made.id, name="Research & Dev"),
                                       id=added.id)
        item = await common.list_items.get(id=added.id, list_id=made.id)
        assert (item.name, item.level1_code) == ("Research & Dev", "R100")
        await common.list_items.delete(id=added.id, list_id=made.id)
        with pytest.raises(NotFoundError):
            await common.list_items.get(id=added.id)

    log = concur.state.write_log
    assert [w.op for w in log.filter(resource="common/listitems")] == [
        "create", "update", "delete"]
    assert added.id not in concur.state.collection("common/listitems")
    assert not concur.errors


async def test_connection_requests_users_locations_and_suppliers() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        common = client.common
        # ``connection_requests`` is v3.2; the older versions keep theirs in the name.
        opened = await common.connection_requests.create(user="traveler@example.com")
        assert opened.id
        assert opened.uri
        assert "/api/v3.2/" in opened.uri
        await common.connection_requests.update(ConnectionRequestPut(status="CRSUC"),
                                                id=opened.id)
        connected = await common.connection_requests.get(id=opened.id)
        assert isinstance(connected, ConnectionRequestGet)
        assert (connected.user_id, connected.status) == ("traveler@example.com", "CRSUC")

        older = await common.connection_requests_v3_0.create(user="guest@example.com")
        assert older.uri
        assert "/api/v3.0/" in older.uri
        pending = [c async for c in common.connection_requests_v3_0.list(status="Pending")]
        assert [(c.id, c.status) for c in pending] == [(older.id, "Pending")]
        await common.connection_requests_v3_0.delete(id=older.id)
        remaining = [c.id async for c in common.connection_requests_v3_1.list(page_size=10)]
        assert remaining == [opened.id]

        users = [u async for u in common.users.list(page_size=2)]
        assert concur.stats.count("GET", "/api/v3.0/common/users") == 3
        assert [u.login_id for u in users] == [f"user{i}@example.com" for i in range(5)]
        assert all(isinstance(u, User) for u in users)
        found = [u.employee_id async for u in common.users.list(last_name="User3")]
        assert found == ["E00003"]

        london = [loc.name async for loc in common.locations.list(country="GB")]
        assert london == ["London"]
        seattle = await common.locations.get(id="LOC0001")
        assert seattle.iata_code == "SEA"
        supplier = await common.suppliers.get(id="SUP0002")
        assert supplier.business_name == "Initech Consulting"

    assert concur.stats.count("POST", "/api/v3.2/common/connectionrequests") == 1
    assert concur.state.write_log.keys("delete", "common/connectionrequests") == {older.id: 1}
    assert not concur.errors
