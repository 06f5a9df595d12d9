"""Deterministic seed records: the read-only data a fresh server starts with, and bulk seeds.

Field names and shapes follow the example payloads of the seeds' API explorer; values are
plausible and derived from the record's index, so every run sees the same data.
"""

from __future__ import annotations

import uuid
from typing import Any

from ._store import Record

__all__ = [
    "BUDGET_EXPENSE_TYPES",
    "STARTING",
    "budget_item",
    "digest_for",
    "report_digest",
    "latest_bookings",
    "localized_data",
    "payment",
    "payment_request",
    "purchase_order",
    "report",
    "seed_uuid",
    "travel_request",
]

_NAMESPACE = uuid.UUID("6f1c1f7e-4a57-4c0b-9d3c-6c6f63616c63")
_CURRENCIES = ("USD", "EUR", "GBP", "CAD")
_VENDORS = ("Acme Office Supply", "Globex Logistics", "Initech Consulting", "Umbrella Catering")


def seed_uuid(kind: str, index: int) -> str:
    """A stable UUID for seed record ``index`` of ``kind``."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{index}"))


def _date(index: int, year: int = 2024) -> str:
    return f"{year}-{index % 12 + 1:02d}-{index % 28 + 1:02d}"


def payment_request(index: int) -> Record:
    """Payment request (invoice) ``index``, as ``GET /invoice/paymentrequest/{id}`` shows it."""
    currency = _CURRENCIES[index % len(_CURRENCIES)]
    amount = f"{100 + index * 7 % 9000}.{index % 100:02d}"
    return {
        "ID": f"PR{index:08d}",
        "Name": f"Invoice {index:06d}",
        "InvoiceNumber": f"INV-{index:06d}",
        "InvoiceDate": _date(index),
        "InvoiceAmount": amount,
        "CalculatedAmount": amount,
        "CurrencyCode": currency,
        "ApprovalStatus": "Approved" if index % 3 else "Pending Approval",
        "PaymentStatus": "Paid" if index % 4 == 0 else "Not Paid",
        # The Invoice v3 page spells the org units OrgUnit1..6 (the seeds OrgUnit01..06),
        # and its Y/N flags are text.
        "OrgUnit1": "Sales",
        "IsEmergencyCheckRun": "N",
        "VendorRemitAddress": {
            "VendorCode": f"V{index % 1000:07d}",
            "AddressCode": "MAIN",
            "Name": _VENDORS[index % len(_VENDORS)],
        },
        "LineItems": {"LineItem": [{
            "Description": "Services rendered",
            "Quantity": "1",
            "UnitPrice": amount,
            "TotalPrice": amount,
        }]},
    }


def digest_for(request: Record) -> Record:
    """The digest of a payment request, linking back to it (the server makes links absolute)."""
    remit = request.get("VendorRemitAddress") or {}
    return {
        "ID": request["ID"],
        "PaymentRequestId": request["ID"],
        "PaymentRequestUri": f"/api/v3.0/invoice/paymentrequest/{request['ID']}",
        "InvoiceNumber": request.get("InvoiceNumber", ""),
        "Total": request.get("InvoiceAmount", ""),
        "CurrencyCode": request.get("CurrencyCode", ""),
        "ApprovalStatusCode": "A_APPR" if request.get("ApprovalStatus") == "Approved" else "A_PEND",
        "PaymentStatusCode": "P_PAID" if request.get("PaymentStatus") == "Paid" else "P_NOTP",
        "CreateDate": request.get("InvoiceDate", ""),
        "VendorName": remit.get("Name", "") if isinstance(remit, dict) else "",
        # Documented on the Invoice Digests page, not in the seeds.
        "VendorCode": remit.get("VendorCode", "") if isinstance(remit, dict) else "",
        "PaymentMethod": "CHECK",
        "IsDeleted": "false",
        # What lastModifiedDateAfter filters on; writes stamp the time they happen.
        "LastModifiedDate": f"{request.get('InvoiceDate', '')}T12:00:00",
    }


def report_digest(report: Record) -> Record:
    """A report as Report Digests v3.0 answers it."""
    out = dict(report)
    out["ReportHeaderLastModifiedDate"] = report.get("LastModifiedDate")
    out.pop("LastModifiedDate", None)
    return out


def payment(index: int) -> Record:
    """An Invoice Pay payment awaiting the provider."""
    currency = _CURRENCIES[index % len(_CURRENCIES)]
    amount = f"{250 + index % 5000}.00"
    return {
        "paymentId": seed_uuid("payment", index),
        "paymentMethod": "PAYPVD",
        "paymentDueDate": _date(index, 2025),
        "totalAmount": {"amount": amount, "currency": currency},
        "invoices": [{
            "invoiceId": f"PR{index:08d}",
            "invoiceNumber": f"INV-{index:06d}",
            "invoiceAmount": {"amount": amount, "currency": currency},
            "paymentAmount": {"amount": amount, "currency": currency},
            "notesToSupplier": "",
        }],
        "vendor": {
            "vendorCode": f"V{index % 1000:07d}",
            "vendorAddrCode": "MAIN",
            "vendorName": _VENDORS[index % len(_VENDORS)],
            "countryCode": "US",
        },
    }


def report(index: int) -> Record:
    currency = _CURRENCIES[index % len(_CURRENCIES)]
    return {
        "ID": f"RPT{index:08d}",
        "Name": f"Trip report {index:05d}",
        "Total": f"{50 + index % 2000}.00",
        "CurrencyCode": currency,
        "ApprovalStatusCode": "A_APPR" if index % 2 else "A_NOTF",
        "PaymentStatusCode": "P_NOTP",
        "OwnerLoginID": f"user{index % 50}@example.com",
        "CreateDate": f"{_date(index)}T09:00:00",
        "SubmitDate": f"{_date(index)}T17:00:00",
        "LastModifiedDate": f"{_date(index)}T17:30:00",  # what modifiedDateAfter filters on
    }


def purchase_order(index: int) -> Record:
    """Purchase order ``PO00000``... with two receivable lines, ``<number>-1`` and ``-2``."""
    number = f"PO{index:05d}"
    address = {"Address1": "1 Main Street", "City": "Minneapolis", "CountryCode": "US",
               "PostalCode": "55401", "StateProvince": "MN"}
    return {
        "PurchaseOrderNumber": number,
        "Name": f"Office supplies {index}",
        "CurrencyCode": "USD",
        "OrderDate": "2024-05-02T00:00:00",
        "PolicyExternalID": "PO",
        "IsTest": "false",  # text, as the Purchase Orders page's example sends it
        "VendorCode": "V0000001",
        "VendorAddressCode": "MAIN",
        "BillToAddress": {**address, "ExternalID": "billto", "Name": "Accounts payable"},
        "ShipToAddress": {**address, "ExternalID": "shipto", "Name": "Warehouse"},
        "LineItem": [
            {"ExternalID": f"{number}-{line}", "LineNumber": str(line), "Quantity": "10",
             "UnitPrice": "4.50", "ExpenseType": "Office Supplies", "IsReceiptRequired": True,
             "Allocation": [{"Amount": "45.00", "GrossAmount": "45.00",
                             "Percentage": "100"}]}
            for line in (1, 2)
        ],
    }


def travel_request(index: int) -> Record:
    return {
        "id": seed_uuid("travel-request", index),
        "requestId": f"{index:04X}",
        "name": f"Customer visit {index:04d}",
        "businessPurpose": "Customer visit",
        "startDate": _date(index, 2025),
        "endDate": _date(index + 1, 2025),
        "approvalStatus": {"code": "NOT_SUBMITTED", "name": "Not Submitted"},
        "approved": False,
        "closed": False,
        "everSentBack": False,
        "pendingApproval": False,
        "owner": {"id": seed_uuid("user", index % 50), "firstName": "Chris",
                  "lastName": f"Traveler{index % 50}"},
        "comments": [],
        "cashAdvances": [],
        "exceptions": [],
    }


def budget_item(index: int) -> Record:
    guid = seed_uuid("budget-item", index)
    return {
        "id": guid,
        "syncGuid": guid,
        "name": f"Budget {index:04d}",
        "description": "Departmental budget",
        "active": True,
        "annualBudget": 10000 + index * 100,
        "budgetItemStatusType": "OPEN",
        "budgetType": "PERSONAL_USE",
        "currencyCode": _CURRENCIES[index % len(_CURRENCIES)],
        "periodType": "YEARLY",
        "isTest": False,
        "owner": {"employeeUuid": seed_uuid("user", index % 50),
                  "externalUserCUUID": seed_uuid("user", index % 50),
                  "externalUserSyncGuid": seed_uuid("user", index % 50),
                  "name": f"Owner {index % 50}"},
    }


BUDGET_EXPENSE_TYPES = [
    {"expenseTypeCode": code, "featureTypeCode": "EXPENSE", "id": code, "name": name,
     "syncGuid": seed_uuid("expense-type", n)}
    for n, (code, name) in enumerate(
        [("AIRFR", "Airfare"), ("LODNG", "Hotel"), ("MEALS", "Meals"), ("TAXI", "Taxi"),
         # The Budget Category page's example lists an expense type whose name is null.
         ("MISCL", None)]
    )
]


def latest_bookings() -> Record:
    """The seed's ``LatestBooking``: the airline segments, and one hotel (an object, not a list)."""
    return {
        "Airlines": [{"BookingClass": "Y", "Code": "AA"}],
        "Hotel": {"Location": "LHR", "StarRating": 4},
    }


def localized_data() -> list[Record]:
    rows = [
        ("approvalStatus", "A_APPR", "Approved"),
        ("approvalStatus", "A_PEND", "Pending Approval"),
        ("paymentStatus", "P_PAID", "Paid"),
        ("paymentStatus", "P_NOTP", "Not Paid"),
        ("payMethod", "CHECK", "Check"),
        ("unitOfMeasure", "EA", "Each"),
    ]
    return [{"Type": t, "Code": c, "LangCode": "en", "LocalizedValue": v} for t, c, v in rows]


#: Read-only collections a fresh server starts with: collection name -> records.
STARTING: dict[str, list[dict[str, Any]]] = {
    "expense/allocations": [
        {"ID": f"ALLOC{i:04d}", "EntryID": f"ENTRY{i:04d}", "Percentage": "100",
         "AccountCode1": f"6{i:03d}", "IsHidden": False, "IsPercentEdited": False}
        for i in range(3)
    ],
    "expense/digitaltaxinvoices": [
        {"ID": f"DTI{i:04d}", "AccountID": f"ACC{i:04d}", "DocumentID": f"DOC{i:04d}",
         "ReceiptData": "{}"}
        for i in range(2)
    ],
    "expense/expensegroupconfigurations": [
        {"ID": "EGC0001", "Name": "Default", "AllowUserDigitalTaxInvoice": False,
         "AllowUserRegisterYodlee": False, "PaymentTypes": [{"ID": "CASHX", "Name": "Cash"}]}
    ],
    "common/locations": [
        {"ID": "LOC0001", "Name": "Seattle", "Country": "US", "CountrySubdivision": "US-WA",
         "IATACode": "SEA", "IsAirport": False, "Latitude": 47.6, "Longitude": -122.3},
        {"ID": "LOC0002", "Name": "London", "Country": "GB", "CountrySubdivision": "GB-LND",
         "IATACode": "LHR", "IsAirport": False, "Latitude": 51.5, "Longitude": -0.1},
    ],
    "common/suppliers": [
        {"ID": f"SUP{i:04d}", "BusinessName": name, "City": "Seattle", "CountryCode": "US"}
        for i, name in enumerate(_VENDORS)
    ],
    "common/users": [
        {"ID": f"USR{i:04d}", "LoginID": f"user{i}@example.com", "FirstName": "Chris",
         "LastName": f"User{i}", "EmployeeID": f"E{i:05d}", "Active": True,
         "PrimaryEmail": f"user{i}@example.com"}
        for i in range(5)
    ],
    "insights/opportunities": [
        {"ID": "OPP0001", "TripId": "TRIP0001", "Type": "Hotel", "IsActive": True,
         "StartCityCode": "SEA", "EndCityCode": "LHR",
         "StartDateLocal": "2025-03-01T09:00:00Z", "EndDateLocal": "2025-03-03T18:00:00Z"}
    ],
    "travelrequest/requestgroupconfigurations": [
        {"ID": "RGC0001", "Name": "Default request group", "Policies": []}
    ],
    "travelrequest/travelagencies": [
        {"id": seed_uuid("agency", 0), "name": "Harbor Travel",
         "emailAddress": "agents@harbor.example", "proposalType": "CWTF"}
    ],
    "travelrequest/userpolicies": [
        {"id": seed_uuid("policy", 0), "name": "Standard travel policy"}
    ],
    "travelrequest/cashadvances": [
        {"cashAdvanceId": seed_uuid("cash-advance", 0),
         "amountRequested": {"currency": "USD", "value": 200},
         "approvalStatus": {"code": "C_APPR", "name": "Approved"},
         "comment": "", "issueDate": "2025-02-20", "requestDate": "2025-02-18",
         "exchangeRate": {"operation": "MULTIPLY", "value": 1}}
    ],
    "budget/budgetTrackingField": [
        {"fieldId": "ORG_UNIT_1", "budgetTrackingFieldName": "Cost Center",
         "budgetSequenceNumber": 1, "fieldSyncGuid": seed_uuid("field", 0)}
    ],
}
