"""Parser for the API explorer (seed 003): a widdershins rendering of Concur's OpenAPI files.

Each API section reads: title (``Allocation v3.0``), description, ``Base URLs:``, then per
operation an operation id, ``Code samples`` (skipped), the ``METHOD /path`` line, summary,
description, ``Body parameter`` examples, a ``Parameters`` table, ``Example responses``, a
``Responses`` table and sometimes an inline ``Response Schema``; the section closes with
``Schemas``, each a name, an example and a ``Properties`` table.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from ._seedtext import Block, doc_limits, is_example_start, parse_type, read_block

__all__ = ["parse_explorer"]

_OP_LINE = re.compile(r"^(GET|POST|PUT|DELETE|PATCH) (/\S*)$")
_PARAM_ROW = re.compile(
    r"^(?P<nest>»\s*)?(?P<name>\S+) (?P<loc>path|query|header|body|formData) (?P<type>\S+) "
    r"(?P<req>true|false) ?(?P<desc>.*)$"
)
_PROP_ROW = re.compile(
    r"^(?P<nest>»*)\s*(?P<name>\S+) (?P<type>\S+) (?P<req>true|false) (?P<restr>\S+) ?(?P<desc>.*)$"
)
_TITLE = re.compile(r"^(?P<api>.+) (?P<version>v\d+(?:\.\d+)*)$")
_STATUS_ROW = re.compile(r"^(\d{3}) (.*) (\S+)$")
_KEYWORDS = ("Body parameter", "Parameters", "Example responses", "Responses", "Response Schema")
_STOP = (*_KEYWORDS, "Properties")
_SCROLL = "Scroll down for code samples"


def parse_explorer(text: str) -> list[dict[str, Any]]:
    """Every API section of the explorer: its operations and schemas."""
    lines = [line.rstrip() for line in text.splitlines()]
    starts = [i for i, line in enumerate(lines) if line.startswith(_SCROLL)]
    apis = []
    for n, scroll in enumerate(starts):
        title = _previous_text(lines, scroll)
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        apis.append(_parse_api(lines, lines[title], scroll, end))
    return apis


def _previous_text(lines: list[str], i: int) -> int:
    i -= 1
    while not lines[i]:
        i -= 1
    return i


def _next_text(lines: list[str], i: int, end: int) -> int:
    while i < end and not lines[i]:
        i += 1
    return i


def _parse_api(lines: list[str], title: str, start: int, end: int) -> dict[str, Any]:
    match = _TITLE.match(title)
    if match is None:
        raise ValueError(f"unexpected API title {title!r} at line {start}")
    base = next(i for i in range(start, end) if lines[i] == "Base URLs:")
    schemas_at = next((i for i in range(base, end) if lines[i] == "Schemas"), end)
    op_marks = [i for i in range(base, schemas_at) if lines[i] == "Code samples"]
    operations = []
    for n, mark in enumerate(op_marks):
        op_end = _previous_text(lines, op_marks[n + 1]) if n + 1 < len(op_marks) else schemas_at
        operations.append(_parse_operation(lines, _previous_text(lines, mark), mark, op_end))
    return {
        "title": title,
        "api": match["api"],
        "version": match["version"],
        "description": _paragraphs(lines[start + 1 : base]),
        "operations": operations,
        "schemas": _parse_schemas(lines, schemas_at + 1, end),
    }


def _paragraphs(lines: list[str]) -> str:
    return "\n\n".join(line for line in lines if line)


def _parse_operation(lines: list[str], opid_at: int, mark: int, end: int) -> dict[str, Any]:
    at = next(i for i in range(mark, end) if _OP_LINE.match(lines[i]))
    match = _OP_LINE.match(lines[at])
    assert match is not None
    sample_url = next((_curl_url(lines[i]) for i in range(mark, at) if "curl " in lines[i]), "")
    content_type = next(
        (lines[i].split(": ", 1)[1] for i in range(mark, at)
         if lines[i].startswith("Content-Type: ") and "/" in lines[i]),
        None,
    )
    op: dict[str, Any] = {
        "operation_id": lines[opid_at],
        "method": match[1],
        "relative_path": match[2],
        "sample_url": sample_url,
        "content_type": content_type,
        "line": at + 1,
    }
    i = _next_text(lines, at + 1, end)
    prose: list[str] = []
    while i < end and lines[i] not in _KEYWORDS:
        prose.append(lines[i])
        i += 1
    texts = [p for p in prose if p]
    op["summary"] = texts[0] if texts else ""
    op["description"] = "\n\n".join(texts[1:])
    examples: list[Block] = []
    params: list[dict[str, Any]] = []
    responses: list[dict[str, Any]] = []
    inline: dict[str, list[dict[str, Any]]] = {}
    while i < end:
        line = lines[i]
        if line == "Body parameter":
            blocks, i = _read_examples(lines, i + 1, end)
            examples += [{**b, "kind": "request"} for b in blocks]
        elif line == "Parameters":
            params, i = _read_params(lines, i + 1, end)
        elif line == "Example responses":
            i = _read_response_examples(lines, i + 1, end, examples)
        elif line == "Responses":
            responses, i = _read_responses(lines, i + 1, end)
        elif line.startswith("Status Code "):
            fields, i = _read_properties(lines, _next_text(lines, i + 1, end), end)
            inline[line.removeprefix("Status Code ")] = fields
        else:
            i += 1
    op.update(parameters=params, responses=responses, examples=examples)
    if inline:
        op["inline_responses"] = inline
    return op


def _curl_url(line: str) -> str:
    parts = [p for p in line.split() if p.startswith(("http", "/"))]
    return parts[0] if parts else ""


def _read_examples(lines: list[str], i: int, end: int) -> tuple[list[Block], int]:
    blocks: list[Block] = []
    while i < end and lines[i] not in _STOP and not re.match(r"^\d{3} Response$", lines[i]):
        if is_example_start(lines[i]):
            block, i = read_block(lines, i)
            blocks.append(block)
        elif lines[i]:
            # Form bodies are shown as ``name: value`` lines, not as a JSON or XML document.
            form = []
            while i < end and lines[i] and lines[i] not in _STOP:
                form.append(lines[i])
                i += 1
            blocks.append({"format": "form", "body": "\n".join(form)})
        else:
            i += 1
    return blocks, i


def _read_response_examples(lines: list[str], i: int, end: int, out: list[Block]) -> int:
    while i < end and lines[i] != "Responses":
        match = re.match(r"^(\d{3}) Response$", lines[i])
        if match is None:
            i += 1
            continue
        blocks, i = _read_examples(lines, i + 1, end)
        out += [{**b, "kind": "response", "status": int(match[1])} for b in blocks]
    return i


def _read_params(lines: list[str], i: int, end: int) -> tuple[list[dict[str, Any]], int]:
    i = _next_text(lines, i, end)
    if lines[i].startswith("Name In Type"):
        i += 1
    params: list[dict[str, Any]] = []
    while i < end and lines[i] != "Enumerated Values" and (
        lines[i] or (params and _table_goes_on(lines, i, end, _PARAM_ROW))
    ):
        match = _PARAM_ROW.match(lines[i])
        if match is None and params:
            params[-1]["description"] += "\n" + lines[i]  # a description spanning lines
        elif match is not None:
            kind = parse_type(match["type"])
            param = {"name": match["name"], "in": match["loc"], **kind,
                     "required": match["req"] == "true", "description": match["desc"]}
            if match["nest"]:
                param["form_part"] = True
            params.append(param)
        i += 1
    i = _next_text(lines, i, end)
    if i < end and lines[i] == "Enumerated Values":
        enums, i = _read_enums(lines, i + 1, end, {p["name"] for p in params})
        for param in params:
            if param["name"] in enums:
                param["enum"] = enums[param["name"]]
    for param in params:
        param["description"] = param["description"].strip()
        param.update(doc_limits(param["description"], param["type"]))
    return params, i


def _read_enums(
    lines: list[str], i: int, end: int, names: set[str]
) -> tuple[dict[str, list[str]], int]:
    if i < end and lines[i] in ("Property Value", "Parameter Value"):
        i += 1
    enums: dict[str, list[str]] = {}
    while i < end and lines[i]:
        name, _, value = lines[i].partition(" ")
        if name not in names:
            break  # a heading that follows the table, not a row of it
        enums.setdefault(name, []).append(value)
        i += 1
    return enums, i


def _read_responses(lines: list[str], i: int, end: int) -> tuple[list[dict[str, Any]], int]:
    i = _next_text(lines, i, end)
    if lines[i].startswith("Status Meaning"):
        i += 1
    out = []
    while i < end and lines[i]:
        match = _STATUS_ROW.match(lines[i])
        if match:
            status = int(match[1])
            phrase = HTTPStatus(status).phrase
            description = match[2].removeprefix(phrase).strip() or phrase
            schema = None if match[3] in ("None", "Void") else match[3]
            out.append({"status": status, "description": description, "schema": schema})
        i += 1
    return out, i


def _read_properties(lines: list[str], i: int, end: int) -> tuple[list[dict[str, Any]], int]:
    """A ``Name Type Required Restrictions Description`` table (``»`` marks nesting)."""
    if i < end and lines[i] == "None":
        return [], i + 1
    if i < end and lines[i].startswith("Name Type Required"):
        i += 1
    fields: list[dict[str, Any]] = []
    while i < end and lines[i] != "Enumerated Values":
        if not lines[i]:
            if not fields or not _table_goes_on(lines, i, end, _PROP_ROW):
                break
            fields[-1]["description"] += "\n"
            i += 1
            continue
        match = _PROP_ROW.match(lines[i])
        if match is None:
            if not fields:
                break
            fields[-1]["description"] += "\n" + lines[i]
        else:
            kind = parse_type(match["type"])
            field = {"name": match["name"], **kind, "required": match["req"] == "true",
                     "description": "" if match["desc"] == "none" else match["desc"]}
            if match["restr"] not in ("none", ""):
                field["restrictions"] = match["restr"]
            if match["nest"]:
                field["depth"] = len(match["nest"])
            fields.append(field)
        i += 1
    if i < end and lines[i] == "Enumerated Values":
        enums, i = _read_enums(lines, i + 1, end, {f["name"] for f in fields})
        for field in fields:
            if field["name"] in enums:
                field["enum"] = enums[field["name"]]
    for field in fields:
        field["description"] = field["description"].strip()
        field.update(doc_limits(field["description"], field["type"]))
    return fields, i


_CODE_LINE = re.compile(r"^[A-Z0-9_]+ - ")


def _table_goes_on(lines: list[str], i: int, end: int, row: re.Pattern[str]) -> bool:
    """Past a blank line, is this still the table? Descriptions may hold a list of codes."""
    j = _next_text(lines, i, end)
    paragraph = []
    while j < end and lines[j]:
        paragraph.append(lines[j])
        j += 1
    return bool(paragraph) and all(_CODE_LINE.match(p) or row.match(p) for p in paragraph)


def _parse_schemas(lines: list[str], i: int, end: int) -> list[dict[str, Any]]:
    schemas = []
    while i < end:
        i = _next_text(lines, i, end)
        if i >= end:
            break
        name: str | None = lines[i]
        start = _next_text(lines, i + 1, end)
        if is_example_start(lines[i]):
            name, start = None, i  # the explorer dropped this schema's name (Link, ...)
        elif not re.match(r"^[A-Za-z_][\w.\-]*$", lines[i]) or start >= end or not (
            is_example_start(lines[start]) or lines[start] == "Properties"
        ):
            i += 1
            continue
        examples, j = _read_examples(lines, start, end)
        schema: dict[str, Any] = {"name": name, "examples": examples, "line": i + 1}
        j = _next_text(lines, j, end)
        if j < end and lines[j] == "Properties":
            schema["fields"], j = _read_properties(lines, _next_text(lines, j + 1, end), end)
        elif name is None:
            i = j
            continue
        schemas.append(schema)
        i = j
    return schemas
