"""Quick Expense v4: create a quick expense, with or without an image (multipart).

``contextType`` must be ``TRAVELER``; ``transactionDate`` (YYYY-MM-DD) and
``transactionAmount`` (``currencyCode`` + ``value``) are required. The image call takes a
multipart form with ``quickExpenseRequest`` (the same JSON, as text) and ``fileContent``
(PNG, JPEG, GIF, TIFF or PDF, at most 5 MB). Both answer 201 ``{"quickExpenseIdUri"}``;
errors carry ``validationErrors``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import BodyPartReader, web

from ._codes import CURRENCIES
from ._store import Record
from ._v3_writes import check_image
from ._wire import JSON, Failure, read_body

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["register"]

_PATH = "/quickexpense/v4/users/{userID}/context/{contextType}/quickexpenses"


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    expenses = state.collection("quickexpense/quickexpenses")

    def save(request: web.Request, body: Record) -> tuple[str, web.Response]:
        user = request.match_info["userID"]
        context = request.match_info["contextType"]
        if context != "TRAVELER":
            raise Failure(400, "contextType must be TRAVELER.", code="INVALID_CONTEXT",
                          details=[("contextType", "supported value: TRAVELER")])
        _check(body)
        expense_id = state.new_id(uuid_form=True)
        expenses.put({**body, "id": expense_id, "userId": user, "contextType": context})
        state.write_log.record("create", expenses.name, expense_id)
        path = _PATH.format(userID=user, contextType=context)
        uri = f"{state.base_url}{path}/{expense_id}"
        answer = web.Response(body=msgspec.json.encode({"quickExpenseIdUri": uri}), status=201,
                              headers={"Content-Type": JSON})
        return expense_id, answer

    async def create(request: web.Request) -> web.Response:
        body = await read_body(request)
        if not isinstance(body, dict):
            raise Failure(400, "The quick expense must be a JSON object.", code="INVALID_BODY")
        return save(request, body)[1]

    async def create_with_image(request: web.Request) -> web.Response:
        if not request.content_type.startswith("multipart/"):
            raise Failure(400, "This call takes multipart/form-data.", code="INVALID_BODY")
        body: Any = None
        image: tuple[bytes, str] | None = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "quickExpenseRequest":
                try:
                    body = msgspec.json.decode(await part.read(decode=False))
                except msgspec.DecodeError:
                    raise Failure(400, "quickExpenseRequest is not JSON.", code="INVALID_BODY",
                                  details=[("quickExpenseRequest", "not JSON")]) from None
            elif part.name == "fileContent":
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                image = check_image(await part.read(decode=False), ctype)
        if not isinstance(body, dict):
            raise Failure(400, "quickExpenseRequest is required.", code="MISSING_FIELD",
                          details=[("quickExpenseRequest", "is required")])
        if image is None:
            raise Failure(400, "fileContent (the image) is required.", code="MISSING_IMAGE",
                          details=[("fileContent", "is required")])
        expense_id, answer = save(request, body)
        state.images[expense_id] = image
        return answer

    router.add_post(_PATH, create)
    router.add_post(f"{_PATH}/image", create_with_image)


def _check(body: Record) -> None:
    problems = []
    try:
        date.fromisoformat(str(body.get("transactionDate", "")))
    except ValueError:
        problems.append(("transactionDate", "is required, as YYYY-MM-DD"))
    amount = body.get("transactionAmount")
    if not isinstance(amount, dict) or not isinstance(amount.get("value"), int | float):
        problems.append(("transactionAmount.value", "is required and must be a number"))
    elif amount.get("currencyCode") not in CURRENCIES:
        problems.append(("transactionAmount.currencyCode", "must be an ISO 4217 code"))
    if problems:
        raise Failure(400, "The quick expense is invalid.", code="VALIDATION_FAILED",
                      details=problems)
