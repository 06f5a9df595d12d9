"""Every version of every Markdown page in a git mirror of ``concur/developer.concur.com``.

Removed pages and removed examples matter as much as current ones (Concur's servers still send
what an older page showed), so each distinct page text (blob) ever committed is read once, with
the newest commit and path that hold it.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Page", "head", "pages"]

_PAGE_SUFFIXES = (".md", ".markdown")
#: Generated copies of the site (the same pages rendered again) and the blog.
_IGNORED = ("_site/", "changelog/", "_posts/")


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    commit: str
    time: int
    text: str
    current: bool


def _git(repo: Path, *args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(
        ["git", f"--git-dir={repo}", *args], input=data, capture_output=True, check=True
    ).stdout


def head(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD").decode().strip()


def _versions(repo: Path) -> dict[str, tuple[str, int, str]]:
    """blob -> (commit, commit time, path) of the newest commit that wrote it."""
    log = _git(repo, "log", "--all", "--raw", "--no-abbrev", "--no-renames", "--format=C %H %ct")
    newest: dict[str, tuple[str, int, str]] = {}
    commit, when = "", 0
    for line in log.decode("utf-8", "replace").splitlines():
        if line.startswith("C "):
            _, commit, stamp = line.split()
            when = int(stamp)
        elif line.startswith(":"):
            meta, path = line.split("\t", 1)
            blob = meta.split()[3]
            if (path.endswith(_PAGE_SUFFIXES) and not any(i in path for i in _IGNORED)
                    and set(blob) != {"0"} and when > newest.get(blob, ("", -1, ""))[1]):
                newest[blob] = (commit, when, path)
    return newest


def _current(repo: Path) -> dict[str, str]:
    """path -> blob at HEAD."""
    listing = _git(repo, "ls-tree", "-r", "HEAD").decode("utf-8", "replace")
    out = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        out[path] = meta.split()[2]
    return out


def pages(repo: Path, wanted: tuple[str, ...]) -> list[Page]:
    """Every page version that mentions one of ``wanted`` (route fragments), newest first."""
    versions = _versions(repo)
    current = _current(repo)
    at_head = {blob: path for path, blob in current.items()}
    blobs = sorted(versions)
    raw = _git(repo, "cat-file", "--batch", data="\n".join(blobs).encode() + b"\n")
    head_commit = head(repo)
    found: list[Page] = []
    at = 0
    for blob in blobs:
        header_end = raw.index(b"\n", at)
        size = int(raw[at:header_end].split()[2])
        body = raw[header_end + 1: header_end + 1 + size]
        at = header_end + 1 + size + 1
        text = body.decode("utf-8", "replace")
        if not any(w in text for w in wanted):
            continue
        commit, when, path = versions[blob]
        if blob in at_head:
            commit, path = head_commit, at_head[blob]
        found.append(Page(path, commit, when, text, blob in at_head))
    found.sort(key=lambda p: (not p.current, -p.time, p.path))
    return found
