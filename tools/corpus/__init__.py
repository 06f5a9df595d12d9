"""Build the corpus of Concur's published examples (``tests/corpus/``) from a docs mirror.

    python -m tools.corpus MIRROR [--out tests/corpus]

``MIRROR`` is a (bare) git clone of ``concur/developer.concur.com``. Every version of every
Markdown page in its history that names a route the SDK serves is read; each JSON or XML
example is tied to the operation and direction (request or response) the page gives it, and
written once (the newest page holding it wins) as ``examples/<id>.<json|xml>``. The seed
documents' examples (kept verbatim in the generator's spec) are added the same way.
``manifest.json`` lists every example with its page, commit and line; an example that is no
document (an excerpt with ``...``, prose) or that the page does not tie to an operation is
listed there too, with the reason it is skipped, so nothing is dropped silently.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from lxml import etree

from ._blocks import blocks
from ._history import head, pages
from ._routes import fragments
from ._seeds import seed_entries

__all__ = ["build", "main"]

OUT = Path(__file__).resolve().parents[2] / "tests" / "corpus"


def _parse(fmt: str, body: str) -> Any:
    if fmt == "json":
        return json.loads(body)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(body.encode(), parser)


def _canonical(fmt: str, body: str) -> str:
    try:
        if fmt == "json":
            return json.dumps(_parse(fmt, body), sort_keys=True)
        return etree.tostring(_parse(fmt, body), method="c14n").decode()
    except (ValueError, etree.XMLSyntaxError):
        return re.sub(r"\s+", " ", body)


def why_skipped(fmt: str, body: str, entry: dict[str, Any]) -> str | None:
    """The reason an example cannot be checked, or None when it is a whole document."""
    if entry["operation"] is None:
        return "the page names no endpoint before it"
    if entry["direction"] is None:
        return "the page does not say whether it is a request or a response"
    if entry["direction"] == "request" and entry["method"] == "GET":
        return "a body shown as the request of a GET, which sends none (the page's slip)"
    try:
        _parse(fmt, body)
    except (ValueError, etree.XMLSyntaxError) as exc:
        if re.search(r"\.\.\.|…", body):
            return "an excerpt: '...' stands for the rest, so it is no whole document"
        if re.search(r"^\s*//|/\*", body, re.MULTILINE):
            return "annotated with comments: not a document as sent"
        return f"not a well-formed {fmt.upper()} document ({str(exc).splitlines()[0][:80]})"
    return None


def _slug(path: str) -> str:
    stem = re.sub(r"\.(md|markdown)$", "", path.removeprefix("src/"))
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")


def doc_entries(mirror: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    seen: set[tuple[Any, ...]] = set()
    others = 0
    for page in pages(mirror, fragments()):
        for block in blocks(page.text):
            if block.route is not None and block.route.name is None:
                others += 1  # an API the SDK does not serve
                continue
            key = (block.route, block.direction, block.status, block.format,
                   _canonical(block.format, block.body))
            if key in seen:
                continue
            seen.add(key)
            entry = {
                "id": f"{_slug(page.path)}-l{block.line}",
                "source": "docs",
                "page": page.path,
                "commit": page.commit,
                "current": page.current,
                "line": block.line,
                "operation": block.route.name if block.route else None,
                "method": block.route.method if block.route else None,
                "path": block.route.path if block.route else None,
                "direction": block.direction,
                "status": block.status,
                "format": block.format,
                "body": block.body,
            }
            entries.append(entry)
    meta = {"repository": "concur/developer.concur.com", "head": head(mirror),
            "examples_of_other_apis": others}
    return entries, meta


def _added_by_hand(out: Path) -> list[dict[str, Any]]:
    """Examples added by hand (what Concur really sent: ``"source": "production"``), kept."""
    manifest = out / "manifest.json"
    if not manifest.exists():
        return []
    entries = json.loads(manifest.read_text(encoding="utf-8"))["examples"]
    return [e for e in entries if e["source"] not in ("docs", "seed")]


def build(mirror: Path, out: Path = OUT) -> dict[str, Any]:
    entries, meta = doc_entries(mirror)
    entries += seed_entries()
    kept = _added_by_hand(out)
    examples = out / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    for old in examples.iterdir():
        if f"examples/{old.name}" not in {e["file"] for e in kept}:
            old.unlink()
    ids: set[str] = set()
    for entry in entries:
        while entry["id"] in ids:  # the same line of two versions of one page
            entry["id"] += "x"
        ids.add(entry["id"])
        body = entry.pop("body")
        entry["file"] = f"examples/{entry['id']}.{entry['format']}"
        entry["skip"] = entry.pop("why_skipped", None) or why_skipped(entry["format"], body, entry)
        (out / entry["file"]).write_text(body + "\n", encoding="utf-8")
    entries += kept
    manifest = {**meta, "examples": entries}
    # One example a line: a new docs commit shows up as a readable diff.
    lines = ",\n".join(json.dumps(e, ensure_ascii=False) for e in entries)
    head_fields = json.dumps(meta, ensure_ascii=False)[1:-1]
    (out / "manifest.json").write_text(
        f'{{{head_fields},\n"examples": [\n{lines}\n]}}\n', encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.corpus", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mirror", type=Path, help="git dir of concur/developer.concur.com")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    manifest = build(args.mirror, args.out)
    checked = [e for e in manifest["examples"] if not e["skip"]]
    print(f"{len(manifest['examples'])} examples ({len(checked)} checked, "
          f"{len(manifest['examples']) - len(checked)} skipped with a reason) "
          f"from {manifest['repository']}@{manifest['head'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
