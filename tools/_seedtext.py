"""Pieces every seed parser shares: type cells, documented limits, example blocks.

A parsed field, parameter or schema is plain JSON-able data (``dict``), because it is written
out as the reviewable spec in ``spec/`` and read back by the generator.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "PRIMITIVES",
    "Block",
    "doc_enum",
    "doc_limits",
    "is_example_start",
    "parse_type",
    "read_block",
]

Block = dict[str, Any]

#: Type spellings the seeds use for scalars, mapped to the spec's scalar names.
PRIMITIVES: dict[str, str] = {
    "string": "string",
    "integer": "integer",
    "int": "integer",
    "int32": "integer",
    "int64": "integer",
    "number": "number",
    "decimal": "number",
    "amount": "number",
    "double": "number",
    "boolean": "boolean",
    "bool": "boolean",
    "object": "object",
    "any": "any",
    "date": "date",
    "file": "binary",
    "inputstream": "binary",
    "enum": "string",
}
_STRING_FORMATS = {"date": "date", "date-time": "date-time", "binary": "binary"}
_TYPE_CELL = re.compile(r"^(?P<base>[A-Za-z_][\w.]*)(?:\((?P<fmt>[^)]*)\))?$")


def parse_type(cell: str) -> dict[str, Any]:
    """``integer(int32)``, ``[Link]``, ``string(date)``, ``Vendor`` -> a type description."""
    cell = cell.strip()
    return {**_parse_type(cell), "seed_type": cell}


def _parse_type(cell: str) -> dict[str, Any]:
    if cell.startswith("[") and cell.endswith("]"):
        return {**_parse_type(cell[1:-1]), "array": True}
    match = _TYPE_CELL.match(cell)
    if match is None:
        return {"type": "any", "seed_type": cell}
    base, fmt = match["base"], match["fmt"]
    scalar = PRIMITIVES.get(base.lower())
    if scalar is None:
        return {"type": "ref", "ref": base}
    out: dict[str, Any] = {"type": scalar}
    if scalar == "string" and fmt in _STRING_FORMATS:
        out["type"] = _STRING_FORMATS[fmt]
    elif fmt:
        out["format"] = fmt
    if base.lower() in ("int32", "int64"):
        out["format"] = base.lower()
    return out


_MAX_LENGTH = (
    re.compile(r"Maximum length:?\s*(\d+)", re.I),
    re.compile(r"Maximum (\d+) characters?", re.I),
)
_MAXIMUM = (
    re.compile(r"the maximum is (\d+)", re.I),
    re.compile(r"cannot exceed (\d+)", re.I),
    re.compile(r"Maximum(?: value)?:\s*(\d+)", re.I),
    re.compile(r"maximum limit is (\d+)", re.I),
)
_RANGE = re.compile(r"between (\d+) and (\d+)", re.I)


def doc_limits(description: str, type_: str) -> dict[str, int]:
    """Limits a description states in prose: string length for strings, bounds for integers."""
    limits: dict[str, int] = {}
    if type_ == "string":
        for pattern in _MAX_LENGTH:
            if match := pattern.search(description):
                limits["max_length"] = int(match[1])
                break
    elif type_ == "integer":
        for pattern in _MAXIMUM:
            if match := pattern.search(description):
                limits["maximum"] = int(match[1])
                break
    return limits


_VALUES = re.compile(r"(?:Supported values:|valid values are)\s*(?P<values>[^.]+)", re.I)
_TOKEN = re.compile(r"\w+")


def doc_enum(description: str) -> list[str] | None:
    """Values a description lists in prose (``Supported values: exact, begins``), when each is
    a single word; lists that explain their values (``P - partial``) are prose, not an enum."""
    match = _VALUES.search(description)
    if match is None:
        return None
    values = [v.strip() for v in match["values"].split(",")]
    return values if all(_TOKEN.fullmatch(v) for v in values) else None


def is_example_start(line: str) -> bool:
    return line.startswith(("{", "[", '"', "<?xml")) or line in ("true", "false") or (
        line[:1].isdigit() and line.replace(".", "", 1).isdigit()
    )


def read_block(lines: list[str], i: int) -> tuple[Block, int]:
    """Read the JSON or XML example starting at ``lines[i]``; return it and the next index."""
    if lines[i].startswith("<?xml"):
        return _read_xml(lines, i)
    return _read_json(lines, i)


def _read_json(lines: list[str], i: int) -> tuple[Block, int]:
    first = lines[i]
    end = i + 1
    if first in ("{", "["):
        closer = "}" if first == "{" else "]"
        while end < len(lines) and lines[end] != closer:
            end += 1
        end += 1
    text = "\n".join(lines[i:end])
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return {"format": "json", "body": text, "error": str(exc), "line": i + 1}, end
    return {"format": "json", "body": text, "line": i + 1}, end


_XML_OPEN = re.compile(r"^<([A-Za-z_][\w.\-]*)(/?)>")


def _read_xml(lines: list[str], i: int) -> tuple[Block, int]:
    end = i + 1
    match = _XML_OPEN.match(lines[end]) if end < len(lines) else None
    if match is None:
        # Only the XML declaration: the explorer shows no document for this body.
        return {"format": "xml", "body": lines[i], "empty": True, "line": i + 1}, end
    root, closed = match[1], match[2] == "/"
    if not closed:
        while end < len(lines) and lines[end] != f"</{root}>":
            end += 1
    end += 1
    return {"format": "xml", "root": root, "body": "\n".join(lines[i:end]), "line": i + 1}, end
