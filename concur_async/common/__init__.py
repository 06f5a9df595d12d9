"""Common v3.x: lists, list items, connection requests, locations, receipts, suppliers, users."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .connection_requests import ConnectionRequests
from .connection_requests_v3_1 import ConnectionRequestsV31
from .connection_requests_v3_2 import ConnectionRequestsV32
from .list_items import ListItems
from .lists import Lists
from .locations import Locations
from .receipts import Receipts
from .suppliers import Suppliers
from .users import Users

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["Common"]


class Common(Family):
    """Common v3.x: lists and list items, connection requests, locations, receipts, users."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.connection_requests = ConnectionRequestsV32(client)
        self.connection_requests_v3_1 = ConnectionRequestsV31(client)
        self.connection_requests_v3_0 = ConnectionRequests(client)
        self.list_items = ListItems(client)
        self.lists = Lists(client)
        self.locations = Locations(client)
        self.receipts = Receipts(client)
        self.suppliers = Suppliers(client)
        self.users = Users(client)
