"""The concur-async command, end to end: a subprocess against LocalConcur running in the test.

LocalConcur serves from this test's event loop, so the command runs in a worker thread
(``asyncio.to_thread``) while the loop keeps answering it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from rich.console import Console
from typer.testing import CliRunner

from concur_async import PasswordGrant
from concur_async.cli import app
from concur_async.cli._console import SyncProgressBar, summary_table
from concur_async.cli._records import VENDOR_COLUMNS, unknown_fields
from concur_async.invoice.purchase_orders import PurchaseOrder
from concur_async.invoice.vendor_models import Vendor
from concur_async.testing import STATUS_INVALID_CURRENCY, LocalConcur, seed_code

pytestmark = pytest.mark.integration

VENDORS = "/api/v3.1/invoice/vendors"
SECRETS = {"CONCUR_CLIENT_SECRET": "client-secret-6f1e", "CONCUR_PASSWORD": "password-9c2d"}
CREDENTIALS = {"CONCUR_CLIENT_ID": "cli-tests", "CONCUR_USERNAME": "ap@example.com", **SECRETS}


async def cli(
    *args: str | Path, credentials: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m concur_async`` with only the CONCUR_* variables given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")}
    env.update(CREDENTIALS if credentials is None else credentials)
    env["COLUMNS"] = "200"  # the summary table on one line per row
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "concur_async", *map(str, args)],
        capture_output=True, text=True, timeout=timeout, env=env, check=False,
    )
    secrets = [v for k, v in env.items() if k.startswith("CONCUR_") and v
               and k.endswith(("SECRET", "PASSWORD", "TOKEN"))]
    for secret in secrets:  # never echoed, whatever happened
        assert secret not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def table(text: str) -> dict[str, str]:
    """The summary table's one row, by column name."""
    header = next(line for line in text.splitlines() if "┃" in line)
    row = next(line for line in text.splitlines() if line.startswith("│"))
    return dict(zip([c.strip() for c in header.split("┃")[1:-1]],
                    [c.strip() for c in row.split("│")[1:-1]], strict=True))


def vendor_line(code: str, *, currency: str = "USD", name: str | None = None) -> str:
    return json.dumps({"VendorCode": code, "AddressCode": "MAIN",
                       "VendorName": name or f"Supplier {code}", "CountryCode": "US",
                       "CurrencyCode": currency})


def writes(concur: LocalConcur) -> int:
    return len(concur.state.write_log)


# -- export ------------------------------------------------------------------------------


async def test_export_jsonl_to_stdout_is_every_vendor_by_concur_field_names() -> None:
    async with LocalConcur(vendors=2_500) as concur:
        done = await cli("vendors", "export", "--base-url", concur.base_url, "--page-size", "1000")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2_500
    first = json.loads(lines[0])
    assert first["VendorCode"] == seed_code(0)
    assert first["AddressCode"] == "MAIN"
    assert "ID" not in first  # server-owned fields stay out: the export is a sync input
    assert set(first) <= {f.encode_name for f in msgspec.structs.fields(Vendor)}
    assert [json.loads(line)["VendorCode"] for line in lines] == [
        seed_code(i) for i in range(2_500)]
    assert "exported 2,500 vendors" in done.stderr
    assert "(3 requests)" in done.stderr  # 3 pages (the token request is not counted)


async def test_export_csv_file_has_the_vendor_columns_and_honours_filters(
    tmp_path: Path,
) -> None:
    out = tmp_path / "vendors.csv"
    async with LocalConcur(vendors=300) as concur:
        done = await cli("vendors", "export", "-o", out, "--vendor-name", "Vendor 00001",
                         "--search-type", "begins", "--base-url", concur.base_url)
        assert done.returncode == 0, done.stderr
        everything = await cli("vendors", "export", "-o", tmp_path / "all.csv", "--max-items",
                               "120", "--quiet", "--base-url", concur.base_url)
    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == 100  # "Vendor 0000100" .. "Vendor 0000199"
    assert tuple(rows[0]) == VENDOR_COLUMNS
    assert tuple(rows[0])[:3] == ("VendorCode", "AddressCode", "VendorName")
    assert "StatusList" not in rows[0]
    assert "ID" not in rows[0]
    assert rows[0]["VendorCode"] == seed_code(100)
    assert rows[0]["CurrencyCode"]
    assert rows[0]["Address2"] == ""
    assert everything.returncode == 0
    assert everything.stderr == ""  # --quiet
    assert len((tmp_path / "all.csv").read_text().splitlines()) == 121
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp left


async def test_refresh_token_file_keeps_the_rotated_token_for_the_next_run(
    tmp_path: Path,
) -> None:
    stored = tmp_path / "refresh-token"
    async with LocalConcur(vendors=5) as concur:
        grant = PasswordGrant(client_id="cli-tests", client_secret="x", username="u",
                              password="p")
        async with concur.client(auth=grant) as client:
            first = (await client.token_manager.get(client.session)).refresh_token
        assert first
        creds = {"CONCUR_CLIENT_ID": "cli-tests", "CONCUR_CLIENT_SECRET": "client-secret-6f1e",
                 "CONCUR_REFRESH_TOKEN": first, "CONCUR_REFRESH_TOKEN_FILE": str(stored)}
        runs = [await cli("vendors", "export", "-q", "--base-url", concur.base_url,
                          credentials=creds) for _ in range(2)]
        rotated = json.loads(stored.read_text())["refresh_token"]
        # Without the file the second run would have sent the spent token and been refused.
        spent = await cli("vendors", "export", "-q", "--base-url", concur.base_url,
                          credentials={**creds, "CONCUR_REFRESH_TOKEN_FILE": ""})
    assert [r.returncode for r in runs] == [0, 0], runs[1].stderr
    assert rotated
    assert rotated != first
    assert stored.stat().st_mode & 0o077 == 0
    assert first not in runs[0].stdout + runs[0].stderr
    assert spent.returncode == 2  # refused credentials, as documented (was 1)
    assert spent.stderr.startswith("error: Concur refused the credentials: HTTP 400 [108]: ")
    assert len(spent.stderr.strip().splitlines()) == 1


# -- configuration and usage errors ------------------------------------------------------


async def test_missing_credentials_exit_2_with_a_clear_message(tmp_path: Path) -> None:
    source = tmp_path / "vendors.jsonl"
    source.write_text(vendor_line("N1") + "\n")
    done = await cli("vendors", "sync", source, "--base-url", "http://127.0.0.1:9",
                     credentials={})
    assert done.returncode == 2
    assert "missing credentials" in done.stderr
    assert "CONCUR_CLIENT_ID" in done.stderr
    assert "CONCUR_REFRESH_TOKEN" in done.stderr
    half = await cli("vendors", "export", credentials={"CONCUR_CLIENT_ID": "x",
                                                       "CONCUR_USERNAME": "u"})
    assert half.returncode == 2
    assert "CONCUR_CLIENT_SECRET" in half.stderr


async def test_bad_input_and_configuration_exit_2_before_sending(tmp_path: Path) -> None:
    misspelt = tmp_path / "vendors.csv"
    misspelt.write_text("VendorCode,AddressCode,VendorNmae\nA,MAIN,x\n")
    keyless = tmp_path / "keyless.jsonl"
    keyless.write_text(vendor_line("K1") + "\n" + json.dumps({"VendorCode": "K2"}) + "\n")
    typed = tmp_path / "typed.jsonl"
    typed.write_text(json.dumps({"VendorCode": "T", "AddressCode": "A", "PaymentTerms": 0})
                     + "\n")
    async with LocalConcur() as concur:
        url = concur.base_url
        runs = {
            "column": await cli("vendors", "sync", misspelt, "--base-url", url),
            "key": await cli("vendors", "sync", keyless, "--base-url", url),
            "type": await cli("vendors", "sync", typed, "--base-url", url),
            "extension": await cli("vendors", "sync", tmp_path / "keyless.jsonl",
                                   "--format", "xml", "--base-url", url),
            "plain http": await cli("vendors", "export", "--base-url", "http://concur.example"),
        }
        assert concur.stats.total == 0
    assert {name: r.returncode for name, r in runs.items()} == dict.fromkeys(runs, 2)
    assert "unknown column(s) VendorNmae" in runs["column"].stderr
    assert "keyless.jsonl line 2: missing AddressCode" in runs["key"].stderr
    assert "typed.jsonl line 1" in runs["type"].stderr
    assert "PaymentTerms" in runs["type"].stderr
    assert "https" in runs["plain http"].stderr


def test_every_command_has_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_ACCESS_TOKEN", "token-77ab")
    monkeypatch.setenv("CONCUR_CLIENT_SECRET", "client-secret-6f1e")
    runner = CliRunner()
    for command in ([], ["vendors"], ["vendors", "export"], ["vendors", "sync"],
                    ["purchase-orders"], ["purchase-orders", "sync"],
                    ["purchase-order-receipts"], ["purchase-order-receipts", "sync"]):
        done = runner.invoke(app, [*command, "--help"], prog_name="concur-async")
        assert done.exit_code == 0, (command, done.output)
        assert "Usage: concur-async" in done.output
        assert "token-77ab" not in done.output
        assert "client-secret-6f1e" not in done.output
    assert "CONCUR_REFRESH_TOKEN" in runner.invoke(app, ["vendors", "sync", "--help"]).output


# -- vendors sync --------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def test_sync_from_empty_then_again_writes_each_vendor_once(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "vendors.csv", [
        {"VendorCode": f"N{i:04d}", "AddressCode": "MAIN", "VendorName": f"New {i}",
         "CountryCode": "US", "CurrencyCode": "USD", "Address2": ""} for i in range(250)])
    async with LocalConcur() as concur:
        url = concur.base_url
        preview = await cli("vendors", "sync", source, "--dry-run", "--json", "--base-url", url)
        assert writes(concur) == 0  # a dry run sends no writes
        assert concur.stats.count("POST", VENDORS) == 0
        first = await cli("vendors", "sync", source, "--json", "--batch-size", "50",
                          "--base-url", url)
        assert writes(concur) == 250
        assert concur.stats.count("POST", VENDORS) == 5
        again = await cli("vendors", "sync", source, "--base-url", url)
        assert writes(concur) == 250  # nothing changed, nothing sent
        assert concur.stats.count("PUT", VENDORS) == 0
        assert not concur.state.write_log.duplicates()
    assert preview.returncode == 0, preview.stderr
    assert summary(preview)["created"] == 250
    assert summary(preview)["dry_run"] is True
    assert "would create N0000|MAIN" in preview.stderr
    assert first.returncode == 0, first.stderr
    assert {k: summary(first)[k] for k in ("created", "updated", "unchanged", "failed")} == {
        "created": 250, "updated": 0, "unchanged": 0, "failed": 0}
    assert summary(first)["requests"] >= 6  # one page read, five batches
    assert again.returncode == 0, again.stderr
    shown = table(again.stdout)
    assert shown["unchanged"] == "250"
    assert shown["created"] == shown["updated"] == shown["failed"] == "0"
    assert not (tmp_path / "vendors.csv.failures.jsonl").exists()


async def test_ctrl_c_exits_130_and_the_checkpoint_resumes_without_rewriting(
    tmp_path: Path,
) -> None:
    source = write_csv(tmp_path / "vendors.csv", [
        {"VendorCode": f"C{i:04d}", "AddressCode": "MAIN", "CountryCode": "US",
         "CurrencyCode": "USD"} for i in range(2_000)])
    checkpoint = tmp_path / "sync.checkpoint.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_")} | CREDENTIALS
    async with LocalConcur(latency_ms=10) as concur:
        args = ["vendors", "sync", str(source), "--checkpoint", str(checkpoint),
                "--batch-size", "20", "--concurrency", "1", "--base-url", concur.base_url]
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "concur_async", *args, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        async with asyncio.timeout(20):
            while writes(concur) < 200:
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGINT)
            _, stderr = await process.communicate()
        stopped_at = writes(concur)
        resumed = await cli(
            "vendors", "sync", source, "--checkpoint", checkpoint, "--json",
            "--base-url", concur.base_url)
        assert not concur.state.write_log.duplicates()
        assert writes(concur) == 2_000
    assert process.returncode == 130
    assert stderr.decode().strip() == (
        f"error: interrupted; run again with --checkpoint {checkpoint} to resume")
    assert 200 <= stopped_at < 2_000
    assert resumed.returncode == 0, resumed.stderr
    assert summary(resumed)["resumed"] >= 180  # batches the checkpoint had confirmed
    assert summary(resumed)["resumed"] + summary(resumed)["unchanged"] == stopped_at
    assert summary(resumed)["created"] == 2_000 - stopped_at


async def test_export_then_sync_round_trips_and_sends_only_the_change(tmp_path: Path) -> None:
    exported = tmp_path / "vendors.jsonl"
    async with LocalConcur(vendors=400) as concur:
        url = concur.base_url
        assert (await cli("vendors", "export", "-o", exported, "--base-url", url)).returncode == 0
        lines = exported.read_text().splitlines()
        edited = json.loads(lines[7]) | {"VendorName": "Renamed Supplies"}
        exported.write_text("\n".join([*lines[:7], json.dumps(edited), *lines[8:]]) + "\n")
        done = await cli("vendors", "sync", exported, "--json", "--base-url", url)
        assert [(w.op, w.key) for w in concur.state.write_log] == [
            ("update", (seed_code(7), "MAIN"))]
    assert done.returncode == 0, done.stderr
    assert (summary(done)["unchanged"], summary(done)["updated"]) == (399, 1)


async def test_a_refused_vendor_exits_1_with_its_code_in_the_failures_file(
    tmp_path: Path,
) -> None:
    source = tmp_path / "vendors.jsonl"
    source.write_text("\n".join([vendor_line("OK1"), vendor_line("BAD", currency="XXX"),
                                 vendor_line("OK2")]) + "\n")
    custom = tmp_path / "refused.jsonl"
    async with LocalConcur() as concur:
        done = await cli("vendors", "sync", source, "--json", "--base-url", concur.base_url)
        again = await cli("vendors", "sync", source, "--failures", custom, "--quiet",
                          "--base-url", concur.base_url)
        assert set(concur.state.write_log.keys("create")) == {("OK1", "MAIN"), ("OK2", "MAIN")}
    assert done.returncode == 1
    assert (summary(done)["created"], summary(done)["failed"]) == (2, 1)
    assert done.stderr.strip().endswith(f"1 record(s) failed; see {source}.failures.jsonl")
    [failure] = [json.loads(line) for line in
                 (tmp_path / "vendors.jsonl.failures.jsonl").read_text().splitlines()]
    assert failure["key"] == "BAD|MAIN"
    assert failure["action"] == "create"
    assert failure["code"] == str(STATUS_INVALID_CURRENCY)
    assert "urrency" in failure["meaning"]
    assert summary(done)["failures_file"] == f"{source}.failures.jsonl"
    assert again.returncode == 1
    assert json.loads(custom.read_text())["key"] == "BAD|MAIN"


async def test_delete_missing_removes_only_unlisted_vendors(tmp_path: Path) -> None:
    source = tmp_path / "keep.csv"
    write_csv(source, [{"VendorCode": seed_code(i), "AddressCode": "MAIN"} for i in range(15)])
    empty = tmp_path / "empty.csv"
    empty.write_text("VendorCode,AddressCode\n")
    async with LocalConcur(vendors=20) as concur:
        url = concur.base_url
        refused = await cli("vendors", "sync", empty, "--delete-missing", "--base-url", url)
        preview = await cli("vendors", "sync", source, "--delete-missing", "--dry-run",
                            "--json", "--base-url", url)
        assert writes(concur) == 0
        done = await cli("vendors", "sync", source, "--delete-missing", "--json",
                         "--base-url", url)
        deleted = set(concur.state.write_log.keys("delete"))
    assert refused.returncode == 2
    assert "would delete them all" in refused.stderr
    assert summary(preview)["deleted"] == 5
    assert f"would delete {seed_code(19)}|MAIN" in preview.stderr
    assert done.returncode == 0, done.stderr
    assert (summary(done)["deleted"], summary(done)["unchanged"]) == (5, 15)
    assert deleted == {(seed_code(i), "MAIN") for i in range(15, 20)}


# -- purchase orders sync -------------------------------------------------------------------


def purchase_order(number: str, *, currency: str = "USD") -> dict[str, Any]:
    address = {"Address1": "1 Main St", "City": "Minneapolis", "CountryCode": "US",
               "PostalCode": "55426", "StateProvince": "MN"}
    return {
        "PurchaseOrderNumber": number, "Name": f"PO {number}", "CurrencyCode": currency,
        "OrderDate": "2024-05-01T10:00:00Z", "PolicyExternalID": "PO",
        "VendorCode": "VEN1", "VendorAddressCode": "VEN1ADDR1",
        "BillToAddress": {**address, "ExternalID": "billto"},
        "ShipToAddress": {**address, "ExternalID": "shipto"},
        "LineItem": [{"ExternalID": f"{number}-1", "LineNumber": "1", "Quantity": 2,
                      "UnitPrice": 53.37, "ExpenseType": "Advertising",
                      "Allocation": [{"Amount": 106.74, "GrossAmount": 106.74,
                                      "Percentage": 100}]}],
    }


async def test_purchase_orders_sync_creates_then_leaves_them_and_reports_the_refused(
    tmp_path: Path,
) -> None:
    source = tmp_path / "pos.jsonl"
    source.write_text("\n".join(json.dumps(po) for po in (
        purchase_order("PO-1"), purchase_order("PO-2"),
        purchase_order("PO-3", currency="ZZZ"))) + "\n")
    async with LocalConcur() as concur:
        concur.state.vendors.add([{"VendorCode": "VEN1", "AddressCode": "VEN1ADDR1",
                                   "CountryCode": "US", "CurrencyCode": "USD"}])
        url = concur.base_url
        first = await cli("purchase-orders", "sync", source, "--json", "--base-url", url)
        again = await cli("purchase-orders", "sync", source, "--json", "--base-url", url)
        stored = concur.state.collection("invoice/purchaseorders").get("PO-1")
        created = concur.state.write_log.keys("create")
        updates = concur.state.write_log.keys("update")
    assert first.returncode == 1
    assert (summary(first)["created"], summary(first)["failed"]) == (2, 1)
    assert set(created) == {"PO-1", "PO-2"}
    assert not updates  # the second run found them unchanged
    assert summary(again)["unchanged"] == 2
    assert stored is not None
    assert stored["LineItem"][0]["Allocation"][0]["Amount"] in ("106.74", 106.74)
    [failure] = [json.loads(line) for line in
                 (tmp_path / "pos.jsonl.failures.jsonl").read_text().splitlines()]
    assert (failure["key"], failure["code"]) == ("PO-3", "3000")
    assert failure["meaning"] == "The Currency Code is missing or invalid."


async def test_purchase_orders_must_be_jsonl_with_their_numbers(tmp_path: Path) -> None:
    nested = tmp_path / "pos.csv"
    nested.write_text("PurchaseOrderNumber\nP1\n")
    numberless = tmp_path / "pos.jsonl"
    numberless.write_text(json.dumps(purchase_order("P1") | {"PurchaseOrderNumber": ""}) + "\n")
    runs = [await cli("purchase-orders", "sync", path, "--base-url", "http://127.0.0.1:9")
            for path in (nested, numberless)]
    assert [r.returncode for r in runs] == [2, 2]
    assert "give a .jsonl file" in runs[0].stderr
    assert "pos.jsonl line 1: missing PurchaseOrderNumber" in runs[1].stderr


# -- pieces --------------------------------------------------------------------------------


def test_unknown_fields_are_found_in_nested_records() -> None:
    po = {"PurchaseOrderNumber": "P1", "Colour": "red",
          "LineItem": [{"LineNumber": "1"}, {"Allocation": [{"Amount": 1, "Share": 2}]}],
          "BillToAddress": {"City": "X", "Town": "Y"}}
    info = msgspec.inspect.type_info(PurchaseOrder)
    assert unknown_fields(po, info) == [
        "Colour", "LineItem[1].Allocation[0].Share", "BillToAddress.Town"]
    assert unknown_fields({"VendorCode": "A"}, msgspec.inspect.type_info(Vendor)) == []


def test_progress_bar_draws_each_phase_on_a_terminal_and_nothing_otherwise() -> None:
    from concur_async.bulk import SyncProgress, SyncReport

    shown = io.StringIO()
    terminal = Console(file=shown, force_terminal=True, width=100)
    with SyncProgressBar(terminal, quiet=False, what="vendors") as bar:
        bar(SyncProgress("reading", 500, None, 0))
        bar(SyncProgress("writing", 40, 50, 3))
    assert "reading vendors" in shown.getvalue()
    assert "writing vendors" in shown.getvalue()
    assert "3 failed" in shown.getvalue()
    assert "40/50" in shown.getvalue()
    for console, quiet in ((Console(file=io.StringIO(), force_terminal=False), False),
                           (Console(file=io.StringIO(), force_terminal=True), True)):
        with SyncProgressBar(console, quiet=quiet, what="vendors") as bar:
            bar(SyncProgress("writing", 1, 2, 0))
        assert isinstance(console.file, io.StringIO)
        assert console.file.getvalue() == ""
    printed = io.StringIO()
    Console(file=printed, width=120).print(summary_table(
        SyncReport(created=3, failed=1, seconds=0.5, requests=7, resumed=2), what="vendors"))
    assert table(printed.getvalue()) == {
        "unchanged": "0", "created": "3", "updated": "0", "deleted": "0", "failed": "1",
        "resumed": "2", "seconds": "0.50", "requests": "7"}


async def test_purchase_order_receipts_sync_from_csv(tmp_path: Path) -> None:
    orders = tmp_path / "pos.jsonl"
    orders.write_text("\n".join(json.dumps(purchase_order(f"PO-{i}")) for i in (1, 2)) + "\n")
    receipts = tmp_path / "receipts.csv"
    receipts.write_text(
        "PurchaseOrderNumber,LineItemExternalID,GoodsReceiptNumber,ReceivedQuantity,ReceivedDate\n"
        "PO-1,PO-1-1,GR1,2,2024-05-03\n"
        "PO-2,PO-2-1,GR2,1,2024-05-03\n"
        "PO-9,PO-9-1,GR9,1,2024-05-03\n"
    )
    async with LocalConcur() as concur:
        concur.state.vendors.add([{"VendorCode": "VEN1", "AddressCode": "VEN1ADDR1",
                                   "CountryCode": "US", "CurrencyCode": "USD"}])
        url = concur.base_url
        made = await cli("purchase-orders", "sync", orders, "--json", "--base-url", url)
        first = await cli("purchase-order-receipts", "sync", receipts, "--json", "--base-url", url)
        again = await cli("purchase-order-receipts", "sync", receipts, "--json", "--base-url", url)
    assert made.returncode == 0, made.stderr
    assert first.returncode == 1  # PO-9 does not exist
    assert (summary(first)["created"], summary(first)["failed"]) == (2, 1)
    assert (summary(again)["unchanged"], summary(again)["created"]) == (2, 0)
    [failure] = [json.loads(line) for line in
                 (tmp_path / "receipts.csv.failures.jsonl").read_text().splitlines()]
    assert failure["key"] == "PO-9|PO-9-1|GR9"
    assert failure["code"] == "1000"
    assert failure["meaning"]


# -- what a newcomer met (issue 17) ---------------------------------------------------------


def test_version() -> None:
    done = subprocess.run([sys.executable, "-m", "concur_async", "--version"],
                          capture_output=True, text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "concur-async 0.1.0")


async def test_an_empty_input_file_is_an_error_not_a_silent_zero(tmp_path: Path) -> None:
    blank = tmp_path / "vendors.jsonl"
    blank.write_text("\n\n")
    header_only = tmp_path / "vendors.csv"
    header_only.write_text("VendorCode,AddressCode\n")
    pos = tmp_path / "pos.jsonl"
    pos.write_text("")
    async with LocalConcur() as concur:
        url = concur.base_url
        runs = [await cli("vendors", "sync", blank, "--base-url", url),
                await cli("vendors", "sync", header_only, "--base-url", url),
                await cli("purchase-orders", "sync", pos, "--base-url", url)]
        assert concur.stats.total == 0
    for run, name in zip(runs, ["vendors.jsonl", "vendors.csv", "pos.jsonl"], strict=True):
        assert run.returncode == 2
        assert f"{name} holds no records" in run.stderr


async def test_an_unterminated_quote_is_reported_on_its_own_line(tmp_path: Path) -> None:
    source = tmp_path / "vendors.csv"
    source.write_text('VendorCode,AddressCode,VendorName\nA1,MAIN,Fine\nA2,MAIN,"Broken\n'
                      'A3,MAIN,Swallowed\nA4,MAIN,Too\n')
    multi = tmp_path / "multi.csv"
    multi.write_text('VendorCode,AddressCode,VendorName\nB1,MAIN,"Two\nlines"\nB2,MAIN\n')
    async with LocalConcur() as concur:
        broken = await cli("vendors", "sync", source, "--base-url", concur.base_url)
        short = await cli("vendors", "sync", multi, "--base-url", concur.base_url)
        assert concur.stats.total == 0
    assert broken.returncode == 2
    assert "vendors.csv line 3: a quoted value is never closed" in broken.stderr
    # A record after a legitimately quoted newline is still reported where it starts.
    assert "multi.csv line 4: 2 cells, the header has 3" in short.stderr


async def test_a_dry_run_writes_no_failures_file_and_exits_0(tmp_path: Path) -> None:
    source = tmp_path / "vendors.jsonl"
    source.write_text("\n".join([vendor_line("D1"), vendor_line("D1"), vendor_line("D2")]) + "\n")
    async with LocalConcur() as concur:
        preview = await cli("vendors", "sync", source, "--dry-run", "--json",
                            "--base-url", concur.base_url)
        assert writes(concur) == 0
    assert preview.returncode == 0, preview.stderr
    assert summary(preview)["failed"] == 1  # the repeated key, reported...
    assert summary(preview)["failures_file"] is None
    assert "would fail D1|MAIN" in preview.stderr
    assert not (tmp_path / "vendors.jsonl.failures.jsonl").exists()  # ...but not written


async def test_wrong_credentials_exit_2(tmp_path: Path) -> None:
    source = tmp_path / "vendors.jsonl"
    source.write_text(vendor_line("W1") + "\n")
    async with LocalConcur(client_id="cli-tests", client_secret="the-right-one") as concur:
        done = await cli("vendors", "sync", source, "--base-url", concur.base_url)
        export = await cli("vendors", "export", "--base-url", concur.base_url)
        assert writes(concur) == 0
    for run in (done, export):
        assert run.returncode == 2, run.stderr
        assert "Concur refused the credentials" in run.stderr


async def test_wrongly_typed_vendor_values_are_refused_before_sending(tmp_path: Path) -> None:
    cases = {"Approved": "maybe", "DiscountPercentage": "abc", "DiscountTermsDays": "ten",
             "IsVisibleForContentExtraction": "yes"}
    async with LocalConcur() as concur:
        runs = {}
        for field, value in cases.items():
            source = tmp_path / f"{field}.csv"
            write_csv(source, [
                {"VendorCode": "T1", "AddressCode": "MAIN", "VendorName": "x", field: ""},
                {"VendorCode": "T2", "AddressCode": "MAIN", "VendorName": "y", field: value}])
            runs[field] = await cli("vendors", "sync", source, "--base-url", concur.base_url)
        good = tmp_path / "good.csv"
        write_csv(good, [{"VendorCode": "T3", "AddressCode": "MAIN", "VendorName": "x",
                          "Approved": "True", "DiscountPercentage": "2.5",
                          "DiscountTermsDays": "10", "CountryCode": "US",
                          "CurrencyCode": "USD"}])
        accepted = await cli("vendors", "sync", good, "--base-url", concur.base_url)
        assert writes(concur) == 1  # only the good file was sent
    for field, value in cases.items():
        assert runs[field].returncode == 2
        assert f"{field}.csv line 3: {field} must be" in runs[field].stderr
        assert repr(value) in runs[field].stderr
    assert accepted.returncode == 0, accepted.stderr


async def test_the_purchase_order_sample_in_help_and_docs_syncs(tmp_path: Path) -> None:
    from concur_async.cli._app import PO_SAMPLE

    docs = (Path(__file__).resolve().parents[1] / "docs" / "bulk-and-cli.md").read_text()
    assert PO_SAMPLE in docs
    assert PO_SAMPLE in " ".join(CliRunner().invoke(
        app, ["purchase-orders", "sync", "--help"], terminal_width=2000).output.split())
    source = tmp_path / "pos.jsonl"
    source.write_text(PO_SAMPLE + "\n")
    async with LocalConcur(vendors=5) as concur:
        done = await cli("purchase-orders", "sync", source, "--json",
                         "--base-url", concur.base_url)
    assert done.returncode == 0, done.stderr
    assert summary(done)["created"] == 1
