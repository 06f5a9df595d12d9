"""The generic v3 collections and the v4 APIs: CRUD, each paging style, uploads, workflow."""

from __future__ import annotations

from typing import Any

import aiohttp

from concur_async.testing import LocalConcur


async def call(session: aiohttp.ClientSession, method: str, url: str, headers: dict[str, str],
               **kwargs: Any) -> tuple[int, Any]:
    async with session.request(method, url, headers=headers, **kwargs) as resp:
        body = await resp.read()
        return resp.status, (await resp.json() if body else None)


async def test_v3_collection_crud_and_filters(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = concur.base_url + "/api/v3.0/common/lists"
    status, created = await call(session, "POST", url, headers, json={"Name": "Projects"})
    assert status == 200
    assert created["URI"] == f"{url}/{created['ID']}"
    await call(session, "POST", url, headers, json={"Name": "Cost centres"})
    status, _ = await call(session, "PUT", created["URI"], headers, json={"Name": "Projects 2"})
    assert status == 200
    status, found = await call(session, "GET", url, headers, params={"name": "PROJECTS 2"})
    assert [i["ID"] for i in found["Items"]] == [created["ID"]]
    assert found["NextPage"] is None
    items = concur.base_url + "/api/v3.0/common/listitems"
    status, item = await call(session, "POST", items, headers,
                              json={"ListID": created["ID"], "Name": "Apollo",
                                    "Level1Code": "APL"})
    status, _ = await call(session, "DELETE", item["URI"], headers)
    assert status == 200
    status, _ = await call(session, "GET", item["URI"], headers)
    assert status == 404
    assert [(w.op, w.resource) for w in concur.state.write_log] == [
        ("create", "common/lists"), ("create", "common/lists"), ("update", "common/lists"),
        ("create", "common/listitems"), ("delete", "common/listitems")]


async def test_v3_paging_and_limits(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    ids = concur.state.seed_list_items("L1", 120)
    url: str | None = concur.base_url + "/api/v3.0/common/listitems?limit=50&listId=L1"
    seen = []
    while url:
        status, page = await call(session, "GET", url, headers)
        seen += [i["ID"] for i in page["Items"]]
        url = page["NextPage"]
    assert seen == ids
    status, _ = await call(session, "GET", concur.base_url + "/api/v3.0/common/listitems",
                           headers, params={"limit": 101})
    assert status == 400


async def test_payment_request_digests_then_details(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    ids = concur.state.seed_payment_requests(2000)
    url: str | None = concur.base_url + "/api/v3.0/invoice/paymentrequestdigests"
    digests = []
    while url:
        status, page = await call(session, "GET", url, headers)
        assert page["TotalCount"] == 2000
        digests += page["PaymentRequestDigest"]
        url = page["NextPage"]
    assert [d["ID"] for d in digests] == ids
    assert concur.stats.count("GET", "/api/v3.0/invoice/paymentrequestdigests") == 2
    status, detail = await call(session, "GET", digests[1234]["PaymentRequestUri"], headers)
    assert status == 200
    assert detail["InvoiceNumber"] == digests[1234]["InvoiceNumber"]


async def test_payment_request_create_and_update(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = concur.base_url + "/api/v3.0/invoice/paymentrequest"
    status, _ = await call(session, "POST", url, headers, json={"Name": "no assignee"})
    assert status == 400
    status, created = await call(session, "POST", url, headers,
                                 json={"LedgerCode": "DEFAULT", "InvoiceNumber": "I-1"})
    assert status == 200
    status, _ = await call(session, "PUT", url, headers,
                           json={"ID": created["ID"], "InvoiceNumber": "I-2"})
    assert status == 200
    digest = concur.state.collection("invoice/paymentrequestdigests").get(created["ID"])
    assert digest is not None
    assert digest["InvoiceNumber"] == "I-2"


async def test_budget_item_headers_page_by_fifty(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    ids = concur.state.seed_budget_items(120)
    url = concur.base_url + "/budget/v4/budgetItemHeader"
    seen, offsets = [], []
    offset = 0
    while True:
        status, page = await call(session, "GET", url, headers, params={"offset": offset})
        assert status == 200
        assert (page["limit"], page["totalRows"]) == (50, 120)
        offsets.append(page["offset"])
        seen += [b["id"] for b in page["budgetItemHeaders"]]
        if "next" not in page:
            break
        assert page["next"]["href"].startswith(url)
        offset += 50
    assert seen == ids
    assert offsets == [0, 50, 100]
    assert "previous" in page


async def test_budget_saves_update_existing_ids(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = concur.base_url + "/budget/v4/budgetItemHeader"
    item = {"name": "Travel", "description": "Team travel", "budgetItemStatusType": "OPEN",
            "owner": {"employeeUuid": "e", "externalUserCUUID": "c", "externalUserSyncGuid": "s"}}
    status, saved = await call(session, "POST", url, headers, json=item)
    assert saved["success"] is True
    guid = saved["budgetItemHeaderSyncGuid"]
    await call(session, "POST", url, headers, json={**item, "id": guid, "name": "Travel 2"})
    status, got = await call(session, "GET", f"{url}/{guid}", headers)
    assert got["name"] == "Travel 2"
    years = concur.base_url + "/budget/v4/fiscalYear"
    year = {"name": "FY25", "startDate": "2025-01-01", "endDate": "2025-12-31",
            "currentYear": True}
    status, saved_years = await call(session, "POST", years, headers, json=[year])
    assert status == 200
    status, _ = await call(session, "POST", years, headers,
                          json=[{**year, "endDate": "2029-01-01"}])
    assert status == 400
    await call(session, "DELETE", f"{years}/{saved_years[0]['syncGuid']}", headers)
    status, listed = await call(session, "GET", years, headers)
    assert listed == []
    status, listed = await call(session, "GET", years, headers, params={"includeRemoved": "true"})
    assert len(listed) == 1


async def test_travel_requests_start_limit_paging_and_workflow(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    ids = concur.state.seed_travel_requests(25)
    url = concur.base_url + "/travelrequest/v4/requests"
    status, page = await call(session, "GET", url, headers)
    assert [r["id"] for r in page["data"]] == ids[:10]
    assert [op["rel"] for op in page["operations"]] == ["next"]
    status, page = await call(session, "GET", url, headers, params={"start": 20, "limit": 10})
    assert [r["id"] for r in page["data"]] == ids[20:]
    assert [op["rel"] for op in page["operations"]] == ["previous"]
    for limit in ("101", "ten"):
        status, error = await call(session, "GET", url, headers, params={"limit": limit})
        assert status == 400
        assert error["errors"][0]["errorCode"] == "INVALID_PARAMETER"
    request = f"{url}/{ids[0]}"
    status, _ = await call(session, "POST", f"{request}/approve", headers)
    assert status == 400
    for action, code in (("submit", "SUBMITTED"), ("approve", "APPROVED")):
        status, answer = await call(session, "POST", f"{request}/{action}", headers)
        assert (status, answer["approvalStatus"]["code"]) == (200, code)
    status, closed = await call(session, "POST", f"{request}/close", headers)
    assert closed["closed"] is True
    status, page = await call(session, "GET", url, headers, params={"view": "APPROVED"})
    assert [r["id"] for r in page["data"]] == [ids[0]]
    status, expense = await call(session, "POST", f"{request}/expenses", headers,
                                 json={"transactionDate": "2025-03-01",
                                       "expenseType": {"id": "AIRFR"}})
    assert status == 201
    status, listed = await call(session, "GET", f"{request}/expenses", headers)
    assert [e["id"] for e in listed] == [expense["id"]]


async def test_invoice_pay_hands_out_batches_until_empty(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    ids = concur.state.seed_payments(1200)
    url = concur.base_url + "/invoice/provider-payment/v4/payments"
    batches = []
    while True:
        status, answer = await call(session, "GET", url, headers)
        if not answer["payments"]:
            break
        batches.append([p["paymentId"] for p in answer["payments"]])
    assert [len(b) for b in batches] == [500, 500, 200]
    assert [p for batch in batches for p in batch] == ids
    status, _ = await call(session, "POST", f"{url}/{ids[0]}", headers, json={"status": "PAID",
                           "statusDate": "2025-01-02"})
    assert status == 400  # PAID needs a payment method
    status, update = await call(session, "POST", f"{url}/{ids[0]}", headers,
                                json={"status": "PAID", "statusDate": "2025-01-02",
                                      "paymentMethod": "ACH"})
    assert (status, update["status"]) == (200, "PAID")


async def test_quick_expense_json_and_multipart_image(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = concur.base_url + "/quickexpense/v4/users/u1/context/TRAVELER/quickexpenses"
    expense = {"transactionDate": "2025-03-01",
               "transactionAmount": {"currencyCode": "USD", "value": 12.5}}
    status, answer = await call(session, "POST", url, headers, json=expense)
    assert status == 201
    assert answer["quickExpenseIdUri"].startswith(url + "/")
    form = aiohttp.FormData()
    form.add_field("quickExpenseRequest", '{"transactionDate": "2025-03-01", '
                   '"transactionAmount": {"currencyCode": "EUR", "value": 3}}')
    form.add_field("fileContent", b"\x89PNG fake", filename="r.png", content_type="image/png")
    status, answer = await call(session, "POST", f"{url}/image", headers, data=form)
    assert status == 201
    expense_id = answer["quickExpenseIdUri"].rsplit("/", 1)[1]
    assert concur.state.images[expense_id] == (b"\x89PNG fake", "image/png")
    form = aiohttp.FormData()
    form.add_field("quickExpenseRequest", '{"transactionDate": "2025-03-01"}')
    status, answer = await call(session, "POST", f"{url}/image", headers, data=form)
    assert status == 400
    status, _ = await call(session, "POST", url.replace("TRAVELER", "MANAGER"), headers,
                           json=expense)
    assert status == 400


async def test_receipt_image_binary_upload(
    concur: LocalConcur, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    url = concur.base_url + "/api/v3.0/expense/receiptimages"
    pdf = b"%PDF-1.4 receipt"
    status, created = await call(session, "POST", url, {**headers,
                                 "Content-Type": "application/pdf"}, data=pdf)
    assert status == 200
    assert concur.state.images[created["ID"]] == (pdf, "application/pdf")
    status, _ = await call(session, "POST", url, {**headers, "Content-Type": "text/plain"},
                           data=b"hello")
    assert status == 400
    status, got = await call(session, "GET", created["URI"], headers)
    assert (got["ContentType"], got["Size"]) == ("application/pdf", len(pdf))
