"""Files replaced whole: a crash mid-write leaves the previous version, never half of each."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data``: a temporary file beside it (mode 0600, readable by its
    owner only), flushed to disk, then renamed over it.

    The flush makes the new version survive a power cut as well as a killed process, which a
    checkpoint or an export bookmark needs: losing it would repeat or skip records.
    """
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
