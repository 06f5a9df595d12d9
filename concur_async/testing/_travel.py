"""Travel Request v4: requests, their workflow, expected expenses and related lookups.

``GET /requests`` pages with ``start`` (index of the first record, from 0) and ``limit``
(default ``DEFAULT_LIMIT`` = 10, at most ``MAX_LIMIT`` = 100; 400 above or when not a number)
and answers ``{"data": [...], "operations": [{"rel": "next"|"previous", "href"}]}`` as the
explorer's ``PageResultOfResourceOfRequest`` shows. Identifiers are UUIDs; a malformed one is
a 400 ("Bad param: invalid Guid"), an unknown one a 404.
"""

from __future__ import annotations

import uuid
from itertools import islice
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from ._paging import int_param, page_url
from ._store import Collection, Record
from ._wire import JSON, Failure, read_body, server_time

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "TRANSITIONS", "register"]

DEFAULT_LIMIT, MAX_LIMIT = 10, 100
#: action -> (statuses it may start from (None: any), status it leads to). The codes are the
#: explorer's ``ApprovalStatus`` values, which have no "recalled": a recalled Request is back
#: to not submitted.
TRANSITIONS: dict[str, tuple[frozenset[str] | None, str]] = {
    "submit": (frozenset({"NOT_SUBMITTED", "SENTBACK"}), "SUBMITTED"),
    "approve": (frozenset({"SUBMITTED"}), "APPROVED"),
    "recall": (frozenset({"SUBMITTED"}), "NOT_SUBMITTED"),
    "sendback": (frozenset({"SUBMITTED"}), "SENTBACK"),
    "cancel": (None, "CANCELED"),
    "close": (frozenset({"APPROVED"}), "APPROVED"),
    "reopen": (frozenset({"APPROVED"}), "APPROVED"),
}
#: view -> the approval statuses it shows (None: all)
VIEWS: dict[str, frozenset[str] | None] = {
    "ALL": None,
    "UNSUBMITTED": frozenset({"NOT_SUBMITTED", "SENTBACK"}),
    "SUBMITTED": frozenset({"SUBMITTED"}),
    "PENDING": frozenset({"SUBMITTED"}),
    "TOAPPROVE": frozenset({"SUBMITTED"}),
    "APPROVED": frozenset({"APPROVED"}),
    "CANCELED": frozenset({"CANCELED"}),
}


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        headers={"Content-Type": JSON})


def _guid(request: web.Request, name: str) -> str:
    value = request.match_info[name]
    try:
        uuid.UUID(value)
    except ValueError:
        raise Failure(400, f"Bad param: invalid Guid {value!r}.", code="invalidGuid",
                      error="BadRequestException") from None
    return value


def _found(records: Collection, record_id: str, what: str) -> Record:
    record = records.get(record_id)
    if record is None:
        raise Failure(404, f"{what} {record_id} not found.", code="notFound",
                      error="NotFoundException")
    return record


def _object(body: Any) -> Record:
    if not isinstance(body, dict):
        raise Failure(400, "The request body must be a JSON object.", code="invalidBody",
                      error="BadRequestException")
    return body


#: What a Request links to (a ``ResourceLink``, as the explorer documents) rather than embeds;
#: the double keeps these lists inside the record and serves them on their own routes.
_REQUEST_LINKS = ("comments", "cashAdvances", "exceptions")
_EXPENSE_LINKS = ("comments",)


def _linked(record: Record, url: str, fields: tuple[str, ...]) -> Record:
    """The record as served: each linked list replaced by the link to its route."""
    return {**record, **{f: {"href": f"{url}/{f.lower()}"} for f in fields}}


def _writable(body: Record, fields: tuple[str, ...]) -> Record:
    """The body without the links a client may echo back (they are read-only)."""
    return {k: v for k, v in body.items() if k not in fields}


def _status(record: Record) -> str:
    return str((record.get("approvalStatus") or {}).get("code") or "NOT_SUBMITTED")


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    requests = state.collection("travelrequest/requests")
    expenses = state.collection("travelrequest/expenses")
    base = "/travelrequest/v4"

    def href(kind: str, record_id: str) -> str:
        return f"{state.base_url}{base}/{kind}/{record_id}"

    def linked_request(record: Record) -> Record:
        return _linked(record, href("requests", record["id"]), _REQUEST_LINKS)

    def linked_expense(record: Record) -> Record:
        return _linked(record, href("expenses", record["id"]), _EXPENSE_LINKS)

    async def list_requests(request: web.Request) -> web.Response:
        limit = int_param(request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
        start = int_param(request, "start", 0)
        view = request.query.get("view", "ALL").upper()
        shown = VIEWS.get(view)
        user = request.query.get("userId")
        after, before = request.query.get("modifiedAfter"), request.query.get("modifiedBefore")
        rows = (
            r for r in requests
            if (shown is None or _status(r) in shown)
            and (view != "ACTIVE" or not (r.get("closed") or _status(r) == "CANCELED"))
            and (view != "CLOSED" or r.get("closed"))
            and (not user or (r.get("owner") or {}).get("id") == user)
            and (not after or str(r.get("lastModified", "")) >= after)
            and (not before or str(r.get("lastModified", "")) <= before)
        )
        page = list(islice(rows, start, start + limit + 1))
        operations = []
        if len(page) > limit:
            operations.append({"rel": "next", "href": page_url(
                state.base_url, request, start=start + limit, limit=limit)})
        if start > 0:
            operations.append({"rel": "previous", "href": page_url(
                state.base_url, request, start=max(start - limit, 0), limit=limit)})
        return _json({"data": [linked_request(r) for r in page[:limit]], "operations": operations})

    async def create_request(request: web.Request) -> web.Response:
        body = _writable(_object(await read_body(request)), _REQUEST_LINKS)
        record_id = state.new_id(uuid_form=True)
        now = server_time() + "Z"
        record = {"comments": [], "cashAdvances": [], "exceptions": [], **body,
                  "id": record_id, "href": href("requests", record_id),
                  "requestId": record_id[:4].upper(), "creationDate": now, "lastModified": now,
                  "approvalStatus": {"code": "NOT_SUBMITTED", "name": "Not Submitted"}}
        requests.put(record)
        state.write_log.record("create", requests.name, record_id)
        return _json(linked_request(record), status=201)

    async def get_request(request: web.Request) -> web.Response:
        return _json(linked_request(_found(requests, _guid(request, "requestUuid"), "Request")))

    async def update_request(request: web.Request) -> web.Response:
        record_id = _guid(request, "requestUuid")
        record = _found(requests, record_id, "Request")
        body = _writable(_object(await read_body(request)), _REQUEST_LINKS)
        updated = {**record, **body, "id": record_id, "href": href("requests", record_id),
                   "approvalStatus": record.get("approvalStatus"),
                   "lastModified": server_time() + "Z"}
        requests.put(updated)
        state.write_log.record("update", requests.name, record_id)
        return _json(linked_request(updated))

    async def delete_request(request: web.Request) -> web.Response:
        record_id = _guid(request, "requestUuid")
        _found(requests, record_id, "Request")
        requests.delete(record_id)
        state.write_log.record("delete", requests.name, record_id)
        return _json(True)

    def sub_list(field: str) -> Any:
        async def handler(request: web.Request) -> web.Response:
            record = _found(requests, _guid(request, "requestUuid"), "Request")
            return _json(list(record.get(field) or []))
        return handler

    async def workflow(request: web.Request) -> web.Response:
        record_id = _guid(request, "requestUuid")
        record = _found(requests, record_id, "Request")
        action = request.match_info["action"].lower()
        if action not in TRANSITIONS:
            raise Failure(400, f"Unknown workflow action {action!r}.", code="invalidAction",
                          error="BadRequestException")
        allowed, target = TRANSITIONS[action]
        current = _status(record)
        if allowed is not None and current not in allowed:
            raise Failure(400, f"Cannot {action} a request in status {current}.",
                          code="invalidWorkflowAction", error="BadRequestException")
        if action in ("close", "reopen") and bool(record.get("closed")) == (action == "close"):
            raise Failure(400, f"Cannot {action} this request.",
                          code="invalidWorkflowAction", error="BadRequestException")
        closed = action == "close" or (bool(record.get("closed")) and action != "reopen")
        updated = {**record, "approvalStatus": {"code": target, "name": target.title()},
                   "approved": target == "APPROVED", "pendingApproval": target == "SUBMITTED",
                   "closed": closed,
                   "everSentBack": bool(record.get("everSentBack")) or action == "sendback",
                   "lastModified": server_time() + "Z"}
        if action == "sendback" and request.can_read_body:
            # The page sends {"comment": "..."}; a bare string (the seeds' reading) still reads.
            comment = await read_body(request)
            if isinstance(comment, dict):
                comment = comment.get("comment")
            updated["comment"] = comment if isinstance(comment, str) else str(comment)
        requests.put(updated)
        state.write_log.record("update", requests.name, record_id)
        return _json(linked_request(updated))

    async def agency(request: web.Request) -> web.Response:
        agencies = state.collection("travelrequest/travelagencies")
        return _json(_found(agencies, _guid(request, "agencyUuid"), "Travel agency"))

    async def policies(request: web.Request) -> web.Response:
        return _json(list(state.collection("travelrequest/userpolicies")))

    async def list_expenses(request: web.Request) -> web.Response:
        record_id = _guid(request, "requestUuid")
        _found(requests, record_id, "Request")
        return _json([linked_expense(e) for e in expenses
                      if e.get("parentRequest", {}).get("id") == record_id])

    async def create_expense(request: web.Request) -> web.Response:
        parent = _guid(request, "requestUuid")
        _found(requests, parent, "Request")
        body = _check_expense(_writable(_object(await read_body(request)), _EXPENSE_LINKS))
        expense_id = state.new_id(uuid_form=True)
        record = {**body, "id": expense_id, "href": href("expenses", expense_id),
                  "parentRequest": {"id": parent, "href": href("requests", parent)},
                  "lastModifiedDate": server_time() + "Z"}
        expenses.put(record)
        state.write_log.record("create", expenses.name, expense_id)
        return _json(linked_expense(record), status=201)

    async def get_expense(request: web.Request) -> web.Response:
        return _json(linked_expense(_found(expenses, _guid(request, "expenseUuid"), "Expense")))

    async def update_expense(request: web.Request) -> web.Response:
        expense_id = _guid(request, "expenseUuid")
        record = _found(expenses, expense_id, "Expense")
        body = _writable(_object(await read_body(request)), _EXPENSE_LINKS)
        updated = _check_expense({**record, **body, "id": expense_id,
                                  "parentRequest": record.get("parentRequest")})
        expenses.put(updated)
        state.write_log.record("update", expenses.name, expense_id)
        return _json(linked_expense(updated))

    async def delete_expense(request: web.Request) -> web.Response:
        expense_id = _guid(request, "expenseUuid")
        _found(expenses, expense_id, "Expense")
        expenses.delete(expense_id)
        state.write_log.record("delete", expenses.name, expense_id)
        return _json(True)

    async def expense_comments(request: web.Request) -> web.Response:
        record = _found(expenses, _guid(request, "expenseUuid"), "Expense")
        return _json(list(record.get("comments") or []))

    async def cash_advance(request: web.Request) -> web.Response:
        advances = state.collection("travelrequest/cashadvances")
        return _json(_found(advances, _guid(request, "cashAdvanceUuid"), "Cash advance"))

    r = f"{base}/requests/{{requestUuid}}"
    router.add_get(f"{base}/requests", list_requests)
    router.add_post(f"{base}/requests", create_request)
    router.add_get(r, get_request)
    router.add_put(r, update_request)
    router.add_delete(r, delete_request)
    router.add_get(f"{r}/comments", sub_list("comments"))
    router.add_get(f"{r}/cashadvances", sub_list("cashAdvances"))
    router.add_get(f"{r}/exceptions", sub_list("exceptions"))
    router.add_get(f"{r}/expenses", list_expenses)
    router.add_post(f"{r}/expenses", create_expense)
    router.add_post(f"{r}/{{action}}", workflow)
    router.add_get(f"{base}/travelagencies/{{agencyUuid}}", agency)
    router.add_get(f"{base}/userpolicies", policies)
    router.add_get(f"{base}/expenses/{{expenseUuid}}", get_expense)
    router.add_put(f"{base}/expenses/{{expenseUuid}}", update_expense)
    router.add_delete(f"{base}/expenses/{{expenseUuid}}", delete_expense)
    router.add_get(f"{base}/expenses/{{expenseUuid}}/comments", expense_comments)
    router.add_get(f"{base}/cashadvances/{{cashAdvanceUuid}}", cash_advance)


def _check_expense(body: Record) -> Record:
    problems = []
    if not body.get("transactionDate"):
        problems.append(("transactionDate", "is required"))
    if not (body.get("expenseType") or {}).get("id"):
        problems.append(("expenseType.id", "is required"))
    if problems:
        raise Failure(400, "The expected expense is invalid.", code="invalidExpense",
                      error="BadRequestException", details=problems)
    return body
