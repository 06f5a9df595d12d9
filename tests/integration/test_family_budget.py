"""``client.budget`` against LocalConcur over real sockets: integer-offset paging of budget
items, and saving, reading and removing items, categories, fiscal years and adjustments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from concur_async import NotFoundError
from concur_async.budget.models import (
    BudgetAdjustmentsExternal,
    BudgetCategory,
    BudgetItemHeader,
    BudgetPerson,
    ExpenseType,
    FiscalYear,
)
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration

ITEMS = "/budget/v4/budgetItemHeader"
OWNER = BudgetPerson(employee_uuid="e-1", external_user_cuuid="c-1", external_user_sync_guid="s-1",
                     name="Dana Owner")


async def test_budget_items_page_by_offset_and_are_saved_removed_and_purged() -> None:
    async with LocalConcur() as concur:
        ids = concur.state.seed_budget_items(120)
        async with concur.client() as client:
            budget = client.budget
            items = [i async for i in budget.item_headers.list()]
            # The server pages by 50: offsets 0, 50 and 100.
            assert concur.stats.count("GET", ITEMS) == 3
            assert [i.id for i in items] == ids
            assert all(isinstance(i, BudgetItemHeader) for i in items)
            assert (items[7].name, items[7].annual_budget) == ("Budget 0007", Decimal(10700))

            saved = await budget.item_headers.save(BudgetItemHeader(
                name="Marketing 2025", description="Events and ads",
                budget_item_status_type="OPEN", owner=OWNER, currency_code="EUR",
            ))
            assert saved.success is True
            guid = saved.budget_item_header_sync_guid
            assert guid
            item = await budget.item_headers.get(id=guid)
            assert (item.name, item.owner.name) == ("Marketing 2025", "Dana Owner")

            await budget.item_headers.delete(id=guid)  # marks it removed
            assert (await budget.item_headers.get(id=guid)).budget_item_status_type == "REMOVED"
            await budget.item_headers.purge(sync_guid=guid)  # deletes it for good
            with pytest.raises(NotFoundError):
                await budget.item_headers.get(id=guid)

    assert [w.op for w in concur.state.write_log.filter(resource="budget/budgetItemHeader")] == [
        "create", "update", "delete"]
    assert len(concur.state.collection("budget/budgetItemHeader")) == 120
    assert not concur.errors


async def test_categories_fiscal_years_adjustments_and_tracking_fields() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        budget = client.budget
        types = await budget.categories.expense_types()
        assert [t.expense_type_code for t in types] == [
            "AIRFR", "LODNG", "MEALS", "TAXI", "MISCL"]
        # The Budget Category page shows an expense type whose name is null: it reads as None.
        assert [t.name for t in types][-1] is None
        travel = await budget.categories.save(BudgetCategory(
            name="Travel",
            expense_types=[t for t in types if t.expense_type_code in ("AIRFR", "LODNG", "TAXI")]))
        assert travel.id
        assert [c.name for c in await budget.categories.list()] == ["Travel"]
        fetched = await budget.categories.get(id=travel.id)
        assert [t.name for t in fetched.expense_types] == ["Airfare", "Hotel", "Taxi"]
        assert isinstance(fetched.expense_types[0], ExpenseType)
        assert await budget.categories.delete(id=travel.id)
        assert await budget.categories.list() == []

        years = await budget.fiscal_years.save([FiscalYear(
            name="FY2025", start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 12, 31),
            current_year=True,
        )])
        guid = years[0].id
        assert guid
        fy = await budget.fiscal_years.get(syncguid=guid)
        assert (fy.name, fy.end_date) == ("FY2025", dt.date(2025, 12, 31))
        await budget.fiscal_years.delete(syncguid=guid)
        assert await budget.fiscal_years.list() == []
        removed = await budget.fiscal_years.list(include_removed=True)
        assert [(y.name, y.status) for y in removed] == [("FY2025", "REMOVED")]

        answer = await budget.adjustments.create([BudgetAdjustmentsExternal(
            amount=Decimal("2500.00"), amount_type="BUDGET_AMOUNT",
            budget_item_name="Marketing 2025", budget_owner_email="dana@example.com",
            fiscal_period_name="2025-Q1", fiscal_year_name="FY2025",
        )], use_monthly_rolling_update=False)
        assert "1 adjustment" in answer

        fields = await budget.tracking_fields.list()
        assert [(f.field_id, f.budget_tracking_field_name) for f in fields] == [
            ("ORG_UNIT_1", "Cost Center")]

    adjustments = list(concur.state.collection("budget/adjustments"))
    assert [a["budgetItemName"] for a in adjustments] == ["Marketing 2025"]
    assert concur.state.write_log.keys("delete", "budget/budgetCategory") == {travel.id: 1}
    assert not concur.errors
