"""Hold each JSON example against its schema, and write down where the two disagree.

- A field an example shows but no table lists (``IsReceived`` in seed 004's purchase order
  receipt) is added to the schema, marked ``documented_by``.
- A value of another JSON type than the table's (``"fiscalYearName": 2018`` for a string) is
  kept in ``example_types``; the generator accepts both rather than reject a documented example.

Placeholders are not values: ``"string"`` anywhere, and seed 004's ``"bool"`` and ``"datetime"``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["reconcile"]

PLACEHOLDERS = {"string", "bool", "datetime"}
_JSON_TYPES = {
    "string": (str,), "date": (str,), "date-time": (str,), "binary": (str,),
    "integer": (int,), "number": (int, float), "boolean": (bool,),
}


def reconcile(spec: dict[str, Any]) -> None:
    schemas = spec["schemas"]
    for op in spec["operations"]:
        for block in op.get("examples", []):
            if block["format"] != "json" or "error" in block:
                continue
            target = _target(op, block)
            if target is not None:
                where = f"seed {block['seed']} example (line {block.get('line')})"
                _walk(json.loads(block["body"]), target, schemas, where)


def _target(op: dict[str, Any], block: dict[str, Any]) -> dict[str, Any] | None:
    if block["kind"] == "request":
        return op.get("request_body")
    return next((r for r in op.get("responses", []) if r["status"] == block.get("status")), None)


def _walk(value: Any, kind: dict[str, Any], schemas: dict[str, Any], where: str) -> None:
    if value is None:
        return
    if kind.get("array") and isinstance(value, list):
        for item in value:
            _walk(item, {**kind, "array": False}, schemas, where)
        return
    ref = kind.get("schema") or kind.get("ref")
    if ref in schemas and isinstance(value, dict):
        _walk_object(value, schemas[ref], schemas, where)
        return
    expected = _JSON_TYPES.get(kind.get("type", ""))
    if expected is None or (isinstance(value, str) and value in PLACEHOLDERS):
        return
    if not isinstance(value, expected) or (bool not in expected and isinstance(value, bool)):
        seen = _json_type(value)
        if "name" in kind and seen not in kind.get("example_types", []):
            kind.setdefault("example_types", []).append(seen)


def _walk_object(
    value: dict[str, Any], schema: dict[str, Any], schemas: dict[str, Any], where: str
) -> None:
    fields = {f["name"]: f for f in schema.setdefault("fields", [])}
    for key, item in value.items():
        field = fields.get(key)
        if field is None:
            field = {"name": key, "type": _json_type(item), "required": False,
                     "description": "", "documented_by": where}
            schema["fields"].append(field)
            fields[key] = field
        _walk(item, field, schemas, where)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "string"
