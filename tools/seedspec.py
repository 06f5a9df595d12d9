"""Read the seed documents and write the reviewable operation spec, one JSON file per API.

    python -m tools.seedspec [--seeds DIR] [--inventory TSV] [--out DIR]

Every row of the API inventory must be found in its seed (003 for most, 002 for Vendor v3.1),
and every operation found must be a row of the inventory; anything else is an error. The spec
keeps each example verbatim with the operation it documents, so tests and the generator work
from the repository alone.

Seeds 004 and 001 re-document operations of 003: their prose, parameters and examples are
added (001 also marks the purchase order fields it requires and gives their formats). Last,
``_overrides.FIELDS`` retypes the fields the SDK reads otherwise than the tables say (money as
Decimal, documented dates as dates), writing each reason into the spec.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ._docfields import apply_docs
from ._explorer import parse_explorer
from ._overrides import apply_overrides, unused
from ._po001 import parse_po001
from ._reconcile import reconcile
from ._resolve import resolve_api
from ._seedtext import doc_enum, doc_limits, parse_type
from ._slate import parse_slate
from ._vendor31 import parse_vendor31

__all__ = ["INVENTORY", "SEEDS", "SPEC_DIR", "build", "load_specs", "main", "slug"]

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "spec"
INVENTORY = SPEC_DIR / "api-inventory.tsv"
# The seed documents are not part of the repository; by convention they sit beside it.
SEEDS = Path(os.environ.get("CONCUR_SEEDS", ROOT.parent / "shared" / "seeds"))

Spec = dict[str, Any]


def slug(api: str, version: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", f"{api} {version}".lower()).strip("_")


def _seed(seeds: Path, number: str) -> str:
    (path,) = seeds.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def read_inventory(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def build(seeds: Path = SEEDS, inventory: Path = INVENTORY) -> dict[str, Spec]:
    """The spec of every API, keyed by file stem; raises if seeds and inventory disagree."""
    rows = read_inventory(inventory)
    vendor31 = {**parse_vendor31(_seed(seeds, "002")), "seed": "002"}
    apis = [{**a, "seed": "003"} for a in parse_explorer(_seed(seeds, "003"))] + [vendor31]
    arrays_002 = {(s["name"], f["name"]) for s in vendor31["schemas"] for f in s["fields"]
                  if f.get("array")}
    found: set[tuple[str, ...]] = set()
    problems: list[str] = []
    for api in apis:
        resolve_api(api, arrays_002)
        api["rows"] = [r for r in rows if (r["api"], r["version"]) == (api["api"], api["version"])]
        for op in api["operations"]:
            row = _inventory_row(op, api["rows"])
            if row is None:
                route = f"{op['method']} {op['relative_path']}"
                problems.append(f"{api['title']}: {route} is not in the inventory")
                continue
            op["path"] = row["path"]
            _bind_path(op)
            _prose_enums(op)
            found.add((row["api"], row["version"], row["method"], row["path"]))
            for block in op["examples"]:
                block["seed"] = api["seed"]
    missing = [r for r in rows if (r["api"], r["version"], r["method"], r["path"]) not in found]
    problems += [f"inventory row not found in seed {r['seed']}: {r}" for r in missing]
    if problems:
        raise ValueError("\n".join(problems))
    _attach_slate(apis, parse_slate(_seed(seeds, "004")))
    _attach_po001(apis, parse_po001(_seed(seeds, "001")))
    for api in apis:
        reconcile(api)
    specs = {slug(api["api"], api["version"]): _api_spec(api, api["rows"]) for api in apis}
    # Last, so that paging and reconciling read what the seeds say.
    applied: set[tuple[str, str, str]] = set()
    for name, spec in specs.items():
        applied |= apply_overrides(name, spec["schemas"])
        apply_docs(name, spec)
    if unused(applied):
        raise ValueError(f"overrides for APIs the seeds lack: {unused(applied)}")
    return specs


def _inventory_row(op: dict[str, Any], rows: list[dict[str, str]]) -> dict[str, str] | None:
    """The row whose path ends with the operation's path (seed paths omit the base URL)."""
    relative = op["relative_path"].split("?")[0]
    matches = [r for r in rows if r["method"] == op["method"] and r["path"].endswith(relative)]
    return min(matches, key=lambda r: len(r["path"])) if matches else None


def _bind_path(op: dict[str, Any]) -> None:
    """Tie path parameters to the template's spelling, and keep a query fixed in the seed path."""
    holes = re.findall(r"\{(\w+)\}", op["path"])
    for param in op["parameters"]:
        if param["in"] != "path":
            continue
        hole = next((h for h in holes if h.lower() == param["name"].lower()), None)
        if hole is None:
            raise ValueError(f"{op['method']} {op['path']}: no {{{param['name']}}} in the path")
        if hole != param["name"]:
            param["placeholder"] = hole  # documented as userId, templated as {userID}
    documented = {p["name"].lower() for p in op["parameters"] if p["in"] == "path"}
    for hole in holes:
        if hole.lower() not in documented:
            op["parameters"].append({"name": hole, "in": "path", "type": "string",
                                     "required": True, "description": "",
                                     "undocumented": True})
    _, _, query = op["relative_path"].partition("?")
    if query:
        op["fixed_query"] = dict(pair.split("=", 1) for pair in query.split("&"))


def _prose_enums(op: dict[str, Any]) -> None:
    """A query parameter whose description lists its values takes them as its enum."""
    for param in op["parameters"]:
        if param["in"] == "query" and param["type"] == "string" and "enum" not in param:
            values = doc_enum(param.get("description", ""))
            if values:
                param["enum"] = values


def _api_spec(api: dict[str, Any], rows: list[dict[str, str]]) -> Spec:
    order = {(r["method"], r["path"]): n for n, r in enumerate(rows)}
    operations = sorted(
        (op for op in api["operations"] if "path" in op),
        key=lambda op: order[(op["method"], op["path"])],
    )
    return {
        "api": api["api"],
        "version": api["version"],
        "title": api["title"],
        "seed": api["seed"],
        "description": api["description"],
        "operations": [_operation_spec(op, api) for op in operations],
        "schemas": {
            name: {**schema, "examples": [example_out(b) for b in schema.get("examples", [])]}
            for name, schema in api["schemas"].items()
        },
    }


def _operation_spec(op: dict[str, Any], api: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": op["method"],
        "path": op["path"],
        "operation_id": op["operation_id"],
        "summary": op["summary"],
        "description": op["description"],
        "seed_path": op["relative_path"],
        "seed_line": op["line"],
        "parameters": op["parameters"],
    }
    for key in ("fixed_query", "slate"):
        if key in op:
            out[key] = op[key]
    for key in ("request_body", "responses"):
        if key in op:
            out[key] = op[key]
    out["examples"] = [example_out(b) for b in op["examples"]]
    xml_request = next(
        (b for b in op["examples"] if b["kind"] == "request" and b.get("root")), None
    )
    if xml_request is not None and "request_body" in out:
        out["request_body"]["xml_root"] = xml_request["root"]
    paging = _paging(out, api["schemas"])
    if paging:
        out["paging"] = paging
    return out


_EXAMPLE_KEYS = ("kind", "status", "format", "seed", "line", "root", "empty", "error")


def example_out(block: dict[str, Any]) -> dict[str, Any]:
    """An example as the spec keeps it: JSON as data, XML and form bodies as their lines."""
    out = {k: block[k] for k in _EXAMPLE_KEYS if k in block}
    if block["format"] == "json" and "error" not in block:
        out["value"] = json.loads(block["body"])
    else:
        out["lines"] = block["body"].splitlines()
    return out


def _paging(op: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any] | None:
    """How a list endpoint pages, read off its parameters and its response fields."""
    if op["method"] != "GET":
        return None
    ok = next((r for r in op.get("responses", []) if 200 <= r["status"] < 300), None)
    schema = schemas.get(ok.get("schema")) if ok else None
    if schema is None or ok is None or ok.get("array"):
        return None
    fields = {f["name"]: f for f in schema.get("fields", [])}
    params = {p["name"]: p for p in op["parameters"]}
    arrays = [f["name"] for f in schema.get("fields", []) if f.get("array")]
    limit = params.get("limit", {}).get("maximum")
    if "limit" in params and limit is None:
        # Request v4 types limit as a string, but still documents its maximum.
        limit = doc_limits(params["limit"]["description"], "integer").get("maximum")
    paging: dict[str, Any] | None = None
    if "NextPage" in fields and arrays:
        # A collection named after its items (VendorCollection) may carry them in that member
        # (Vendor) and leave Items null, as seeds 002 and 003 show for vendors: wherever the
        # collection has such a member (PaymentRequestDigestCollection documents both), it is
        # read first and Items is the paginator's fallback, so either answer pages.
        member = ok["schema"].removesuffix("Collection")
        items = member if member in arrays else "Items" if "Items" in arrays else arrays[0]
        paging = {"style": "v3", "items": items, "next": "NextPage"}
    elif "offset" in params and params["offset"]["type"] == "integer" and arrays:
        paging = {"style": "offset", "items": arrays[0], "total": "totalRows"
                  if "totalRows" in fields else None}
    elif "start" in params and "data" in fields:
        paging = {"style": "start_limit", "items": "data"}
    elif op["path"].endswith("/provider-payment/v4/payments") and arrays:
        # Payments once read are marked RETRIEVED: the same call answers the next batch.
        paging = {"style": "until_empty", "items": arrays[0]}
    if paging is not None and limit is not None:
        paging["max_page_size"] = limit
    return paging


def _attach_slate(apis: list[dict[str, Any]], slate: list[dict[str, Any]]) -> None:
    """Seed 004 re-documents a few v3.0 operations: keep its prose, parameters and examples."""
    by_route = {(op["method"], op["path"]): op for api in apis for op in api["operations"]}
    for entry in slate:
        op = by_route.get((entry["method"], entry["path"]))
        if op is None:
            raise ValueError(f"seed 004 documents {entry['method']} {entry['path']}, "
                             "which is not in the inventory")
        op["slate"] = {"title": entry["title"], "description": entry["description"],
                       "parameters": entry["parameters"], "seed_line": entry["line"]}
        op["examples"] = op.get("examples", []) + [{**b, "seed": "004"} for b in entry["examples"]]


def _attach_po001(apis: list[dict[str, Any]], page: dict[str, Any]) -> None:
    """Seed 001 re-documents the purchase order schemas: take its required fields, formats
    and example; a field only it lists is added, marked ``documented_by``."""
    by_route = {(op["method"], op["path"]): op for api in apis for op in api["operations"]}
    for method, path, block in page["examples"]:
        op = by_route.get((method, path))
        if op is None:
            raise ValueError(f"seed 001 has an example for {method} {path}, not in the inventory")
        op["examples"].append({**block, "seed": "001"})
    owners = {name: api["schemas"] for api in apis if api["seed"] == "003"
              and api["api"].startswith("Purchase Order") for name in api["schemas"]}
    for name, rows in page["schemas"].items():
        if name not in owners:
            raise ValueError(f"seed 001 documents {name}, which seed 003 does not")
        schema = owners[name][name]
        fields = {f["name"]: f for f in schema["fields"]}
        for row in rows:
            field = fields.get(row["name"])
            if field is None:
                field = {"name": row["name"], **parse_type(row["type"]), "required": False,
                         "description": row["description"], "documented_by": "seed 001"}
                schema["fields"].append(field)
            if row["required"] and not field["required"]:
                field.update(required=True, required_by="seed 001")
            if row["format"]:
                field["seed_format"] = row["format"]


def write(specs: dict[str, Spec], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.json"):
        # A spec with a "source" was written from Concur's documentation, not the seeds.
        if stale.stem not in specs and "source" not in json.loads(stale.read_text("utf-8")):
            stale.unlink()
    for name, spec in specs.items():
        (out / f"{name}.json").write_text(dump(spec), encoding="utf-8")


def dump(spec: Spec) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def load_specs(directory: Path = SPEC_DIR) -> dict[str, Spec]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(directory.glob("*.json"))}


def summary(specs: dict[str, Spec]) -> str:
    ops = [op for spec in specs.values() for op in spec["operations"]]
    blocks = Counter(
        (b["format"], "empty" if b.get("empty") else "ok")
        for op in ops for b in op.get("examples", [])
    )
    by_seed = Counter(spec["seed"] for spec in specs.values() for _ in spec["operations"])
    schemas = sum(len(spec["schemas"]) for spec in specs.values())
    schema_blocks = Counter(
        b["format"] for spec in specs.values() for schema in spec["schemas"].values()
        for b in schema.get("examples", []) if not b.get("empty")
    )
    seeds = ", ".join(f"seed {k}: {n}" for k, n in sorted(by_seed.items()))
    lines = [
        f"APIs: {len(specs)}",
        f"operations: {len(ops)} ({seeds})",
        f"schemas: {schemas}",
        f"examples: JSON {blocks['json', 'ok']}, XML {blocks['xml', 'ok']}, "
        f"form {blocks['form', 'ok']}, empty XML {blocks['xml', 'empty']}",
        f"schema examples (the explorer's, one per schema): JSON {schema_blocks['json']}, "
        f"XML {schema_blocks['xml']}",
        f"list operations with paging: {sum(1 for op in ops if 'paging' in op)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.seedspec", description=__doc__)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--inventory", type=Path, default=INVENTORY)
    parser.add_argument("--out", type=Path, default=SPEC_DIR)
    args = parser.parse_args(argv)
    specs = build(args.seeds, args.inventory)
    write(specs, args.out)
    print(summary(specs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
