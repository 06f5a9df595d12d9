"""Parser for the Vendor v3.1 reference page (seed 002), a plain-text rendering of HTML tables.

Operations read: a title, ``METHOD /path``, a note, and a ``Name Type Format Description``
table whose Format column holds the parameter's location. The schema tables at the end carry
no names; a table holding ``Items array X`` is ``XCollection`` and names the table after it
``X``, and a table nobody has named yet takes the next array item type (``Status``).
"""

from __future__ import annotations

import re
from typing import Any

from ._seedtext import doc_limits, parse_type

__all__ = ["parse_vendor31"]

_OP_LINE = re.compile(r"^(GET|POST|PUT|DELETE|PATCH)\s+(/\S+)$")
_HEADER = "Name Type Format Description"
_INTEGER_RANGE = re.compile(
    r"^(?P<name>\S+) Integer between (\d+) and (\d+) (?P<fmt>\S+) ?(?P<desc>.*)$"
)
_ROW = re.compile(r"^(?P<name>\S+) (?P<type>\S+) (?P<fmt>\S+) ?(?P<desc>.*)$")


def parse_vendor31(text: str) -> dict[str, Any]:
    lines = [line.rstrip() for line in text.splitlines()]
    op_lines = [i for i, line in enumerate(lines) if _OP_LINE.match(line)]
    operations = []
    for n, at in enumerate(op_lines):
        end = op_lines[n + 1] - 1 if n + 1 < len(op_lines) else _last_op_end(lines)
        operations.append(_operation(lines, at, end))
    tables = _tables(lines, _last_op_end(lines), len(lines))
    return {
        "title": lines[0],
        "api": "Vendor",
        "version": "v3.1",
        "description": lines[2],
        "operations": operations,
        "schemas": _name_tables(tables),
    }


def _last_op_end(lines: list[str]) -> int:
    """The schema tables start after the last operation's ``... Schema`` captions."""
    last_op = max(i for i, line in enumerate(lines) if _OP_LINE.match(line))
    table = next(i for i in range(last_op + 1, len(lines)) if lines[i] == _HEADER)
    return next(i for i in range(table + 1, len(lines)) if lines[i] == _HEADER)


def _operation(lines: list[str], at: int, end: int) -> dict[str, Any]:
    match = _OP_LINE.match(lines[at])
    assert match is not None
    before = [i for i in range(at - 1, 0, -1) if lines[i]]
    title = next(
        lines[i] for i in before if not lines[i].startswith("Note:") and "Schema" not in lines[i]
    )
    near = [lines[i] for i in (*before[:1], *range(at + 1, end))]
    note = next((line for line in near if line.startswith("Note:")), "")
    table_at = next(i for i in range(at, end) if lines[i] == _HEADER)
    params = []
    for row in _rows(lines, table_at + 1, end):
        location = row.pop("format_column")
        if location == "body":
            # "vendorBanks" carries a VendorBankCollection, as the v3.0 explorer names it.
            ref = row["name"][:1].upper() + row["name"][1:].removesuffix("s") + "Collection"
            row = {"name": row["name"], "in": "body", "type": "ref", "ref": ref,
                   "required": True, "description": row["description"]}
        else:
            row["in"] = location
        params.append(row)
    captions = [lines[i] for i in range(table_at, end) if lines[i].endswith(" Schema")]
    response = captions[-1].removesuffix(" Schema").replace(" ", "").removesuffix("s")
    return {
        "operation_id": None,
        "method": match[1],
        "relative_path": match[2],
        "sample_url": match[2],
        "line": at + 1,
        "summary": title,
        "description": note,
        "parameters": params,
        "responses": [{"status": 200, "description": "OK", "schema": f"{response}Collection"}],
        "examples": [],
    }


def _rows(lines: list[str], i: int, end: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while i < end and lines[i]:
        line = lines[i]
        row: dict[str, Any]
        if match := _INTEGER_RANGE.match(line):
            row = {"name": match["name"], "type": "integer", "minimum": int(match[2]),
                   "maximum": int(match[3]), "format_column": match["fmt"], "desc": match["desc"]}
        elif match := _ROW.match(line):
            kind = parse_type(match["type"])
            if match["type"] == "array" and match["fmt"] != "-":
                kind = {**parse_type(match["fmt"]), "array": True}
            elif match["type"] == "array":
                kind = {"type": "string", "array": True}  # a list of names, per its description
            row = {"name": match["name"], **kind, "format_column": match["fmt"],
                   "desc": match["desc"]}
        else:
            raise ValueError(f"unreadable Vendor v3.1 row {line!r}")
        desc: str = row.pop("desc")
        row["required"] = desc.startswith("Required ")
        row["description"] = desc.removeprefix("Required ").strip()
        if row["description"] in ("-", ""):
            row["description"] = ""
        row.update(doc_limits(row["description"], row["type"]))
        rows.append(row)
        i += 1
    return rows


def _tables(lines: list[str], start: int, end: int) -> list[list[dict[str, Any]]]:
    tables = []
    for i in range(start, end):
        if lines[i] == _HEADER:
            rows = _rows(lines, i + 1, end)
            for row in rows:
                row.pop("format_column")
            tables.append(rows)
    return tables


def _name_tables(tables: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    names: list[str | None] = [None] * len(tables)
    wanted: list[str] = []
    for n, rows in enumerate(tables):
        items = next((r for r in rows if r["name"] == "Items" and r.get("ref")), None)
        if items is not None:
            names[n] = f"{items['ref']}Collection"
            if n + 1 < len(tables):
                names[n + 1] = items["ref"]
        wanted += [r["ref"] for r in rows if r.get("ref") and r["ref"] not in wanted]
    known = {name.lower() for name in names if name}
    spare = [w for w in wanted if w.lower() not in known]
    schemas: list[dict[str, Any]] = []
    for n, rows in enumerate(tables):
        name = names[n] or spare.pop(0).capitalize()
        schemas.append({"name": name, "fields": rows, "examples": []})
    for schema in schemas:
        for field in schema["fields"]:
            if field.get("ref"):  # "status" in one table is "Status" in another
                field["ref"] = next(
                    (s["name"] for s in schemas if s["name"].lower() == field["ref"].lower()),
                    field["ref"],
                )
    return schemas
