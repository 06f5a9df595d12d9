"""The seed documents' examples, as corpus entries.

The generator's spec already keeps every seed example verbatim with the operation it documents
(``tools.seedspec``), so they are taken from there rather than parsed a second time.
"""

from __future__ import annotations

import json
from typing import Any

from .. import seedspec
from ._routes import match

__all__ = ["seed_entries"]


def seed_entries() -> list[dict[str, Any]]:
    entries = []
    for spec in seedspec.load_specs(seedspec.SPEC_DIR).values():
        for op in spec["operations"]:
            route = match(op["method"], op["path"])
            for example in op["examples"]:
                if example["format"] not in ("json", "xml"):
                    continue  # a multipart form: its parts, not a document
                skip = None
                if example["kind"] == "request" and (op.get("request_body") or {}).get(
                        "type") == "binary":
                    skip = "the explorer's rendering of an upload: the body is the file's bytes"
                elif example.get("value") == "string":
                    skip = "the explorer's placeholder 'string', not a document"
                elif example.get("empty"):
                    skip = "only the XML declaration: the seed shows no document"
                if "value" in example:
                    body = json.dumps(example["value"], indent=2, ensure_ascii=False)
                else:
                    body = "\n".join(example["lines"])
                entries.append({
                    "id": f"seed-{example['seed']}-l{example['line']}",
                    "source": "seed",
                    "page": f"seeds/{example['seed']}_*.txt",
                    "commit": None,
                    "current": True,
                    "line": example["line"],
                    "operation": route.name,
                    "method": route.method,
                    "path": route.path,
                    "direction": example["kind"],
                    "status": example.get("status"),
                    "format": example["format"],
                    "body": body,
                    "why_skipped": skip,
                    **({"root": example["root"]} if example.get("root") else {}),
                })
    return entries
