"""v3 writes that are not plain collection writes: payment requests, tax updates, images.

- ``POST /invoice/paymentrequest`` needs one of the assignee fields the schema names and a
  valid ``CurrencyCode`` when given; it also creates the request's digest. ``PUT`` names the
  request by its ``ID`` (body) or ``id`` (query): the documented body carries no identifier.
- ``PUT /invoice/salestaxvalidationrequest`` updates the invoice named by the body's ``ID``.
- ``POST/PUT /expense/receiptimages`` take the image itself as the body (or the first file
  of a multipart form): PNG, JPEG, GIF, TIFF or PDF, at most 5 MB.
- ``POST /common/connectionrequests`` (v3.0, v3.1, v3.2) has no body: the ``user`` query
  parameter names whom the request is for, and it starts ``Pending``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import BodyPartReader, web

from ._codes import CURRENCIES
from ._generic import fields_of
from ._seeds import digest_for
from ._wire import Failure, empty, read_body, reply, server_time

if TYPE_CHECKING:
    from ._state import ConcurState

__all__ = ["IMAGE_TYPES", "MAX_IMAGE_BYTES", "check_image", "read_image", "register"]

IMAGE_TYPES = frozenset({
    "image/png", "image/jpeg", "image/jpg", "image/gif", "image/tiff", "application/pdf",
})
MAX_IMAGE_BYTES = 5 * 2**20
_ASSIGNEE = ("LedgerCode", "EmployeeLoginId", "EmployeeId", "EmployeeEmailAddress",
             "PurchaseOrderId", "ExternalPolicyId")


async def read_image(request: web.Request, part_name: str | None = None) -> tuple[bytes, str]:
    """(bytes, content type) of an uploaded image, raw or in a multipart form; 400 if bad."""
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            if part.filename or (part_name and part.name == part_name):
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                return check_image(await part.read(decode=False), ctype)
        raise Failure(400, "The form holds no image file.", code="MISSING_IMAGE",
                      details=[(part_name or "file", "is required")])
    return check_image(await request.read(), request.content_type)


def check_image(data: bytes | bytearray, ctype: str) -> tuple[bytes, str]:
    """(bytes, bare content type) of an acceptable image; 400 otherwise."""
    ctype = ctype.split(";")[0].strip().lower()
    if not data:
        raise Failure(400, "The image is empty.", code="MISSING_IMAGE")
    if ctype not in IMAGE_TYPES:
        raise Failure(400, f"Image type {ctype!r} is not supported.", code="INVALID_IMAGE",
                      details=[("fileContent", "unsupported image type")])
    if len(data) > MAX_IMAGE_BYTES:
        raise Failure(400, "The image is larger than 5 MB.", code="IMAGE_TOO_LARGE",
                      details=[("fileContent", "larger than 5 MB")])
    return bytes(data), ctype


def register(router: web.UrlDispatcher, state: ConcurState) -> None:
    requests = state.collection("invoice/paymentrequests")
    digests = state.collection("invoice/paymentrequestdigests")
    invoices = state.collection("invoice/salestaxvalidationrequest")
    images = state.collection("expense/receiptimages")
    connections = state.collection("common/connectionrequests")
    pr_path = "/api/v3.0/invoice/paymentrequest"
    image_path = "/api/v3.0/expense/receiptimages"

    async def create_payment_request(request: web.Request) -> web.Response:
        fields = fields_of(await read_body(request))
        if not any(fields.get(name) for name in _ASSIGNEE):
            raise Failure(400, f"One of {', '.join(_ASSIGNEE)} is required.",
                          code="MISSING_FIELD")
        _check_currency(fields)
        record_id = state.new_id()
        record = {**fields, "ID": record_id}
        requests.put(record)
        digests.put({**digest_for(record), "LastModifiedDate": server_time()})
        state.write_log.record("create", requests.name, record_id)
        return reply(request, {"ID": record_id, "URI": f"{state.base_url}{pr_path}/{record_id}"},
                     root="CreateResponse")

    async def update_payment_request(request: web.Request) -> web.Response:
        fields = fields_of(await read_body(request))
        record_id = str(fields.get("ID") or request.query.get("id") or "")
        existing = requests.get(record_id) if record_id else None
        if existing is None:
            raise Failure(404, f"Payment request {record_id!r} was not found.", code="NOT_FOUND")
        _check_currency(fields)
        record = {**existing, **fields, "ID": record_id}
        requests.put(record)
        digests.put({**digest_for(record), "LastModifiedDate": server_time()})
        state.write_log.record("update", requests.name, record_id)
        return reply(request, {"ID": record_id, "URI": f"{state.base_url}{pr_path}/{record_id}"},
                     root="CreateResponse")

    async def update_tax(request: web.Request) -> web.Response:
        fields = fields_of(await read_body(request))
        invoice_id = str(fields.get("ID") or "")
        existing = invoices.get(invoice_id) if invoice_id else None
        if existing is None:
            raise Failure(404, f"Invoice {invoice_id!r} was not found.", code="NOT_FOUND")
        invoices.put({**existing, **fields})
        state.write_log.record("update", invoices.name, invoice_id)
        answer = {"Code": "0", "Comments": fields.get("Comments"), "Message": "Invoice updated.",
                  "RecordNumber": "1", "Status": "SUCCESS",
                  "TaxReferenceID": fields.get("TaxReferenceID"), "Type": "SUCCESS"}
        return reply(request, answer, root="InvoiceStatus")

    async def upload_image(request: web.Request) -> web.Response:
        data, ctype = await read_image(request)
        image_id = state.new_id()
        images.put({"ID": image_id, "ContentType": ctype, "Size": len(data)})
        state.images[image_id] = (data, ctype)
        state.write_log.record("create", images.name, image_id)
        return reply(request, {"ID": image_id, "URI": f"{state.base_url}{image_path}/{image_id}"},
                     root="ReceiptImage")

    async def replace_image(request: web.Request) -> web.Response:
        image_id = request.match_info["id"]
        if images.get(image_id) is None:
            raise Failure(404, f"Receipt image {image_id!r} was not found.", code="NOT_FOUND")
        data, ctype = await read_image(request)
        images.put({"ID": image_id, "ContentType": ctype, "Size": len(data)})
        state.images[image_id] = (data, ctype)
        state.write_log.record("update", images.name, image_id)
        return empty()

    async def create_connection_request(request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        if not user:
            raise Failure(400, "The user query parameter is required.", code="MISSING_PARAMETER",
                          details=[("user", "is required")])
        record_id = state.new_id()
        # v3.2 spells its fields in camelCase, v3.0 and v3.1 in PascalCase; the versions share
        # one collection, as their generic routes do, and each record keeps its writer's casing.
        fields = {"userId": user, "status": "Pending", "lastModified": server_time()}
        if "/v3.2/" not in request.path:
            fields = {k[0].upper() + k[1:]: v for k, v in fields.items()}
        connections.put({"ID": record_id, **fields})
        state.write_log.record("create", connections.name, record_id)
        uri = f"{state.base_url}{request.path}/{record_id}"
        return reply(request, {"ID": record_id, "URI": uri}, root="CreateResponse")

    for version in ("v3.0", "v3.1", "v3.2"):
        router.add_post(f"/api/{version}/common/connectionrequests", create_connection_request)
    router.add_post(pr_path, create_payment_request)
    router.add_put(pr_path, update_payment_request)
    router.add_put("/api/v3.0/invoice/salestaxvalidationrequest", update_tax)
    router.add_post(image_path, upload_image)
    router.add_put(f"{image_path}/{{id}}", replace_image)


def _check_currency(fields: dict[str, object]) -> None:
    currency = fields.get("CurrencyCode")
    if currency and currency not in CURRENCIES:
        raise Failure(400, f"Invalid currency code {currency!r}.", code="INVALID_CURRENCY")
