"""Parser for the Purchase Orders v3 reference page (seed 001): Markdown, tables and one example.

The page re-documents three Purchase Orders v3.0 operations and the receipt update that the
explorer (seed 003) also has. What it adds is read here: which fields are **Required**, the
``Format`` column (``YYYY-MM-DD``, ``true`` / ``false``), and the JSON example of a new purchase
order. Table rows such as ``Custom1 through Custom24`` stand for every field in the range.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["SCHEMAS", "parse_po001"]

#: The page's schema headings -> the explorer's names for the same schemas.
SCHEMAS = {
    "purchaseOrder": "PurchaseOrder",
    "BillToAddress": "BillToAddress",
    "LineItem": "LineItem",
    "Allocation": "Allocation",
    "ShipToAddress": "ShipToAddress",
    "Response Schema": "PurchaseOrderResult",
    "Receipt Schema": "PurchaseOrderReceipt",
}
_HEADING = re.compile(r"^#{2,4} (?:<a name=\"(?P<anchor>[^\"]+)\"></a>)?(?P<title>.+)$")
_ROW = re.compile(r"^`(?P<name>[^`]+)`\|`(?P<type>[^`]+)`\|(?P<format>[^|]*)\|(?P<desc>.*)$")
_RANGE = re.compile(r"^(?P<stem>[A-Za-z]+)(?P<first>\d+) through (?P=stem)(?P<last>\d+)$")
_REQUEST = re.compile(r"^(GET|POST|PUT|DELETE) (/\S+)$")


def parse_po001(text: str) -> dict[str, Any]:
    """``{"schemas": {name: [field, ...]}, "examples": [(method, path, block), ...]}``."""
    lines = text.splitlines()
    schemas: dict[str, list[dict[str, Any]]] = {}
    examples: list[tuple[str, str, dict[str, Any]]] = []
    section: str | None = None
    request: tuple[str, str] | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if heading := _HEADING.match(line):
            section = heading["title"].strip()
            if line.startswith("## "):
                request = None
        elif line.startswith("```"):
            close = next(j for j in range(i + 1, len(lines)) if lines[j] == "```")
            body = lines[i + 1 : close]
            if line == "```" and len(body) == 1 and (match := _REQUEST.match(body[0].strip())):
                request = (match[1], match[2])
            elif line == "```json" and request is not None and section == "Example":
                block = {"kind": "request", "format": "json", "body": "\n".join(body),
                         "line": i + 2}
                examples.append((*request, block))
            i = close + 1
            continue
        elif line.startswith("Name|Type|Format|Description") and section in SCHEMAS:
            schemas[SCHEMAS[section]] = _rows(lines, i + 2)
        i += 1
    return {"schemas": schemas, "examples": examples}


def _rows(lines: list[str], i: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while i < len(lines) and (match := _ROW.match(lines[i])):
        desc = match["desc"].strip()
        required = desc.startswith("**Required**")
        fmt = match["format"].strip()
        row = {
            "type": match["type"].strip(),
            "format": None if fmt in ("-", "") or fmt.startswith("[") else fmt.replace("`", ""),
            "required": required,
            "description": desc.removeprefix("**Required**").strip(),
        }
        name = match["name"].strip()  # one row spells ``LineItemExternalID\t``
        if span := _RANGE.match(name):
            first, last = int(span["first"]), int(span["last"])
            rows += [{"name": f"{span['stem']}{n}", **row} for n in range(first, last + 1)]
        else:
            rows.append({"name": name, **row})
        i += 1
    return rows
