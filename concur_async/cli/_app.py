"""The ``concur-async`` command: vendors export and sync; purchase orders and receipts sync.

Exit status: 0 when every record went through, 1 when some failed (they are written to the
failures file) or Concur refused the run, 2 for a wrong command line, configuration or input
file (nothing was sent).
"""

from __future__ import annotations

import contextlib
import csv
import functools
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import msgspec
import typer
from rich.console import Console
from rich.markup import escape

from .. import __version__
from .._client import ConcurClient
from ..bulk import (
    SyncReport,
    sync_purchase_order_receipts,
    sync_purchase_orders,
    sync_vendors,
)
from ._connect import Connection, run
from ._console import (
    EXIT_FAILED,
    CliError,
    CountProgress,
    SyncProgressBar,
    error_console,
    summary_table,
)
from ._records import (
    VENDOR_COLUMNS,
    FileFormat,
    RecordFile,
    atomic_output,
    output_format,
    purchase_order_file,
    receipt_file,
    vendor_file,
    vendor_row,
    without_server_fields,
)

__all__ = ["app"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="concur-async",
    help="Export and sync SAP Concur vendors, purchase orders and their receipts.\n\n"
    "Credentials come from the environment (preferred: flags show in the process list): "
    "CONCUR_CLIENT_ID, CONCUR_CLIENT_SECRET and CONCUR_REFRESH_TOKEN, or CONCUR_USERNAME and "
    "CONCUR_PASSWORD for the password grant.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
vendors_app = typer.Typer(
    help="Invoice vendors (Vendor v3.1): export to JSONL or CSV, sync from a file.",
    no_args_is_help=True,
)
purchase_orders_app = typer.Typer(
    help="Purchase orders (Purchase Order v3.0): sync from a JSONL file.",
    no_args_is_help=True,
)
app.add_typer(vendors_app, name="vendors")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"concur-async {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_show_version, is_eager=True,
        help="Show the version and exit.")] = False,
) -> None:
    """Export and sync SAP Concur vendors, purchase orders and their receipts."""
receipts_app = typer.Typer(
    help="Purchase order receipts (Purchase Order Receipts v3.0): sync from CSV or JSONL.",
    no_args_is_help=True,
)
app.add_typer(purchase_orders_app, name="purchase-orders")
app.add_typer(receipts_app, name="purchase-order-receipts")

_CONN = "Connection (environment variables preferred for secrets)"
_FILTER = "Filters"

BaseUrl = Annotated[str | None, typer.Option(
    "--base-url", rich_help_panel=_CONN, show_default=False,
    help="Concur's API address for the company's data centre "
    "(env: CONCUR_BASE_URL; default: https://us.api.concursolutions.com).")]
TokenUrl = Annotated[str | None, typer.Option(
    "--token-url", rich_help_panel=_CONN, show_default=False,
    help="OAuth2 token endpoint, when not <base-url>/oauth2/v0/token (env: CONCUR_TOKEN_URL).")]
ClientId = Annotated[str | None, typer.Option(
    "--client-id", rich_help_panel=_CONN, show_default=False,
    help="OAuth2 client (application) id (env: CONCUR_CLIENT_ID).")]
ClientSecret = Annotated[str | None, typer.Option(
    "--client-secret", rich_help_panel=_CONN,
    show_default=False, help="OAuth2 client secret (env: CONCUR_CLIENT_SECRET).")]
RefreshToken = Annotated[str | None, typer.Option(
    "--refresh-token", rich_help_panel=_CONN,
    show_default=False,
    help="Refresh token of the company (refresh-token grant) (env: CONCUR_REFRESH_TOKEN).")]
RefreshTokenFile = Annotated[Path | None, typer.Option(
    "--refresh-token-file", rich_help_panel=_CONN,
    show_default=False, dir_okay=False,
    help="Keep the refresh token here: read if present (it wins over --refresh-token), "
    "rewritten (mode 0600) whenever Concur rotates it (env: CONCUR_REFRESH_TOKEN_FILE).")]
Username = Annotated[str | None, typer.Option(
    "--username", rich_help_panel=_CONN, show_default=False,
    help="User for the password grant (env: CONCUR_USERNAME).")]
Password = Annotated[str | None, typer.Option(
    "--password", rich_help_panel=_CONN, show_default=False,
    help="Password (or company request token) for the password grant "
    "(env: CONCUR_PASSWORD; CONCUR_CREDTYPE=authtoken for a request token).")]
AccessToken = Annotated[str | None, typer.Option(
    "--access-token", rich_help_panel=_CONN,
    show_default=False, help="An access token obtained elsewhere; used as is, never refreshed "
    "(env: CONCUR_ACCESS_TOKEN).")]

RedisUrl = Annotated[str | None, typer.Option(
    "--redis-url", rich_help_panel=_CONN, show_default=False,
    help="Share the token, its rotations and the rate budget with other processes through "
    "this Redis (env: CONCUR_REDIS_URL; docs/many-processes.md).")]
RedisNamespace = Annotated[str | None, typer.Option(
    "--redis-namespace", rich_help_panel=_CONN, show_default=False,
    help="The Concur identity (company or user) those processes share; required with "
    "--redis-url (env: CONCUR_REDIS_NAMESPACE).")]

Quiet = Annotated[bool, typer.Option(
    "--quiet", "-q", help="No progress bar (it is also off when stderr is not a terminal).")]
JsonSummary = Annotated[bool, typer.Option(
    "--json", help="Print the summary as one JSON object instead of a table.")]
DryRun = Annotated[bool, typer.Option(
    "--dry-run", help="Read Concur and the file, report what would change; write nothing.")]
Checkpoint = Annotated[Path | None, typer.Option(
    "--checkpoint", dir_okay=False, show_default=False,
    help="JSON file recording finished batches; re-run with it to resume after a stop.")]
Failures = Annotated[Path | None, typer.Option(
    "--failures", dir_okay=False, show_default=False,
    help="Where failed records go (JSONL: key, action, code, meaning, message) "
    "(default: <FILE>.failures.jsonl).")]
InputFile = Annotated[Path, typer.Argument(
    metavar="FILE", exists=True, dir_okay=False, readable=True, show_default=False)]


def _reported(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a CliError into its one-line message and exit status (no traceback)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except CliError as exc:
            error_console().print(f"[bold red]error:[/] {escape(exc.message)}", highlight=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _connection(
    base_url: str | None, token_url: str | None, client_id: str | None, client_secret: str | None,
    refresh_token: str | None, refresh_token_file: Path | None, username: str | None,
    password: str | None, access_token: str | None, *, concurrency: int = 0,
    redis_url: str | None = None, redis_namespace: str | None = None,
) -> Connection:
    connection = Connection(
        dict(base_url=base_url, token_url=token_url, client_id=client_id,
             client_secret=client_secret, refresh_token=refresh_token, username=username,
             password=password, access_token=access_token,
             refresh_token_file=refresh_token_file, redis_url=redis_url,
             redis_namespace=redis_namespace),
        max_concurrency=max(32, concurrency),
    )
    connection.check()  # missing credentials are a usage error, found before reading files
    return connection


def _check_directories(*paths: Path | None) -> None:
    """Refuse before any request an output whose directory is missing."""
    for path in paths:
        if path is not None and not path.resolve().parent.is_dir():
            raise CliError(f"cannot write {path}: its directory does not exist")


def _resume_hint(checkpoint: Path | None) -> str:
    if checkpoint is None:
        return "interrupted; running again is safe: records already right are not rewritten"
    return f"interrupted; run again with --checkpoint {checkpoint} to resume"


def _finish(report: SyncReport, *, what: str, source: Path, failures: Path | None,
            as_json: bool) -> None:
    """Print the summary; write the failures and exit 1 when there are any."""
    errors = error_console()
    if report.dry_run and report.plan:
        shown = report.plan[:10]
        for action, key in shown:
            errors.print(f"would {action} {key}", markup=False, highlight=False)
        if len(report.plan) > len(shown):
            errors.print(f"... and {len(report.plan) - len(shown):,} more", highlight=False)
    path = failures or source.with_name(f"{source.name}.failures.jsonl")
    if report.dry_run:
        # A preview writes nothing, a failures file included; what would fail is listed.
        for failure in report.failures[:10]:
            errors.print(f"would fail {failure.key}: {failure.meaning or failure.message}",
                         markup=False, highlight=False)
    elif report.failed:
        try:
            report.write_failures(path)
        except OSError as exc:
            raise CliError(f"{report.failed:,} record(s) failed and the failures file "
                           f"could not be written: {exc}", exit_code=EXIT_FAILED) from None
    if as_json:
        # Counts only: the failures are in their file, the plan was shown above.
        summary = {k: v for k, v in report.to_dict().items() if k not in ("failures", "plan")}
        summary["failures_file"] = str(path) if report.failed and not report.dry_run else None
        typer.echo(msgspec.json.encode(summary).decode())
    else:
        Console(highlight=False).print(summary_table(report, what=what))
    if report.failed and not report.dry_run:
        raise CliError(f"{report.failed:,} record(s) failed; see {path}",
                       exit_code=EXIT_FAILED)


def _sync(
    connection: Connection,
    records: RecordFile[Any],
    syncer: Callable[..., Awaitable[SyncReport]],
    *,
    what: str,
    checkpoint: Path | None,
    failures: Path | None,
    quiet: bool,
    as_json: bool,
    **options: Any,
) -> None:
    """Run one sync command: records in, progress on stderr, the summary out."""
    if records.count == 0:
        # Most likely the wrong file, or one cut short: a silent "0 created" would hide it.
        raise CliError(f"{records.path.name} holds no records: nothing to sync")
    with SyncProgressBar(error_console(), quiet=quiet, what=what) as bar:
        report = run(connection, lambda client: syncer(
            client, records.records(), checkpoint=checkpoint, on_progress=bar, **options,
        ), on_interrupt=_resume_hint(checkpoint))
    _finish(report, what=what, source=records.path, failures=failures, as_json=as_json)


# -- vendors -------------------------------------------------------------------------------


@vendors_app.command("export")
@_reported
def vendors_export(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", dir_okay=False, show_default=False,
        help="File to write (replaced only once complete) (default: standard output).")] = None,
    fmt: Annotated[FileFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="jsonl or csv (default: from the --output extension, else jsonl).")] = None,
    vendor_name: Annotated[str | None, typer.Option(
        rich_help_panel=_FILTER, help="Vendor name to match (see --search-type).")] = None,
    vendor_code: Annotated[str | None, typer.Option(
        rich_help_panel=_FILTER, help="Vendor code to match (see --search-type).")] = None,
    search_type: Annotated[Literal["exact", "begins", "contains", "ends"] | None, typer.Option(
        rich_help_panel=_FILTER, help="How --vendor-name and --vendor-code match.")] = None,
    address_code: Annotated[str | None, typer.Option(rich_help_panel=_FILTER)] = None,
    tax_id: Annotated[str | None, typer.Option(rich_help_panel=_FILTER)] = None,
    city: Annotated[str | None, typer.Option(rich_help_panel=_FILTER)] = None,
    state: Annotated[str | None, typer.Option(rich_help_panel=_FILTER)] = None,
    country: Annotated[str | None, typer.Option(rich_help_panel=_FILTER)] = None,
    approved: Annotated[bool | None, typer.Option(
        "--approved/--not-approved", rich_help_panel=_FILTER, show_default=False)] = None,
    max_items: Annotated[int | None, typer.Option(
        min=1, show_default=False, help="Stop after this many vendors.")] = None,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = 1000,
    quiet: Quiet = False,
    base_url: BaseUrl = None, token_url: TokenUrl = None,
    client_id: ClientId = None, client_secret: ClientSecret = None,
    refresh_token: RefreshToken = None, refresh_token_file: RefreshTokenFile = None,
    username: Username = None, password: Password = None, access_token: AccessToken = None,
    redis_url: RedisUrl = None, redis_namespace: RedisNamespace = None,
) -> None:
    """Export vendors to JSONL or CSV; columns are Concur's field names (VendorCode, ...)."""
    connection = _connection(base_url, token_url, client_id, client_secret, refresh_token,
                             refresh_token_file, username, password, access_token,
                             redis_url=redis_url, redis_namespace=redis_namespace)
    chosen = output_format(output, fmt)
    _check_directories(output)
    errors = error_console()
    started = time.perf_counter()
    # Records on a terminal and a live bar beside them would garble each other.
    no_bar = quiet or (output is None and sys.stdout.isatty())

    async def export(client: ConcurClient) -> tuple[int, int]:
        vendors = client.invoice.vendors.list(
            vendor_name=vendor_name, vendor_code=vendor_code, search_type=search_type,
            address_code=address_code, tax_id=tax_id, city=city, state=state, country=country,
            approved=None if approved is None else str(approved).lower(),
            page_size=page_size, max_items=max_items,
        )
        count = 0
        with atomic_output(output, text=chosen == "csv") as out, CountProgress(
            errors, quiet=no_bar, what="exporting vendors"
        ) as bar:
            writer = csv.writer(out, lineterminator="\n") if chosen == "csv" else None
            if writer is not None:
                writer.writerow(VENDOR_COLUMNS)
            encoder = msgspec.json.Encoder()
            # A page is written in one call; pages() leaves max_items to its caller.
            async with contextlib.aclosing(vendors.pages()) as pages:
                async for page in pages:
                    items = page.items[: None if max_items is None else max_items - count]
                    if writer is not None:
                        writer.writerows(vendor_row(v) for v in items)
                    else:
                        out.write(b"".join(encoder.encode(without_server_fields(v)) + b"\n"
                                           for v in items))
                    count += len(items)
                    bar.advance(len(items))
                    if count == max_items:
                        break
        return count, client.stats.requests

    count, requests = run(connection, export)
    if not quiet:
        where = f" to {output}" if output else ""
        errors.print(f"exported {count:,} vendor{'' if count == 1 else 's'}{where} in "
                     f"{time.perf_counter() - started:.2f} s ({requests:,} "
                     f"request{'' if requests == 1 else 's'})",
                     highlight=False)


@vendors_app.command("sync")
@_reported
def vendors_sync(
    file: InputFile,
    fmt: Annotated[FileFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="csv or jsonl (default: from the file's extension).")] = None,
    dry_run: DryRun = False,
    delete_missing: Annotated[bool, typer.Option(
        "--delete-missing",
        help="Delete vendors Concur has but the file does not list (try --dry-run first).")
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Batches in flight.")] = 8,
    batch_size: Annotated[int, typer.Option(min=1, max=1000,
                                            help="Vendors per create/update call.")] = 100,
    checkpoint: Checkpoint = None,
    failures: Failures = None,
    quiet: Quiet = False,
    as_json: JsonSummary = False,
    base_url: BaseUrl = None, token_url: TokenUrl = None,
    client_id: ClientId = None, client_secret: ClientSecret = None,
    refresh_token: RefreshToken = None, refresh_token_file: RefreshTokenFile = None,
    username: Username = None, password: Password = None, access_token: AccessToken = None,
    redis_url: RedisUrl = None, redis_namespace: RedisNamespace = None,
) -> None:
    """Make Concur's vendors match FILE (CSV or JSONL, keyed by VendorCode and AddressCode).

    Vendors that differ are updated, new ones created, equal ones left alone; with
    --delete-missing, vendors absent from FILE are deleted.
    """
    connection = _connection(base_url, token_url, client_id, client_secret, refresh_token,
                             refresh_token_file, username, password, access_token,
                             redis_url=redis_url, redis_namespace=redis_namespace,
                             concurrency=concurrency)
    _check_directories(checkpoint, failures)
    records = vendor_file(file, fmt)
    if delete_missing and records.count == 0:
        raise CliError(f"{file.name} lists no vendors: --delete-missing would delete them all")
    _sync(connection, records, sync_vendors, what="vendors", checkpoint=checkpoint,
          failures=failures, quiet=quiet, as_json=as_json, delete_missing=delete_missing,
          dry_run=dry_run, concurrency=concurrency, batch_size=batch_size)


# -- purchase orders -----------------------------------------------------------------------


#: One purchase order a line, as Concur spells it; shown by --help and in docs/bulk-and-cli.md.
PO_SAMPLE = (
    '{"PurchaseOrderNumber": "PO-1001", "Name": "Office chairs", "CurrencyCode": "USD", '
    '"OrderDate": "2025-03-01T00:00:00", "PolicyExternalID": "PO", "VendorCode": "V0000001", '
    '"VendorAddressCode": "MAIN", "BillToAddress": {"ExternalID": "billto", '
    '"Name": "Accounts payable", "Address1": "1 Main St", "City": "Minneapolis", '
    '"StateProvince": "MN", "PostalCode": "55401", "CountryCode": "US"}, '
    '"ShipToAddress": {"ExternalID": "shipto", "Name": "Warehouse", "Address1": "1 Main St", '
    '"City": "Minneapolis", "StateProvince": "MN", "PostalCode": "55401", '
    '"CountryCode": "US"}, "LineItem": [{"ExternalID": "PO-1001-1", "LineNumber": "1", '
    '"Description": "Chair", "Quantity": 4, "UnitPrice": 125.5, '
    '"ExpenseType": "Office Supplies", "Allocation": [{"Percentage": 100, "Amount": 502, '
    '"GrossAmount": 502}]}]}'
)


@purchase_orders_app.command("sync", epilog=f"A line of FILE: {PO_SAMPLE}")
@_reported
def purchase_orders_sync(
    file: InputFile,
    dry_run: DryRun = False,
    concurrency: Annotated[int, typer.Option(min=1, max=256,
                                             help="Purchase orders in flight.")] = 32,
    checkpoint: Checkpoint = None,
    failures: Failures = None,
    quiet: Quiet = False,
    as_json: JsonSummary = False,
    base_url: BaseUrl = None, token_url: TokenUrl = None,
    client_id: ClientId = None, client_secret: ClientSecret = None,
    refresh_token: RefreshToken = None, refresh_token_file: RefreshTokenFile = None,
    username: Username = None, password: Password = None, access_token: AccessToken = None,
    redis_url: RedisUrl = None, redis_namespace: RedisNamespace = None,
) -> None:
    """Create or update the purchase orders in FILE (JSONL, one nested PurchaseOrder a line).

    Each line is a purchase order as Concur spells it (PurchaseOrderNumber, VendorCode,
    LineItem: [{..., Allocation: [...]}], ...), keyed by PurchaseOrderNumber.
    """
    connection = _connection(base_url, token_url, client_id, client_secret, refresh_token,
                             refresh_token_file, username, password, access_token,
                             redis_url=redis_url, redis_namespace=redis_namespace,
                             concurrency=concurrency)
    _check_directories(checkpoint, failures)
    _sync(connection, purchase_order_file(file), sync_purchase_orders,
          what="purchase orders", checkpoint=checkpoint, failures=failures, quiet=quiet,
          as_json=as_json, dry_run=dry_run, concurrency=concurrency)


# -- purchase order receipts -----------------------------------------------------------------


@receipts_app.command("sync")
@_reported
def receipts_sync(
    file: InputFile,
    fmt: Annotated[FileFormat | None, typer.Option(
        "--format", "-f", show_default=False,
        help="csv or jsonl (default: from the file's extension).")] = None,
    dry_run: DryRun = False,
    concurrency: Annotated[int, typer.Option(min=1, max=256,
                                             help="Receipts in flight.")] = 32,
    checkpoint: Checkpoint = None,
    failures: Failures = None,
    quiet: Quiet = False,
    as_json: JsonSummary = False,
    base_url: BaseUrl = None, token_url: TokenUrl = None,
    client_id: ClientId = None, client_secret: ClientSecret = None,
    refresh_token: RefreshToken = None, refresh_token_file: RefreshTokenFile = None,
    username: Username = None, password: Password = None, access_token: AccessToken = None,
    redis_url: RedisUrl = None, redis_namespace: RedisNamespace = None,
) -> None:
    """Create or update the goods receipts in FILE (CSV or JSONL, one receipt a row).

    Columns as Concur spells them (PurchaseOrderNumber, LineItemExternalID,
    GoodsReceiptNumber, ReceivedQuantity, ReceivedDate, ...); keyed by the first three.
    """
    connection = _connection(base_url, token_url, client_id, client_secret, refresh_token,
                             refresh_token_file, username, password, access_token,
                             redis_url=redis_url, redis_namespace=redis_namespace,
                             concurrency=concurrency)
    _check_directories(checkpoint, failures)
    _sync(connection, receipt_file(file, fmt), sync_purchase_order_receipts,
          what="receipts", checkpoint=checkpoint, failures=failures, quiet=quiet,
          as_json=as_json, dry_run=dry_run, concurrency=concurrency)
