"""What Concur's reference pages (``concur/developer.concur.com``) show that the seeds lack.

The seeds are one reading of the docs; the pages themselves, and the examples on them
(``tests/corpus``), outrank it. Each entry below adds a field, a schema or a list filter the
seeds do not have, with the page that documents it, or says how a date filter is spelled.
``apply_docs`` writes them into the spec (``"documented_by"`` names the page), after the seed
reading and its overrides; an entry naming something the spec already has, or lacks where it should
be, is an error, so the table cannot rot. ``tests/corpus/test_coverage.py`` finds what is
still missing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["apply_docs"]

_DIGEST = "src/api-reference/invoice/v3.payment-request-digest.markdown"
_PR = "src/api-reference/invoice/v3.payment-request.markdown"
_PAY = "src/api-reference/invoice/v4.invoice-pay.markdown"
_VENDOR = "api-reference/invoice/vendors/vendors-resource-get.markdown (removed 2016)"
_BUDGET = "src/api-reference/budget/v4.budget-header.md"
_TRACKING = "src/api-reference/budget/v4.budget-trackingfield.md"
_IMAGE = "src/api-reference/image/v3.image.markdown"


def _text(name: str, description: str, page: str) -> dict[str, Any]:
    return {"name": name, "type": "string", "required": False, "description": description,
            "documented_by": page}


def _org_units(page: str) -> list[dict[str, Any]]:
    return [_text(f"OrgUnit{n}", "The details from the Organization Unit fields, as the docs "
                  f"spell them (the seeds write OrgUnit0{n}, also read).", page)
            for n in range(1, 7)]


#: (spec, schema) -> fields the docs show and the seeds lack.
FIELDS: dict[tuple[str, str], list[dict[str, Any]]] = {
    ("payment_request_digest_v3_0", "PaymentRequestDigest"): [
        _text("PaymentMethod", "Payment method type tied to an Invoice.", _DIGEST),
        _text("LastModifiedDate", "The date the invoice was last modified.", _DIGEST),
        _text("ExtractedDate", "The date the invoice was extracted.", _DIGEST),
        _text("VendorCode", "The code which identifies a particular vendor.", _DIGEST),
    ],
    ("payment_request_v3_0", "PaymentRequest"): [
        _text("CompanyBillToAddressCode", "The code which identifies the company location to "
              "which the vendor billed the invoice.", _PR),
        _text("EmployeeEmailAddress", "The email address of the employee to whom the invoice "
              "is assigned.", _PR),
        _text("EmployeeId", "The company ID of the employee to whom the invoice is assigned.",
              _PR),
        _text("EmployeeLoginId", "The login ID of the employee to whom the invoice is "
              "assigned.", _PR),
        _text("IsEmergencyCheckRun", "Is an emergency check run required (Y/N).", _PR),
        _text("PaymentAmount", "The amount of the payment that will be/has been made for the "
              "Invoice.", _PR),
        {"name": "VendorRemitToIdentifier", "type": "ref", "ref": "VendorIdentifier",
         "required": False, "description": "Identifies the vendor location for payment "
         "remittance.", "documented_by": _PR},
        *_org_units(_PR),
    ],
    ("payment_request_v3_0", "PaymentRequestPost"): _org_units(_PR),
    ("payment_request_v3_0", "PaymentRequestPut"): _org_units(_PR),
    ("payment_request_v3_0", "LineItem"): [
        _text("ItemCode", "The code a vendor assigns to a good or service to identify it.",
              _PR),
        {"name": "MatchedPurchaseOrderReceipts", "type": "ref",
         "ref": "MatchedPurchaseOrderReceipt", "array": True, "required": False,
         "description": "The Matched Purchase Order Receipts identity fields (if any).",
         "documented_by": _PR},
    ],
    ("payment_request_v3_0", "MatchedPurchaseOrderReceipt"): [
        _text("GoodsReceiptNumber", "The purchase order goods receipt number to which the "
              "Invoice line item is matched.", _PR),
    ],
    ("invoice_pay_v4_0", "updatePayment"): [
        _text("erpDocumentNumber", "The document number the ERP gave the payment.", _PAY),
    ],
    ("invoice_pay_v4_0", "updatePaymentResult"): [
        _text("erpDocumentNumber", "The document number the ERP gave the payment.", _PAY),
    ],
    ("vendors_v3_0", "Vendor"): [
        _text("BuyerAccountNumber", "The buyer's account number with the vendor.", _VENDOR),
    ],
    ("vendor_v3_1", "Vendor"): [
        _text("BuyerAccountNumber", "The buyer's account number with the vendor.", _VENDOR),
    ],
    ("budget_v4_0", "BudgetItemHeader"): [
        _text("budgetItemHeaderId", "The budget item header's id.", _BUDGET),
    ],
    ("budget_v4_0", "CostObjectField"): [
        _text("fieldType", "The data type of this field or field collection: LIST, MLIST or "
              "VARCHAR (the seeds spell it feildType, also read).", _TRACKING),
    ],
    ("receipt_images_v3_0", "ReceiptImage"): [
        _text("Id", "The image's id, as the Image answer spells it.", _IMAGE),
        _text("Url", "A temporary URL at which the image can be read.", _IMAGE),
    ],
}

_TAX = "src/api-reference/invoice/v3.sales-tax-validation.markdown"
_ITEMIZATION = "src/api-reference/expense/expense-report/expense-itemization.markdown"
_PO = "src/api-reference/invoice/purchase-order.markdown (2019)"
_PURCHASE = "src/api-reference/invoice/v4.purchase-request-endpoints.markdown"
_TRAVEL = "src/api-reference/request/v4.endpoints.request-resources.markdown"
_TMC = "src/api-guides/tmc/request-v4-guide.markdown"
_TRAVEL_EXAMPLES = "src/api-reference/request/v4.examples.markdown (removed)"
_AGENCY = "src/api-reference/request/v4.endpoints.travel-agency-resources.markdown"


def _typed(name: str, type_: str, description: str, page: str) -> dict[str, Any]:
    return {**_text(name, description, page), "type": type_}


def _ref(name: str, ref: str, description: str, page: str, *, array: bool = False
         ) -> dict[str, Any]:
    return {**_text(name, description, page), "type": "ref", "ref": ref,
            **({"array": True} if array else {})}


def _coded(prefix: str, numbers: range, page: str, *, values: bool) -> list[dict[str, Any]]:
    """``Custom1``.. (and ``Custom1Value``..): a configured field's code and its value."""
    out = [_text(f"{prefix}{n}", f"The code from the {prefix} fields.", page) for n in numbers]
    if values:
        out += [_text(f"{prefix}{n}Value", f"The value from the {prefix} fields.", page)
                for n in numbers]
    return out


_EXPENSE_TYPE_FLAGS = ("agencyVisible", "caRelated", "hasSegment")
_EXPENSE_TYPE_TEXT = ("customFormId", "expId", "expKey", "formId", "formType", "formula",
                      "spendCategoryCode", "spendExpenseCode")

FIELDS.update({
    ("sales_tax_validation_request_v3_0", "InvoiceGet"): [
        *_coded("Custom", range(1, 25), _TAX, values=True),
        *_coded("OrgUnit", range(1, 7), _TAX, values=True),
    ],
    ("sales_tax_validation_request_v3_0", "InvoiceLineItem"): [
        _ref("Allocations", "Allocations", "The line item's allocations.", _TAX),
    ],
    ("sales_tax_validation_request_v3_0", "Allocations"): [
        _ref("Allocation", "Allocation", "The allocations.", _TAX, array=True),
    ],
    ("sales_tax_validation_request_v3_0", "Allocation"): [
        _text("AllocationAmount", "The amount allocated.", _TAX),
        *_coded("Custom", range(1, 21), _TAX, values=True),
    ],
    ("sales_tax_validation_request_v3_0", "InvoiceVendor"): [
        _text("AddressCode", "The code which identifies a particular vendor location.", _TAX),
        _text("VendorCode", "The code which identifies a particular vendor.", _TAX),
    ],
    ("sales_tax_validation_request_v3_0", "InvoiceStatus"): [
        _typed("Parameters", "any", "Parameters of the status message, if any.", _TAX),
    ],
    ("itemizations_v3_0", "ItemizationGet"): _coded("Custom", range(31, 37), _ITEMIZATION,
                                                    values=False),
    ("purchase_orders_v3_0", "LineItem"): [
        {**_typed("PurchaseOrderReceipt", "any", "The line's receipts (as the Purchase Order "
                  "Receipts API reads them).", _PO), "array": True},
    ],
    ("purchase_request_v4_0", "lineItem"): [
        _text("uomCode", "The unit of measure code of the item.", _PURCHASE),
    ],
    ("budget_v4_0", "BudgetItemDetail"): [
        _ref("detailDashboardBudgetItemAdjustmentDTOs", "DetailDashboardBudgetItemAdjustment",
             "The adjustments of this budget item detail.", _BUDGET, array=True),
    ],
    ("budget_v4_0", "BudgetItemHeader"): [
        _text("budgetItemHeaderId", "The budget item header's id.", _BUDGET),
        _text("budgetName", "The budget's name.", _BUDGET),
        _typed("budgetTeamMembers", "any", "The members of a TEAM budget.", _BUDGET),
    ],
    ("budget_v4_0", "BudgetItemHeaderResponse"): [
        _text("budgetItemHeaderId", "The saved budget item header's id.", _BUDGET),
    ],
    ("budget_v4_0", "FiscalPeriod"): [
        _text("fiscalYearId", "The id of the period's fiscal year.", _BUDGET),
    ],
    ("invoice_pay_v4_0", "invoice"): [
        _text("erpDocumentNumber", "The document number the ERP gave the invoice.", _PAY),
        _text("invoiceID", "The invoice's id, as the Invoice Pay page's example spells it "
              "(invoiceId is also read).", _PAY),
    ],
    ("request_v4_0", "Request"): [
        _text("template", "The link template of the Request's expense report.", _TRAVEL),
    ],
    ("request_v4_0", "RequestDetails"): [
        _ref("expensePolicy", "ResourceLink", "The expense policy of the Request.", _TMC),
    ],
    ("request_v4_0", "ResourceOfTravelAgency"): [
        _text("href", "The travel agency's resource URL.", _AGENCY),
    ],
    ("request_v4_0", "CustomField"): [
        _text("listItemId", "The list item's id, for a list field.", _TRAVEL_EXAMPLES),
    ],
    ("request_v4_0", "ExpenseType"): [
        *[_typed(n, "boolean", f"The expense type's {n} flag.", _TMC)
          for n in _EXPENSE_TYPE_FLAGS],
        *[_text(n, f"The expense type's {n}.", _TMC) for n in _EXPENSE_TYPE_TEXT],
    ],
    ("request_v4_0", "Location"): [
        _typed("lnKey", "integer", "The location's key.", _TMC),
    ],
})

#: (spec, schema) -> schemas the docs show and the seeds lack (fields come from FIELDS).
SCHEMAS: dict[tuple[str, str], str] = {
    ("payment_request_v3_0", "MatchedPurchaseOrderReceipt"): _PR,
    ("sales_tax_validation_request_v3_0", "Allocations"): _TAX,
    ("sales_tax_validation_request_v3_0", "Allocation"): _TAX,
}


def _date_filter(name: str, description: str, page: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "type": "date-time", "required": False,
            "description": description, "documented_by": page}


#: (spec, method, path) -> list filters the docs show and the seeds lack.
PARAMETERS: dict[tuple[str, str, str], list[dict[str, Any]]] = {
    ("payment_request_digest_v3_0", "GET", "/api/v3.0/invoice/paymentrequestdigests"): [
        {"name": "payMethodType", "in": "query", "type": "string", "required": False,
         "description": "Payment method type tied to an Invoice. Use GET "
         "/invoice/localizeddata to get the available Pay Method types.", "documented_by": _DIGEST},
        _date_filter("lastModifiedDateBefore", "The invoice last modified date is before this "
                     "date. Format: YYYY-MM-DD", _DIGEST),
        _date_filter("lastModifiedDateAfter", "The invoice last modified date is after this "
                     "date. Format: YYYY-MM-DD", _DIGEST),
        _date_filter("extractedDateBefore", "The invoice extracted date is before this date. "
                     "Format: YYYY-MM-DD", _DIGEST),
        _date_filter("extractedDateAfter", "The invoice extracted date is after this date. "
                     "Format: YYYY-MM-DD", _DIGEST),
    ],
}

#: spec -> how its date filters are written (concur_async._query.Spelling), per the pages:
#: digests "YYYY-MM-DD"; v3 reports "Accepted Formats: yyyy-MM-dd or
#: yyyy-MM-ddTHH:mm:ss.SSS"; Travel Request "yyyy-MM-dd'T'HH:mm:ss'Z' or yyyy-MM-dd", in UTC;
#: Insights "the From date in UTC".
SPELLINGS: dict[str, str] = {
    "payment_request_digest_v3_0": "date",
    "reports_v3_0": "millis",
    "request_v4_0": "utc",
    "opportunities_v3_0": "utc",
}


def apply_docs(name: str, spec: dict[str, Any]) -> None:
    """Write what the docs add into ``spec`` (named ``name``); raise on a stale entry."""
    schemas = spec["schemas"]
    for (stem, schema), page in SCHEMAS.items():
        if stem == name:
            if schema in schemas:
                raise ValueError(f"{name}: the seeds now have schema {schema}")
            schemas[schema] = {"name": schema, "examples": [], "fields": [], "documented_by": page}
    for (stem, schema), fields in FIELDS.items():
        if stem != name:
            continue
        have = {f["name"] for f in schemas[schema]["fields"]}
        for field in fields:
            if field["name"] in have:
                raise ValueError(f"{name}: {schema} already has {field['name']}")
            schemas[schema]["fields"].append(dict(field))
    ops = {(op["method"], op["path"]): op for op in spec["operations"]}
    for (stem, method, path), params in PARAMETERS.items():
        if stem == name:
            have = {p["name"] for p in ops[method, path]["parameters"]}
            if have & {p["name"] for p in params}:
                raise ValueError(f"{name}: {method} {path} already has {have & set(params)}")
            ops[method, path]["parameters"] += [dict(p) for p in params]
    for op in spec["operations"]:
        for param in op["parameters"]:
            if param["in"] == "query" and param["type"] in ("date", "date-time"):
                if name not in SPELLINGS:
                    raise ValueError(f"{name}: no spelling for date filter {param['name']}")
                param["spelling"] = SPELLINGS[name]
