"""The ``concur-async`` command line (also ``python -m concur_async``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from . import _export
from ._app import app

_export.register()  # <collection> export, from its own module

__all__ = ["app", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command; exits with its status (0 ok, 1 records failed, 2 usage error)."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="concur-async")
    except BrokenPipeError:
        # The reader went away (`concur-async vendors export | head`): end as a process killed
        # by SIGPIPE would (128 + 13), without Python's complaint when stdout is flushed.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
