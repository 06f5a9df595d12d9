"""Turning one parsed API section into its reviewable spec.

The seeds leave gaps a reader bridges without thinking, and this module bridges them the same
way, writing down why in the spec (``array_reason``, ``inferred_from``):

- The v3 explorer renders arrays of objects as a single object, in tables and examples alike;
  a field is an array when Vendor v3.1 (seed 002) says so, when it is a collection's ``Items``
  (or a ``...Collection``'s member), when its name ends in ``List``, or when the name is plural.
- Types the explorer references but never defines (``ResourceLink``) come from the inline
  response tables, else from the examples that show them.
- ``Decimal`` and friends are .NET/Java type names rendered as empty schemas: scalars.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ._seedtext import PRIMITIVES, parse_type

__all__ = ["resolve_api"]

Schema = dict[str, Any]
_SKIP_HEADERS = {"authorization", "content-type", "accept"}


def resolve_api(api: dict[str, Any], arrays_002: set[tuple[str, str]]) -> dict[str, Any]:
    schemas: dict[str, Schema] = {s["name"]: s for s in api["schemas"] if s["name"]}
    api["unnamed"] = [s for s in api["schemas"] if not s["name"]]
    for schema in schemas.values():
        _fold_nested_rows(schema)
    for op in api["operations"]:
        _adopt_inline(op, schemas, api["unnamed"])
    for schema in list(schemas.values()):
        for field in schema.get("fields", []):
            _resolve_field(field, schemas, api)
    if api["version"].startswith("v3"):
        for schema in schemas.values():
            for field in schema.get("fields", []):
                _v3_array(schema["name"], field, arrays_002)
    for op in api["operations"]:
        _resolve_operation(op, schemas)
    api["schemas"] = schemas
    return api


# -- types --------------------------------------------------------------------------------------


def _alias(schema: Schema | None) -> dict[str, Any] | None:
    """The scalar a schema stands for: an empty one named ``Decimal`` or ``Date``, or one whose
    only row is ``anonymous string`` (``WorkflowAction``)."""
    if schema is None:
        return None
    fields = schema.get("fields") or []
    if not fields and schema["name"].lower() in PRIMITIVES:
        return {k: v for k, v in parse_type(schema["name"]).items() if k != "seed_type"}
    if len(fields) == 1 and fields[0]["name"] == "anonymous" and fields[0]["type"] != "ref":
        return {k: v for k, v in fields[0].items() if k in ("type", "format", "array", "enum")}
    return None


def _resolve_field(field: dict[str, Any], schemas: dict[str, Schema], api: dict[str, Any]) -> None:
    seed = field.get("seed_type", "")
    base = re.sub(r"[\[\]]|\(.*\)", "", seed)
    if field["type"] != "ref" and base in schemas and schemas[base].get("fields"):
        field.update(type="ref", ref=base)  # Invoice Pay's own "amount" schema, not a number
        field.pop("format", None)
    if field["type"] != "ref":
        return
    target = schemas.get(field["ref"])
    scalar = _alias(target)
    if scalar is not None:
        field.pop("ref")
        field.update(scalar, alias_of=target["name"] if target else None)
    elif target is None:
        inferred = _infer_schema(field["ref"], field["name"], api)
        if inferred is not None:
            inferred = _claim_unnamed(inferred, api["unnamed"]) or inferred
        if inferred is None:
            field.update(type="any", unresolved_ref=field.pop("ref"))
        else:
            schemas[inferred["name"]] = inferred
            for inner in inferred["fields"]:
                _resolve_field(inner, schemas, api)


def _infer_schema(name: str, field_name: str, api: dict[str, Any]) -> Schema | None:
    """Fields of an undefined type, read off the first example that shows ``field_name``."""
    for where, value in _json_examples(api):
        found = _find_key(value, field_name)
        if isinstance(found, list) and found:
            found = found[0]
        if isinstance(found, dict) and found:
            fields = [{"name": k, **_kind_of(v), "required": False, "description": ""}
                      for k, v in found.items()]
            return {"name": name, "fields": fields, "examples": [],
                    "inferred_from": f"example {where}"}
    return None


def _json_examples(api: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    blocks = [b for op in api["operations"] for b in op["examples"]]
    blocks += [b for s in api["schemas"] for b in s.get("examples", [])] if isinstance(
        api["schemas"], list) else []
    for block in blocks:
        if block["format"] == "json" and "error" not in block:
            out.append((f"at line {block.get('line')}", json.loads(block["body"])))
    return out


def _find_key(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if key in value:
            return value[key]
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _find_key(child, key)
        if found is not None:
            return found
    return None


def _kind_of(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, list):
        return {**(_kind_of(value[0]) if value else {"type": "any"}), "array": True}
    if isinstance(value, dict):
        return {"type": "object"}
    return {"type": "string"}


def _v3_array(parent: str, field: dict[str, Any], arrays_002: set[tuple[str, str]]) -> None:
    if field["type"] != "ref" or field.get("array"):
        return
    name, ref = field["name"], field["ref"]
    wrapper = ref.endswith("Collection")
    reason = None
    if (parent, name) in arrays_002:
        reason = "Vendor v3.1 (seed 002) declares it an array"
    elif name == "Items" or (parent.endswith("Collection") and not wrapper):
        reason = "the items of a collection"
    elif name.endswith("List"):
        reason = "named as a list"
    elif name.endswith("s") and not name.endswith(("ss", "us")) and not ref.endswith("s"):
        reason = "plural name"  # UserEmailAddresses (Email1..Email5) is one object
    if reason:
        field.update(array=True, array_reason=reason)


# -- operations ---------------------------------------------------------------------------------


def _fold_nested_rows(schema: Schema) -> None:
    """``» additionalProperties`` under a field makes it a map; other nested rows repeat a ref."""
    fields: list[dict[str, Any]] = []
    for field in schema.get("fields", []):
        if field.get("depth"):
            if field["name"] == "additionalProperties" and fields:
                values = {k: v for k, v in field.items()
                          if k in ("type", "ref", "array", "format", "seed_type")}
                fields[-1].update(type="map", values=values)
            continue
        fields.append(field)
    if "fields" in schema:
        schema["fields"] = fields


def _claim_unnamed(guess: Schema, unnamed: list[Schema]) -> Schema | None:
    """The nameless schema table with exactly the fields ``guess`` saw: it is ``guess``'s."""
    keys = {f["name"] for f in guess["fields"]}
    for n, schema in enumerate(unnamed):
        if {f["name"] for f in schema.get("fields", [])} == keys:
            del unnamed[n]
            return {**schema, "name": guess["name"],
                    "name_from": f"its fields match the type's use ({guess['inferred_from']})"}
    return None


def _adopt_inline(op: dict[str, Any], schemas: dict[str, Schema], unnamed: list[Schema]) -> None:
    """Inline ``Response Schema`` tables: the anonymous row names the type, nested rows
    define it."""
    for status, rows in op.pop("inline_responses", {}).items():
        top = rows[0] if rows else None
        if top is None or top["name"] != "anonymous":
            continue
        for response in op["responses"]:
            if str(response["status"]) == status and response["schema"] == "Inline":
                response.update(schema=top.get("ref"), array=bool(top.get("array")))
        _define_nested(rows, 0, schemas, unnamed)


def _define_nested(
    rows: list[dict[str, Any]], at: int, schemas: dict[str, Schema], unnamed: list[Schema]
) -> None:
    owner = rows[at]
    depth = owner.get("depth", 0)
    children = []
    i = at + 1
    while i < len(rows) and rows[i].get("depth", 0) > depth:
        if rows[i].get("depth", 0) == depth + 1:
            children.append(i)
        i += 1
    if owner.get("ref") and owner["ref"] not in schemas and children:
        fields = [{k: v for k, v in rows[c].items() if k != "depth"} for c in children]
        guess = {"name": owner["ref"], "fields": fields, "examples": [],
                 "inferred_from": "inline response table"}
        schemas[owner["ref"]] = _claim_unnamed(guess, unnamed) or guess
    for child in children:
        _define_nested(rows, child, schemas, unnamed)


def _resolve_operation(op: dict[str, Any], schemas: dict[str, Schema]) -> None:
    params = []
    body = None
    parts = []
    for param in op.pop("parameters"):
        if param["in"] == "header" and param["name"].lower() in _SKIP_HEADERS:
            continue
        if param.get("form_part"):
            parts.append(_form_part(param, schemas))
        elif param["in"] == "body":
            body = param
        else:
            params.append(param)
    op["parameters"] = params
    requests = [b for b in op["examples"] if b["kind"] == "request" and b["format"] == "json"]
    sample = json.loads(requests[0]["body"]) if requests and "error" not in requests[0] else None
    if parts:
        op["request_body"] = {"media_type": "multipart/form-data", "parts": parts}
    elif body is not None or sample is not None:
        op["request_body"] = _request_body(body, sample, schemas, op)
    for response in op["responses"]:
        name = response["schema"]
        if name and name not in schemas and name != "Inline":
            response.pop("schema")
            response.update(parse_type(name))
        elif name and (scalar := _alias(schemas.get(name))) is not None:
            response.pop("schema")
            response.update(scalar, alias_of=name)


def _request_body(
    param: dict[str, Any] | None, sample: Any, schemas: dict[str, Schema], op: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "media_type": op.get("content_type") or "application/json",
        "required": bool(param and param["required"]),
        "description": param["description"] if param else "",
    }
    ref = param.get("ref") if param else None
    if ref is None and isinstance(sample, list | dict):
        item = sample[0] if isinstance(sample, list) and sample else sample
        ref = _schema_with_keys(item, schemas) if isinstance(item, dict) and item else None
        if ref:
            out["schema_reason"] = "the only schema with the fields of the request example"
    scalar = _alias(schemas.get(ref)) if ref else None
    if scalar is not None:
        out.update(scalar, alias_of=ref)
    elif ref is not None:
        out["schema"] = ref
        out["array"] = isinstance(sample, list)
    elif param is not None and param["type"] == "object" and sample in ({}, None):
        out["type"] = "binary"  # an upload: the example body is empty, the data is the file
        out["media_type"] = "application/octet-stream"
    else:
        out["type"] = param["type"] if param else "any"
    return out


def _schema_with_keys(sample: dict[str, Any], schemas: dict[str, Schema]) -> str | None:
    keys = set(sample)
    matches = [n for n, s in schemas.items() if {f["name"] for f in s.get("fields", [])} == keys]
    return matches[0] if len(matches) == 1 else None


def _form_part(param: dict[str, Any], schemas: dict[str, Schema]) -> dict[str, Any]:
    part = {k: v for k, v in param.items() if k not in ("form_part", "in")}
    declared = part["description"].split(" ", 1)[0]
    if declared in schemas:
        # A JSON document sent as a form field; its schema follows in the description.
        part.update(type="ref", ref=declared, encoding="application/json")
        part["description"] = f"The {declared} document, as JSON."
    else:
        part["description"] = part["description"].split("\nEnumerated Values")[0]
    return part
