"""Budget v4: categories, budget item headers (paged by integer offset), fiscal years.

``GET /budget/v4/budgetItemHeader`` pages by ``offset`` with a page size the server sets
(``PAGE_SIZE`` = 50) and answers ``budgetItemHeaders`` with ``href``, ``limit``, ``offset``,
``totalRows`` and ``next``/``previous`` links. Saving an existing id updates it ("creates a
new ... if one doesn't exist"). Errors answer ``{"errorMessageList": [...]}``.
"""

from __future__ import annotations

from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from ._paging import int_param, page_url
from ._store import Collection, Record
from ._wire import JSON, Failure, read_body, server_time

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["PAGE_SIZE", "register"]

PAGE_SIZE = 50
_REQUIRED = {
    "budget/budgetCategory": ("name", "expenseTypes"),
    "budget/budgetItemHeader": ("name", "description", "budgetItemStatusType", "owner"),
    "budget/fiscalYear": ("name", "startDate", "endDate", "currentYear"),
    "budget/adjustments": ("amount", "amountType", "budgetItemName", "budgetOwnerEmail",
                           "fiscalPeriodName", "fiscalYearName"),
}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        headers={"Content-Type": JSON})


def _object(body: Any, kind: str) -> Record:
    if not isinstance(body, dict):
        raise Failure(400, f"The {kind} must be a JSON object.", code="INVALID_BODY")
    missing = [name for name in _REQUIRED[kind] if body.get(name) in (None, "", [])]
    if missing:
        raise Failure(400, f"Required field(s) missing: {', '.join(missing)}.",
                      code="MISSING_FIELD", details=[(m, "is required") for m in missing])
    return body


def _found(records: Collection, record_id: str, what: str) -> Record:
    record = records.get(record_id)
    if record is None:
        raise Failure(404, f"No {what} with id {record_id!r}.", code="NOT_FOUND")
    return record


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    categories = state.collection("budget/budgetCategory")
    items = state.collection("budget/budgetItemHeader")
    years = state.collection("budget/fiscalYear")
    adjustments = state.collection("budget/adjustments")
    base = "/budget/v4"

    def save(records: Collection, body: Record) -> Record:
        """Insert, or update the record the body's id names; the saved record."""
        # Budget records carry the same guid as ``id`` and ``syncGuid``.
        record_id = str(body.get("syncGuid") or body.get("id") or "")
        existing = records.get(record_id) if record_id else None
        record_id = record_id or state.new_id(uuid_form=True)
        record = {**(existing or {}), **body, "id": record_id, "syncGuid": record_id}
        records.put(record)
        state.write_log.record("create" if existing is None else "update", records.name,
                               record_id)
        return record

    async def save_adjustments(request: web.Request) -> web.Response:
        rolling = request.query.get("useMonthlyRollingUpdate", "").lower()
        if rolling not in ("true", "false"):
            raise Failure(400, "useMonthlyRollingUpdate (true or false) is required.",
                          code="MISSING_PARAMETER")
        body = await read_body(request)
        if not isinstance(body, list) or not body:
            raise Failure(400, "The body must be a non-empty list of adjustments.",
                          code="INVALID_BODY")
        rows = [_object(row, "budget/adjustments") for row in body]
        for row in rows:
            save(adjustments, {**row, "id": state.new_id(uuid_form=True)})
        return _json(f"{len(rows)} adjustment(s) saved.")

    async def list_categories(request: web.Request) -> web.Response:
        return _json(list(categories))

    async def save_category(request: web.Request) -> web.Response:
        body = _object(await read_body(request), "budget/budgetCategory")
        return _json(save(categories, body))

    async def expense_types(request: web.Request) -> web.Response:
        return _json(state.budget_expense_types)

    async def get_category(request: web.Request) -> web.Response:
        return _json(_found(categories, request.match_info["id"], "budget category"))

    async def delete_category(request: web.Request) -> web.Response:
        record_id = request.match_info["id"]
        _found(categories, record_id, "budget category")
        categories.delete(record_id)
        state.write_log.record("delete", categories.name, record_id)
        return _json("Budget category removed.")

    async def list_items(request: web.Request) -> web.Response:
        offset = int_param(request, "offset", 0)
        rows = list(islice(items, offset, offset + PAGE_SIZE))
        data: dict[str, Any] = {"budgetItemHeaders": rows,
                                "href": page_url(state.base_url, request, offset=offset),
                                "limit": PAGE_SIZE, "offset": offset, "totalRows": len(items)}
        if offset + PAGE_SIZE < len(items):
            data["next"] = {"href": page_url(state.base_url, request, offset=offset + PAGE_SIZE)}
        if offset > 0:
            back = max(offset - PAGE_SIZE, 0)
            data["previous"] = {"href": page_url(state.base_url, request, offset=back)}
        return _json(data)

    async def save_item(request: web.Request) -> web.Response:
        body = _object(await read_body(request), "budget/budgetItemHeader")
        record = save(items, body)
        return _json({"budgetItemHeaderSyncGuid": record["syncGuid"], "success": True})

    async def get_item(request: web.Request) -> web.Response:
        return _json(_found(items, request.match_info["id"], "budget item"))

    async def remove_item(request: web.Request) -> web.Response:
        record_id = request.match_info["id"]
        record = _found(items, record_id, "budget item")
        items.put({**record, "active": False, "budgetItemStatusType": "REMOVED"})
        state.write_log.record("update", items.name, record_id)
        return _json({"budgetItemHeaderSyncGuid": record["syncGuid"], "success": True})

    async def delete_item(request: web.Request) -> web.Response:
        record_id = request.match_info["syncGuid"]
        record = _found(items, record_id, "budget item")
        items.delete(record_id)
        state.write_log.record("delete", items.name, record_id)
        return _json({"budgetItemHeaderSyncGuid": record["syncGuid"], "success": True})

    async def tracking_fields(request: web.Request) -> web.Response:
        return _json(list(state.collection("budget/budgetTrackingField")))

    async def list_years(request: web.Request) -> web.Response:
        removed = request.query.get("includeRemoved", "false").lower() == "true"
        after = request.query.get("lastModifiedAfter", "")
        rows = [y for y in years if (removed or y.get("status") != "REMOVED")
                and str(y.get("lastModified", "")) >= after]
        return _json(rows)

    async def save_years(request: web.Request) -> web.Response:
        body = await read_body(request)
        if not isinstance(body, list) or not body:
            raise Failure(400, "The body must be a non-empty list of fiscal years.",
                          code="INVALID_BODY")
        rows = [_fiscal_year(_object(row, "budget/fiscalYear")) for row in body]
        now = state_time()
        return _json([save(years, {**row, "lastModified": now}) for row in rows])

    async def get_year(request: web.Request) -> web.Response:
        return _json(_found(years, request.match_info["syncguid"], "fiscal year"))

    async def remove_year(request: web.Request) -> web.Response:
        record_id = request.match_info["syncguid"]
        record = _found(years, record_id, "fiscal year")
        years.put({**record, "status": "REMOVED", "lastModified": state_time()})
        state.write_log.record("update", years.name, record_id)
        return _json("Fiscal year removed.")

    router.add_post(f"{base}/adjustments", save_adjustments)
    router.add_get(f"{base}/budgetCategory", list_categories)
    router.add_post(f"{base}/budgetCategory", save_category)
    router.add_get(f"{base}/budgetCategory/expenseTypes", expense_types)
    router.add_get(f"{base}/budgetCategory/{{id}}", get_category)
    router.add_delete(f"{base}/budgetCategory/{{id}}", delete_category)
    router.add_get(f"{base}/budgetItemHeader", list_items)
    router.add_post(f"{base}/budgetItemHeader", save_item)
    router.add_get(f"{base}/budgetItemHeader/{{id}}", get_item)
    router.add_delete(f"{base}/budgetItemHeader/{{id}}", remove_item)
    router.add_delete(f"{base}/delete/budgetItemHeader/{{syncGuid}}", delete_item)
    router.add_get(f"{base}/budgetTrackingField", tracking_fields)
    router.add_get(f"{base}/fiscalYear", list_years)
    router.add_post(f"{base}/fiscalYear", save_years)
    router.add_get(f"{base}/fiscalYear/{{syncguid}}", get_year)
    router.add_delete(f"{base}/fiscalYear/{{syncguid}}", remove_year)


def state_time() -> str:
    return server_time() + "Z"


def _fiscal_year(row: Record) -> Record:
    try:
        start, end = date.fromisoformat(str(row["startDate"])), date.fromisoformat(
            str(row["endDate"]))
    except ValueError:
        raise Failure(400, "startDate and endDate must be YYYY-MM-DD.",
                      code="INVALID_DATE") from None
    if end <= start or (end - start).days > 2 * 366:
        raise Failure(400, "A fiscal year ends after it starts and spans at most two years.",
                      code="INVALID_DATE_RANGE")
    return row
