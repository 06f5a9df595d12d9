"""``client.travel_request`` against LocalConcur over real sockets: start/limit paging, the
approval workflow, expected expenses, and the lookups a Request links to."""

from __future__ import annotations

import pytest

from concur_async import BadRequestError, NotFoundError
from concur_async.testing import LocalConcur
from concur_async.travel_request.models import (
    Expense,
    ExpenseType,
    Request,
    RequestDetails,
)
from concur_async.travel_request.request_group_configurations import RequestGroupConfiguration

pytestmark = pytest.mark.integration

REQUESTS = "/travelrequest/v4/requests"


async def test_requests_page_and_move_through_the_workflow() -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_travel_requests(25)
        async with concur.client() as client:
            travel = client.travel_request
            listed = [r async for r in travel.requests.list(page_size=10, prefetch=0)]
            # start=0, 10 and 20 with limit=10; the short third page ends it. (With prefetch,
            # pages are asked for ahead by index, and one past the end may be asked too.)
            assert concur.stats.count("GET", REQUESTS) == 3
            assert [r.id for r in listed] == ids
            assert all(isinstance(r, Request) for r in listed)
            assert listed[3].name == "Customer visit 0003"

            details = await travel.requests.get(request_uuid=ids[3])
            assert isinstance(details, RequestDetails)
            assert details.approval_status is not None
            assert details.approval_status.code == "NOT_SUBMITTED"
            # Comments and cash advances are links to their own routes.
            assert details.comments is not None
            assert details.comments.href
            assert details.comments.href.endswith(f"/requests/{ids[3]}/comments")

            new = await travel.requests.create(Request(
                name="Berlin summit", business_purpose="Partner meeting",
                start_date="2025-06-02", end_date="2025-06-05",
            ))
            assert new.id
            assert new.request_id
            renamed = await travel.requests.update(Request(name="Berlin partner summit"),
                                                   request_uuid=new.id)
            assert (renamed.name, renamed.business_purpose) == (
                "Berlin partner summit", "Partner meeting")
            submitted = await travel.requests.move(request_uuid=new.id, action="submit")
            assert submitted.approval_status is not None
            assert submitted.approval_status.code == "SUBMITTED"
            sent_back = await travel.requests.move(request_uuid=new.id, action="sendback",
                                                   comment="Add the hotel")
            assert sent_back.approval_status is not None
            assert sent_back.approval_status.code == "SENTBACK"
            with pytest.raises(BadRequestError):
                await travel.requests.move(request_uuid=new.id, action="approve")

            unsubmitted = travel.requests.list(view="UNSUBMITTED", page_size=100)
            assert new.id in [r.id async for r in unsubmitted]
            assert await travel.requests.exceptions(request_uuid=new.id) == []
            assert await travel.comments.for_request(request_uuid=new.id) == []
            assert await travel.requests.delete(request_uuid=new.id) is True
            with pytest.raises(NotFoundError):
                await travel.requests.get(request_uuid=new.id)

    ops = [w.op for w in concur.state.write_log.filter(resource="travelrequest/requests")]
    assert ops == ["create", "update", "update", "update", "delete"]
    assert not concur.errors


async def test_expected_expenses_and_lookups() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        travel = client.travel_request
        (request_id,) = concur.state.seed_travel_requests(1)
        flight = await travel.expenses.create(
            Expense(transaction_date="2025-06-02", expense_type=ExpenseType(id="AIRFR"),
                    business_purpose="Flight to Berlin"),
            request_uuid=request_id,
        )
        assert flight.id
        assert flight.parent_request is not None
        assert flight.parent_request.id == request_id
        assert [e.id for e in await travel.expenses.list(request_uuid=request_id)] == [flight.id]
        changed = await travel.expenses.update(
            Expense(transaction_date="2025-06-03", expense_type=ExpenseType(id="AIRFR")),
            expense_uuid=flight.id)
        assert (changed.transaction_date, changed.business_purpose) == (
            "2025-06-03", "Flight to Berlin")
        assert (await travel.expenses.get(expense_uuid=flight.id)).transaction_date == "2025-06-03"
        assert await travel.comments.for_expense(expense_uuid=flight.id) == []
        assert await travel.expenses.delete(expense_uuid=flight.id) is True
        assert await travel.expenses.list(request_uuid=request_id) == []

        agencies = concur.state.collection("travelrequest/travelagencies")
        agency_id = next(iter(agencies))["id"]
        agency = await travel.travel_agencies.get(agency_uuid=agency_id)
        assert agency.name == "Harbor Travel"
        advances = concur.state.collection("travelrequest/cashadvances")
        advance_id = next(iter(advances))["cashAdvanceId"]
        advance = await travel.cash_advances.get(cash_advance_uuid=advance_id)
        assert advance.approval_status is not None
        assert advance.approval_status.code == "C_APPR"
        assert await travel.cash_advances.for_request(request_uuid=request_id) == []
        policies = await travel.user_policies.list()
        assert [p.name for p in policies] == ["Standard travel policy"]
        # Request group configurations are Request v3.1, paged the v3 way.
        groups = [g async for g in travel.request_group_configurations.list()]
        assert [type(g) for g in groups] == [RequestGroupConfiguration]
        assert groups[0].name == "Default request group"

    assert concur.state.write_log.keys(resource="travelrequest/expenses") == {flight.id: 3}
    assert not concur.errors
