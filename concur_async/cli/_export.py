"""``concur-async <collection> export``: the records changed since the last run, resumable.

The output file and the state file move together: each commit of the export first makes the
output durable and saves its length beside the bookmark; a run that starts with an output file
longer than that (a run killed between the two) cuts it back, so after any number of
interrupted runs the file holds every change exactly once. Standard output cannot be cut back:
written there, a record may come twice after an interruption.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path
from typing import IO, Annotated, Any

import msgspec
import typer

from .._client import ConcurClient
from ..export import COLLECTIONS, UNAVAILABLE, Change, export_changes
from ._app import (
    AccessToken,
    BaseUrl,
    ClientId,
    ClientSecret,
    Password,
    Quiet,
    RedisNamespace,
    RedisUrl,
    RefreshToken,
    RefreshTokenFile,
    TokenUrl,
    Username,
    _check_directories,
    _connection,
    _reported,
    app,
)
from ._connect import run
from ._console import CliError, CountProgress, error_console
from ._records import FileFormat, output_format, scalar_columns

__all__ = ["register"]


class _Output:
    """The output, appended to across runs and cut back to the last commit's length."""

    def __init__(self, path: Path | None, fmt: FileFormat, columns: tuple[str, ...]) -> None:
        self.path = None if path is None else path.resolve()
        self.fmt = fmt
        self.columns = columns
        self.stream: IO[bytes] = sys.stdout.buffer
        self._encoder = msgspec.json.Encoder()

    def open(self, committed: Any) -> None:
        offset = 0
        same = isinstance(committed, dict) and self.path is not None and (
            committed.get("path"), committed.get("format")) == (str(self.path), self.fmt)
        if same:
            offset = int(committed.get("offset", 0))
        if self.path is not None:
            self.stream = self.path.open("r+b" if offset else "wb")
            self.stream.truncate(offset)
            self.stream.seek(offset)
        if offset == 0 and self.fmt == "csv":
            self._csv_row(self.columns)

    def write(self, change: Change) -> None:
        if self.fmt == "jsonl":
            self.stream.write(self._encoder.encode(change.record) + b"\n")
            return
        wire = msgspec.to_builtins(change.record)
        self._csv_row(["" if (v := wire.get(c)) is None else str(v) for c in self.columns])

    def _csv_row(self, row: Any) -> None:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerow(row)
        self.stream.write(text.getvalue().encode("utf-8"))

    def commit(self) -> dict[str, Any] | None:
        """Make what was written durable; its length goes into the state file."""
        self.stream.flush()
        if self.path is None:
            return None
        os.fsync(self.stream.fileno())
        return {"path": str(self.path), "format": self.fmt, "offset": self.stream.tell()}

    def close(self) -> None:
        if self.path is not None:
            self.stream.close()


def _filters(given: list[str]) -> dict[str, str]:
    filters = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.isidentifier():
            raise CliError(f"--filter wants NAME=VALUE, e.g. user=ALL; got {item!r}")
        filters[name] = value
    return filters


def _command(collection: str, what: str) -> Any:
    @_reported
    def export(
        state: Annotated[Path, typer.Option(
            "--state", dir_okay=False, show_default=False,
            help="JSON file keeping the bookmark between runs (created if missing).")],
        since: Annotated[dt.datetime | None, typer.Option(
            "--since", show_default=False,
            help="First run only: changes after this date (default: everything).")] = None,
        output: Annotated[Path | None, typer.Option(
            "--output", "-o", dir_okay=False, show_default=False,
            help="File the changes are appended to across runs (default: standard output).")
        ] = None,
        fmt: Annotated[FileFormat | None, typer.Option(
            "--format", "-f", show_default=False,
            help="jsonl or csv (default: from the --output extension, else jsonl).")] = None,
        filters: Annotated[list[str] | None, typer.Option(
            "--filter", show_default=False,
            help="NAME=VALUE passed to the list call, e.g. user=ALL (repeatable; a state "
            "file keeps to the filters it was made with).")] = None,
        overlap_hours: Annotated[float, typer.Option(
            min=0, help="How far before the newest change seen the next run reads again.")
        ] = 24.0,
        commit_seconds: Annotated[float, typer.Option(
            min=0, help="How often progress is saved (the state file and the output's "
            "length); a stopped run repeats at most this much.")] = 1.0,
        quiet: Quiet = False,
        base_url: BaseUrl = None, token_url: TokenUrl = None,
        client_id: ClientId = None, client_secret: ClientSecret = None,
        refresh_token: RefreshToken = None, refresh_token_file: RefreshTokenFile = None,
        username: Username = None, password: Password = None, access_token: AccessToken = None,
        redis_url: RedisUrl = None, redis_namespace: RedisNamespace = None,
    ) -> None:
        connection = _connection(base_url, token_url, client_id, client_secret, refresh_token,
                                 refresh_token_file, username, password, access_token,
                                 redis_url=redis_url, redis_namespace=redis_namespace)
        chosen = output_format(output, fmt)
        _check_directories(output, state)
        out = _Output(output, chosen, scalar_columns(COLLECTIONS[collection].record_type,
                                                     with_ids=True))
        errors = error_console()
        started = time.perf_counter()
        no_bar = quiet or (output is None and sys.stdout.isatty())

        async def work(client: ConcurClient) -> tuple[int, int]:
            changes = export_changes(
                client, collection, since=since, state=state, filters=_filters(filters or []),
                overlap=dt.timedelta(hours=overlap_hours), on_commit=out.commit,
                commit_interval=commit_seconds,
            )
            out.open(changes.sink)
            try:
                with CountProgress(errors, quiet=no_bar, what=f"exporting changed {what}") as bar:
                    async with changes:
                        async for change in changes:
                            out.write(change)
                            bar.advance()
            finally:
                out.close()
            return changes.delivered, changes.skipped

        delivered, skipped = run(connection, work, on_interrupt=(
            f"interrupted; run again with --state {state} to resume"))
        if not quiet:
            where = f" to {output}" if output else ""
            errors.print(f"exported {delivered:,} changed {what}{where} ({skipped:,} seen "
                         f"before, skipped) in {time.perf_counter() - started:.2f} s",
                         highlight=False)

    export.__doc__ = (f"Export the {what} changed since the last run (JSONL or CSV); "
                      "resumable: a stopped run is continued by the next one.")
    return export


def _unavailable(collection: str) -> Any:
    @_reported
    def export() -> None:
        raise CliError(f"cannot export {collection}: {UNAVAILABLE[collection]}")

    export.__doc__ = f"Not available: {UNAVAILABLE[collection]}."
    return export


def register() -> None:
    """Add ``<collection> export`` for every collection ``export_changes`` knows."""
    groups = {info.name: info.typer_instance for info in app.registered_groups}
    for collection, source in COLLECTIONS.items():
        group = groups.get(collection)
        if group is None:
            group = typer.Typer(help=f"{source.what.capitalize()}: incremental export.",
                                no_args_is_help=True)
            app.add_typer(group, name=collection)
        group.command("export")(_command(collection, source.what))
    for collection in UNAVAILABLE:
        group = groups.get(collection)
        if group is not None:
            group.command("export")(_unavailable(collection))
