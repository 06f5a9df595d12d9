"""The worker scripts in examples/, run as scripts against LocalConcur, their output checked."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import RunExample

pytestmark = pytest.mark.integration


def jsonl(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# -- export_expense_reports.py ---------------------------------------------------------------


def test_export_writes_exactly_the_reports_modified_since_the_date(
    run_example: RunExample, tmp_path: Path
) -> None:
    from export_expense_reports import local_reports

    out = tmp_path / "reports.jsonl"
    done = run_example("export_expense_reports.py", "--since", "2024-10-01", "--out", str(out),
                       "--local-reports", "400")
    assert done.returncode == 0, done.stderr
    exported = jsonl(out.read_text())
    expected = {r["ID"] for r in local_reports(400)
                if r["LastModifiedDate"] > "2024-10-01T00:00:00"}
    assert 0 < len(expected) < 400  # the date filters
    assert [r["ID"] for r in exported] == sorted(expected)  # each once, in Concur's order
    assert all(r["LastModifiedDate"] > "2024-10-01" and r["URI"].endswith(r["ID"])
               for r in exported)
    assert f"exported {len(expected)} reports modified since 2024-10-01T00:00:00" in done.stderr
    assert "LocalConcur" in done.stderr
    assert not list(tmp_path.glob("*.partial"))


def test_export_to_stdout_pages_through_a_later_date(run_example: RunExample) -> None:
    from export_expense_reports import local_reports

    done = run_example("export_expense_reports.py", "--since", "2024-03-01T12:00",
                       "--local-reports", "1000")
    assert done.returncode == 0, done.stderr
    expected = [r["ID"] for r in local_reports(1000)
                if r["LastModifiedDate"] > "2024-03-01T12:00:00"]
    assert len(expected) > 200  # more than two pages of 100
    assert [r["ID"] for r in jsonl(done.stdout)] == expected
    assert f"({-(-len(expected) // 100)} pages" in done.stderr


def test_export_refuses_a_date_it_cannot_read(run_example: RunExample) -> None:
    done = run_example("export_expense_reports.py", "--since", "last tuesday")
    assert done.returncode == 2
    assert "not a date" in done.stderr


# -- po_receipts.py ----------------------------------------------------------------------------


def test_receipts_for_every_line_and_a_refusal_explained(run_example: RunExample) -> None:
    done = run_example("po_receipts.py", "--local-orders", "15", "--concurrency", "4")
    assert done.returncode == 0, done.stderr
    results = jsonl(done.stdout)
    assert len(results) == 15 * 2 + 1
    saved = [(r["PurchaseOrderNumber"], r["LineItemExternalID"]) for r in results[:-1]]
    assert saved == [(f"PO{i:05d}", f"PO{i:05d}-{line}") for i in range(15) for line in (1, 2)]
    assert {r["status"] for r in results[:-1]} == {"SUCCESS"}
    refused = results[-1]
    assert refused["status"] == "FAILURE"
    assert refused["code"] == "8000"
    assert refused["meaning"] == "A required field is missing."
    assert refused["field"] == "LineItem ExternalID"
    assert "PO00000-9" in refused["message"]
    assert "31 receipts: 30 saved, 1 refused (31 requests" in done.stderr


def test_receipts_from_csv_with_strict_exit_status(
    run_example: RunExample, tmp_path: Path
) -> None:
    path = tmp_path / "receipts.csv"
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["PurchaseOrderNumber", "LineItemExternalID", "GoodsReceiptNumber",
                         "ReceivedQuantity", "ReceivedDate"])
        writer.writerow(["PO00002", "PO00002-2", "GR-A", "4", "2024-06-01"])
        writer.writerow(["PO77777", "PO77777-1", "GR-B", "", ""])
    done = run_example("po_receipts.py", "--csv", str(path), "--strict", "--local-orders", "3")
    assert done.returncode == 1, done.stderr
    ok, missing = jsonl(done.stdout)
    assert ok == {"PurchaseOrderNumber": "PO00002", "LineItemExternalID": "PO00002-2",
                  "GoodsReceiptNumber": "GR-A", "status": "SUCCESS"}
    assert missing["status"] == "FAILURE"
    assert missing["code"] == "1000"
    assert missing["meaning"] == "The PO number is missing or invalid."


# -- sync_vendors.py ---------------------------------------------------------------------------


def _summary(stdout: str) -> dict[str, int]:
    counts = {}
    for line in stdout.splitlines():
        words = line.split()
        if len(words) == 2 and words[0] in ("created", "updated", "deleted", "unchanged",
                                            "failed"):
            counts[words[0]] = int(words[1].replace(",", ""))
    return counts


def test_vendor_sync_plans_then_applies_the_made_up_file(run_example: RunExample) -> None:
    from sync_vendors import local_desired

    count = 3000
    desired = list(local_desired(count))
    renamed = sum(1 for v in desired if v["VendorName"].endswith("(renamed)"))
    new = sum(1 for v in desired if v["VendorCode"].startswith("NEW"))
    left_out = count - (len(desired) - new)
    plan = run_example("sync_vendors.py", "--local-vendors", str(count), "--dry-run",
                       "--delete-missing")
    assert plan.returncode == 0, plan.stderr
    assert "dry run, nothing sent" in plan.stdout
    expected = {"created": new, "updated": renamed, "deleted": left_out,
                "unchanged": len(desired) - new - renamed, "failed": 0}
    assert _summary(plan.stdout) == expected
    done = run_example("sync_vendors.py", "--local-vendors", str(count), "--delete-missing",
                       "--batch-size", "50")
    assert done.returncode == 0, done.stderr
    assert _summary(done.stdout) == expected
    writes = renamed + new + left_out
    assert done.stderr.splitlines()[-1].strip() == f"{writes:,} of {writes:,} written, 0 failed"


def test_vendor_sync_reports_refused_vendors(run_example: RunExample, tmp_path: Path) -> None:
    source = tmp_path / "vendors.csv"
    source.write_text(
        "VendorCode,AddressCode,VendorName,CountryCode,CurrencyCode,City\n"
        "NEW1,MAIN,New One,US,USD,Boston\n"
        "BAD1,MAIN,Bad Currency,US,XXX,Nowhere\n"
    )
    failures = tmp_path / "failures.jsonl"
    done = run_example("sync_vendors.py", "--csv", str(source), "--failures", str(failures),
                       "--local-vendors", "5")
    assert done.returncode == 1, done.stderr
    assert _summary(done.stdout) == {"created": 1, "updated": 0, "deleted": 0,
                                     "unchanged": 0, "failed": 1}
    assert "failed to create BAD1|MAIN: Invalid currency code 'XXX'." in done.stdout
    (failure,) = jsonl(failures.read_text())
    assert failure["key"] == "BAD1|MAIN"
    assert failure["action"] == "create"
