"""Parser for the slate reference page (seed 004): Markdown, one ``##`` section per operation.

A section has fenced code samples (the shell one may carry a ``curl -d`` request body), a
```json`` response example, a description, ``### HTTP Request`` with the ```METHOD url```
line and a parameter table. Its example values ``"bool"`` and ``"datetime"`` are type names,
not values; the spec keeps them verbatim and the example test substitutes typed values.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

__all__ = ["parse_slate"]

_FENCE = re.compile(r"^```(\w*)$")
_REQUEST = re.compile(r"^`(GET|POST|PUT|DELETE|PATCH) (\S+)`$")
_CURL_BODY = re.compile(r"-d '(?P<body>[^']*)'")


def parse_slate(text: str) -> list[dict[str, Any]]:
    """One entry per documented operation, with its examples and parameter table."""
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if line.startswith("## ")]
    ops = []
    for n, head in enumerate(heads):
        end = heads[n + 1] if n + 1 < len(heads) else len(lines)
        end = next((i for i in range(head + 1, end) if lines[i].startswith("# ")), end)
        op = _section(lines, head, end)
        if op is not None:
            ops.append(op)
    return ops


def _section(lines: list[str], head: int, end: int) -> dict[str, Any] | None:
    fences: list[tuple[str, str, int]] = []
    prose: list[str] = []
    request: tuple[str, str] | None = None
    params: list[dict[str, str]] = []
    i = head + 1
    while i < end:
        line = lines[i]
        if match := _FENCE.match(line):
            close = next(j for j in range(i + 1, end) if lines[j] == "```")
            fences.append((match[1], "\n".join(lines[i + 1 : close]), i + 2))
            i = close + 1
            continue
        if line.startswith("<aside") and "</aside>" not in line:
            i = next(j for j in range(i, end) if "</aside>" in lines[j]) + 1
            continue  # template notes ("Remember — <insert note here>"), not documentation
        if match := _REQUEST.match(line.strip()):
            request = (match[1], match[2])
        elif line.startswith("Parameter |"):
            params = _table(lines, i, end)
        elif line and not line.startswith(("#", ">", "<", "`", "-", "Parameter")) and not params:
            prose.append(line.strip())
        i += 1
    if request is None:
        return None
    method, url = request
    examples = []
    for lang, body, line_no in fences:
        if lang == "json" and body.strip():
            examples.append({"kind": "response", "status": 200, "format": "json",
                             "body": body, "line": line_no})
        elif lang == "shell" and (match := _CURL_BODY.search(body)):
            json.loads(match["body"])  # a request example must at least be JSON
            examples.append({"kind": "request", "format": "json", "body": match["body"],
                             "line": line_no})
    return {
        "title": lines[head].removeprefix("## ").strip(),
        "method": method,
        "path": urlsplit(url).path,
        "description": " ".join(prose),
        "parameters": params,
        "examples": examples,
        "line": head + 1,
    }


def _table(lines: list[str], i: int, end: int) -> list[dict[str, str]]:
    header = [cell.strip().lower() for cell in lines[i].split("|")]
    rows = []
    for line in lines[i + 2 : end]:
        if "|" not in line:
            break
        cells = [cell.strip() for cell in line.split("|")]
        rows.append(dict(zip(header, cells, strict=False)))
    return rows
