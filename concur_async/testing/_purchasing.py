"""Purchase Request v4 and Invoice Pay v4.

Invoice Pay hands payments to the provider in batches: each ``GET .../payments`` answers the
next ``BATCH`` (500) payments not yet handed out, and an empty list once all have been
(``ConcurState.payments_cursor`` remembers where it stopped). ``POST .../payments/{id}``
records the provider's status; ``status`` and ``statusDate`` are required, and
``paymentMethod`` too when the status is PAID, CHECK_PROCESSED or CARD_SETTLED. As the Invoice
Pay page shows, an update may instead carry only the ERP's ``erpDocumentNumber``, and the
answer dates the payment ``YYYY-MM-DD`` (``"createdDate": "2018-05-09"``), no time.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import web

from ._codes import CURRENCIES
from ._store import Record
from ._wire import JSON, Failure, as_list, read_body, server_time

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["BATCH", "PAYMENT_STATUSES", "register"]

BATCH = 500
PAYMENT_STATUSES = frozenset({
    "PAID", "CANCELED", "CARD_AUTHORIZED", "CARD_EMAIL_SENT", "CARD_SETTLED", "CHECK_MAILED",
    "CHECK_PRINTED", "CHECK_PROCESSED", "CHECK_VOIDED", "PENDING_RETRIEVAL", "PROCESSING",
    "REJECTED", "RETRIEVED", "RETURNED",
})
PAYMENT_METHODS = frozenset({"ACH", "CHECK", "WIRE", "CARD", "OTHER"})
_NEEDS_METHOD = frozenset({"PAID", "CHECK_PROCESSED", "CARD_SETTLED"})
_LINE_FIELDS = ("purchaseType", "vendorCode", "vendorAddressCode", "description", "quantity",
                "unitPrice")


def _json(data: Any, status: int = 200) -> web.Response:
    return web.Response(body=msgspec.json.encode(data), status=status,
                        headers={"Content-Type": JSON})


def _invalid(path: str, message: str, code: str = "INVALID_FIELD") -> Failure:
    return Failure(400, message, code=code, details=[(path, message)])


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    purchase_requests = state.collection("purchaserequest/purchaserequests")
    payments = state.collection("invoice/payments")
    pr_base = "/purchaserequest/v4/purchaserequests"
    pay_base = "/invoice/provider-payment/v4/payments"

    async def create_purchase_request(request: web.Request) -> web.Response:
        body = await read_body(request)
        if not isinstance(body, dict):
            raise _invalid("", "The purchase request must be a JSON object.")
        _check_purchase_request(body, state)
        record_id = state.new_id(uuid_form=True)
        number = f"PR{len(purchase_requests) + 1:06d}"
        purchase_requests.put({**body, "purchaseRequestId": record_id,
                               "purchaseRequestNumber": number})
        state.write_log.record("create", purchase_requests.name, record_id)
        return _json({"id": record_id, "uri": f"{state.base_url}{pr_base}/{record_id}"})

    async def get_purchase_request(request: web.Request) -> web.Response:
        mode = request.query.get("mode", "")
        if mode.upper() != "COMPACT":
            raise _invalid("mode", "mode is required; the supported value is COMPACT.",
                           "INVALID_MODE")
        record = purchase_requests.get(request.match_info["id"])
        if record is None:
            raise Failure(404, "The purchase request was not found.", code="NOT_FOUND")
        return _json({
            "purchaseRequestId": record["purchaseRequestId"],
            "purchaseRequestNumber": record["purchaseRequestNumber"],
            "purchaseRequestQueueStatus": "CREATED",
            "purchaseRequestWorkflowStatus": "Pending Approval",
            "purchaseOrders": [],
            "purchaseRequestExceptions": [],
        })

    async def hand_out_payments(request: web.Request) -> web.Response:
        page = payments.page(state.payments_cursor, BATCH)
        state.payments_cursor = payments.end if page.next is None else page.next
        return _json({"payments": page.items})

    async def update_payment(request: web.Request) -> web.Response:
        payment_id = request.match_info["PaymentId"]
        payment = payments.get(payment_id)
        if payment is None:
            raise Failure(404, f"Payment {payment_id!r} was not found.", code="NOT_FOUND")
        body = await read_body(request)
        if not isinstance(body, dict):
            raise Failure(400, "The payment update must be a JSON object.", code="INVALID_BODY")
        if set(body) != {"erpDocumentNumber"}:
            _check_payment_update(body)
        today = server_time()[:10]  # the page's example answers dates without a time
        update = {**body, "createdDate": payment.get("createdDate", today),
                  "lastModifiedDate": today}
        payments.put({**payment, **update})
        state.write_log.record("update", payments.name, payment_id)
        return _json(update)

    router.add_post(f"{pr_base}/", create_purchase_request)
    router.add_post(pr_base, create_purchase_request)
    router.add_get(f"{pr_base}/{{id}}", get_purchase_request)
    router.add_get(pay_base, hand_out_payments)
    router.add_post(f"{pay_base}/{{PaymentId}}", update_payment)


def _check_purchase_request(body: Record, state: ConcurState) -> None:
    if not any(body.get(k) for k in ("userId", "userEmail", "userLoginId")):
        raise _invalid("userId", "One of userId, userEmail or userLoginId is required.",
                       "MISSING_FIELD")
    if body.get("currencyCode") not in CURRENCIES:
        raise _invalid("currencyCode", f"Invalid currency code {body.get('currencyCode')!r}.")
    lines = as_list(body.get("lineItems"))
    if not lines:
        raise _invalid("lineItems", "At least one line item is required.", "MISSING_FIELD")
    for n, line in enumerate(lines):
        line = line if isinstance(line, dict) else {}
        for name in _LINE_FIELDS:
            if line.get(name) in (None, ""):
                raise _invalid(f"lineItems[{n}].{name}", f"{name} is required.", "MISSING_FIELD")
        if line["purchaseType"] not in ("GOODS", "SERVICES"):
            raise _invalid(f"lineItems[{n}].purchaseType", "purchaseType is GOODS or SERVICES.")
        vendor = (str(line["vendorCode"]), str(line["vendorAddressCode"]))
        if state.vendors.get(vendor) is None:
            raise _invalid(f"lineItems[{n}].vendorCode",
                           f"No vendor {vendor[0]!r} with address {vendor[1]!r}.", "INVALID_VENDOR")


def _check_payment_update(body: Record) -> None:
    status = body.get("status")
    if status not in PAYMENT_STATUSES:
        raise Failure(400, f"status {status!r} is not a valid payment status.",
                      code="INVALID_STATUS")
    try:
        date.fromisoformat(str(body.get("statusDate", "")))
    except ValueError:
        raise Failure(400, "statusDate (YYYY-MM-DD) is required.", code="INVALID_DATE") from None
    method = body.get("paymentMethod")
    if method is not None and method not in PAYMENT_METHODS:
        raise Failure(400, f"paymentMethod {method!r} is not valid.", code="INVALID_METHOD")
    if status in _NEEDS_METHOD and not method:
        raise Failure(400, f"paymentMethod is required for status {status}.",
                      code="MISSING_METHOD")
