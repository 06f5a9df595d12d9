"""Files replaced whole: a crash mid-write leaves the previous version, never half of each."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["replacing", "write_atomically"]


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary file beside ``path`` (mode 0600, readable by its owner only) to write;
    renamed over ``path`` when the block ends normally, removed when it fails."""
    target = Path(path)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(fd)
    try:
        yield Path(temp)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data``, flushed to disk before the rename.

    The flush makes the new version survive a power cut as well as a killed process, which a
    checkpoint or an export bookmark needs: losing it would repeat or skip records.
    """
    with replacing(path) as temp, temp.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
