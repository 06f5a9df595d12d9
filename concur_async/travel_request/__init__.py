"""Travel Request v4 (and its v3.1 request group configurations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._resource import Family
from .cash_advances import CashAdvances
from .comments import Comments
from .expenses import Expenses
from .request_group_configurations import RequestGroupConfigurations
from .requests import Requests
from .requests_v3_0 import RequestsV30
from .travel_agencies import TravelAgencies
from .user_policies import UserPolicies

if TYPE_CHECKING:
    from .._client import ConcurClient

__all__ = ["TravelRequest"]


class TravelRequest(Family):
    """Travel Request v4 (and its v3.1 request group configurations)."""

    def __init__(self, client: ConcurClient) -> None:
        super().__init__(client)
        self.requests = Requests(client)
        self.expenses = Expenses(client)
        self.cash_advances = CashAdvances(client)
        self.comments = Comments(client)
        self.travel_agencies = TravelAgencies(client)
        self.user_policies = UserPolicies(client)
        self.request_group_configurations = RequestGroupConfigurations(client)
        self.requests_v3_0 = RequestsV30(client)
