"""What the CLI shows: progress on stderr, the summary table, one-line errors, exit codes."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

if TYPE_CHECKING:
    from ..bulk import SyncProgress, SyncReport

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "CountProgress",
    "SyncProgressBar",
    "error_console",
    "summary_table",
]

EXIT_OK = 0
#: Some records failed (they are in the failures file), or Concur refused the whole run.
EXIT_FAILED = 1
#: The command line, the configuration or the input file is wrong; nothing was sent.
EXIT_USAGE = 2
#: Stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A problem to report in one line (no traceback) and exit with ``exit_code``."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def error_console() -> Console:
    # Wide enough that one-line errors stay on one line when stderr is a pipe or a file.
    return Console(stderr=True, highlight=False, soft_wrap=True)


class _Bar:
    """A rich progress display on stderr that is off when stderr is not a terminal or quiet."""

    def __init__(self, console: Console, *, quiet: bool, counted: bool) -> None:
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if counted:
            columns += [BarColumn(), MofNCompleteColumn()]
        else:
            columns += [TextColumn("{task.completed:,}")]
        columns.append(TimeElapsedColumn())
        self.enabled = console.is_terminal and not quiet
        self.progress = Progress(*columns, console=console, disable=not self.enabled,
                                 transient=False)

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.progress.stop()


class SyncProgressBar(_Bar):
    """One bar per phase of a sync (reading records, writing), fed by the engine. The phases
    may overlap (a vendor sync writes while it still reads), so each bar runs until its
    phase's total is known, or the sync ends."""

    def __init__(self, console: Console, *, quiet: bool, what: str) -> None:
        super().__init__(console, quiet=quiet, counted=True)
        self.what = what
        self.tasks: dict[str, TaskID] = {}

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in self.tasks.values():
            if self.progress.tasks[task].total is None:
                self.progress.update(task, total=self.progress.tasks[task].completed)
        super().__exit__(exc_type, exc, tb)

    def __call__(self, event: SyncProgress) -> None:
        task = self.tasks.get(event.phase)
        if task is None:
            task = self.tasks[event.phase] = self.progress.add_task(
                f"{event.phase} {self.what}", total=event.total
            )
        failed = f" [red]{event.failed:,} failed[/]" if event.failed else ""
        self.progress.update(task, completed=event.done, total=event.total,
                             description=f"{event.phase} {self.what}{failed}")


class CountProgress(_Bar):
    """A running count of records streamed, for exports (Concur gives no total up front)."""

    def __init__(self, console: Console, *, quiet: bool, what: str) -> None:
        super().__init__(console, quiet=quiet, counted=False)
        self.task = self.progress.add_task(what, total=None)

    def advance(self, count: int = 1) -> None:
        self.progress.update(self.task, advance=count)


def summary_table(report: SyncReport, *, what: str) -> Table:
    title = f"{what} sync" + (" (dry run: nothing written)" if report.dry_run else "")
    table = Table(title=title, title_justify="left")
    counts = {
        "unchanged": report.unchanged, "created": report.created, "updated": report.updated,
        "deleted": report.deleted, "failed": report.failed,
    }
    if report.resumed:  # written by an earlier run of the same checkpoint
        counts["resumed"] = report.resumed
    for name in (*counts, "seconds", "requests"):
        table.add_column(name, justify="right",
                         style="red" if name == "failed" and report.failed else None)
    table.add_row(*(f"{n:,}" for n in counts.values()), f"{report.seconds:.2f}",
                  f"{report.requests:,}")
    return table
