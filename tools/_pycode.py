"""Python spelling for the spec: names, annotations, wrapped lines, and the struct classes.

Struct fields take snake_case names; the base struct's rename rule (PascalCase for v3,
camelCase for v4) gives the wire name back, and ``msgspec.field(name=...)`` spells the wire
names the rule cannot reach (``ID``, ``URI``). msgspec itself is asked what the rule yields, so
the generator and the runtime cannot disagree.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import msgspec

__all__ = ["Imports", "StructWriter", "snake", "wire_rename", "wrap"]

WIDTH = 100


def snake(name: str) -> str:
    """``ReportID`` -> ``report_id``, ``IATACode`` -> ``iata_code``, ``concur-correlationid``
    -> ``concur_correlationid``."""
    out = re.sub(r"[^0-9A-Za-z]+", "_", name)
    out = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", out)
    out = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", out)
    out = out.lower().strip("_")
    if keyword.iskeyword(out) or out[:1].isdigit():
        out += "_"
    return out


@cache
def wire_rename(python_name: str, rule: Literal["pascal", "camel"]) -> str:
    """The wire name msgspec's ``rename=rule`` gives ``python_name``."""
    probe = msgspec.defstruct("Probe", [(python_name, int)], rename=rule)
    return msgspec.structs.fields(probe)[0].encode_name


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake(name).split("_"))


def wrap(head: str, items: list[str], tail: str, indent: int) -> list[str]:
    """``head(items)tail`` on one line if it fits, else one item per line."""
    pad = " " * indent
    one = f"{pad}{head}{', '.join(items)}{tail}"
    if len(one) <= WIDTH and "\n" not in one:
        return [one]
    inner = " " * (indent + 4)
    return [f"{pad}{head}", *(f"{inner}{item}," for item in items), f"{pad}{tail.lstrip(',')}"]


@dataclass
class Imports:
    """The names a module uses, turned into its import block."""

    names: dict[str, set[str]] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)

    def add(self, module: str, name: str | None = None) -> None:
        if name is None:
            self.modules.add(module)
        else:
            self.names.setdefault(module, set()).add(name)

    def render(self) -> list[str]:
        stdlib = {"builtins", "datetime", "decimal", "typing"}
        third = {"aiohttp", "msgspec"}
        groups: list[list[str]] = [[], [], []]
        for module in sorted(self.modules):
            line = "import datetime as dt" if module == "datetime" else f"import {module}"
            groups[0 if module in stdlib else 1].append(line)
        for module in sorted(self.names):
            names = ", ".join(sorted(self.names[module]))
            line = f"from {module} import {names}"
            if module.startswith("."):
                groups[2].append(line)
            else:
                groups[0 if module in stdlib else 1 if module in third else 2].append(line)
        out: list[str] = []
        for group in groups:
            if group:
                out += [*sorted(group, key=_import_key), ""]
        return out


def _import_key(line: str) -> tuple[int, str]:
    module = line.split()[1]
    # isort: plain imports before from-imports within a group, relative imports by depth.
    return (line.startswith("from "), module.replace(".", " "))


#: Names the annotations use: a field spelled like one would shadow it in the class body.
_RESERVED = {"list", "dict", "str", "int", "bool", "bytes", "dt", "msgspec"}

_SCALARS = {
    "string": "str",
    "integer": "int",
    "boolean": "bool",
    "binary": "bytes",
    "any": "Any",
    "object": "dict[str, Any]",
}
_JSON_NAMES = {"string": "str", "integer": "int", "number": "Decimal", "boolean": "bool"}


class StructWriter:
    """Annotations and struct classes for one module's schemas."""

    def __init__(
        self, imports: Imports, class_names: dict[str, str], shared: dict[str, str] | None = None
    ) -> None:
        self.imports = imports
        self.class_names = class_names
        #: Schemas defined once in ``concur_async/shared.py``, by their class names.
        self.shared = shared or {}
        self.aliases: dict[tuple[str, ...], str] = {}
        self.used: set[str] = set()

    def use(self, schema: str) -> str:
        """The class of ``schema``, remembered so a module imports what it names."""
        name = self.class_names[schema]
        self.used.add(name)
        if schema in self.shared:
            self.imports.add("..shared", name)
        return name

    def annotation(self, kind: dict[str, Any], owner: str) -> str:
        """The Python type of a field or parameter (without ``| None``)."""
        base = self._base(kind, owner)
        if kind.get("array"):
            base = f"list[{base}]"
        return base

    def _base(self, kind: dict[str, Any], owner: str, meta: bool = True) -> str:
        type_ = kind["type"]
        if kind.get("enum"):
            return self._enum(kind, owner)
        if type_ == "ref":
            return self.use(kind["ref"])
        if type_ == "map":
            return f"dict[str, {self.annotation(kind['values'], owner)}]"
        if type_ == "number":
            self.imports.add("decimal", "Decimal")
            out = "Decimal"
        elif type_ in ("date", "date-time"):
            self.imports.add("datetime")
            out = "dt.date" if type_ == "date" else "dt.datetime"
        else:
            out = _SCALARS[type_]
            if "Any" in out:
                self.imports.add("typing", "Any")
        limits = self._meta(kind) if meta else ""
        if limits:
            self.imports.add("typing", "Annotated")
            self.imports.add("msgspec")
            out = f"Annotated[{out}, msgspec.Meta({limits})]"
        for seen in kind.get("example_types", []):
            # A seed example sends another JSON type here: accept it as well.
            extra = _JSON_NAMES.get(seen)
            if extra == "Decimal":
                self.imports.add("decimal", "Decimal")
            if extra and extra not in out:
                out = f"{out} | {extra}"
        return out

    @staticmethod
    def _meta(kind: dict[str, Any]) -> str:
        parts = []
        if kind["type"] == "string" and "max_length" in kind:
            parts.append(f"max_length={kind['max_length']}")
        if kind["type"] == "integer":
            if "minimum" in kind:
                parts.append(f"ge={kind['minimum']}")
            if "maximum" in kind:
                parts.append(f"le={kind['maximum']}")
        return ", ".join(parts)

    def _enum(self, kind: dict[str, Any], owner: str) -> str:
        values = tuple(kind["enum"])
        if values not in self.aliases:
            name = owner + pascal(kind["name"])
            while name in self.aliases.values() or name in self.class_names.values():
                name += "Value"
            self.aliases[values] = name
            self.imports.add("typing", "Literal")
        return self.aliases[values]

    def alias_lines(self) -> list[str]:
        out = []
        for values, name in self.aliases.items():
            literals = [repr(v) if not v.lstrip("-").isdigit() else v for v in values]
            literals = [f'"{v[1:-1]}"' if v.startswith("'") else v for v in literals]
            out += wrap(f"{name} = Literal[", literals, "]", 0)
        return out

    def struct(
        self, schema: dict[str, Any], base: str, rule: Literal["pascal", "camel"], doc: str
    ) -> list[str]:
        name = self.class_names[schema["name"]]
        lines = [f"class {name}({base}, kw_only=True):", f'    """{doc}"""', ""]
        taken: set[str] = set()
        fields = schema.get("fields", [])
        for item in fields:
            lines += self._field(item, name, rule, taken)
        if not fields:
            lines.pop()
        return lines

    def _field(
        self, item: dict[str, Any], owner: str, rule: Literal["pascal", "camel"],
        taken: set[str],
    ) -> list[str]:
        py = snake(item["name"])
        while py in taken or py in _RESERVED:
            py += "_"
        taken.add(py)
        annotation = self.field_annotation(item, owner) + " | None"
        renamed = wire_rename(py, rule) != item["name"]
        if renamed:
            self.imports.add("msgspec")
        value = f'msgspec.field(default=None, name="{item["name"]}")' if renamed else "None"
        return _assignment(py, annotation, value)

    def field_annotation(self, item: dict[str, Any], owner: str) -> str:
        """A struct field's type as answers bring it (any value may be missing, any text
        goes), with what a request must hold beside it as ``Sent(...)``."""
        demands = self._demands(item)
        if item.get("enum"):
            demands.append(f"one_of={self._enum(item, owner)}")
            out = "str"
        else:
            out = self._base({k: v for k, v in item.items() if k != "array"}, owner, meta=False)
        if item.get("array"):
            out = f"list[{self._sent(out, demands)}]"
            demands = []
        if item.get("required"):
            demands.append("required=True")
        return self._sent(out, demands)

    def _sent(self, annotation: str, demands: list[str]) -> str:
        if not demands:
            return annotation
        self.imports.add("typing", "Annotated")
        self.imports.add(".._model", "Sent")
        return f"Annotated[{annotation}, Sent({', '.join(demands)})]"

    @staticmethod
    def _demands(kind: dict[str, Any]) -> list[str]:
        meta = StructWriter._meta(kind)
        return [meta] if meta else []


def _assignment(name: str, annotation: str, value: str | None) -> list[str]:
    """``name: annotation = value`` in a class body, wrapped the way ruff format would."""
    line = f"    {name}: {annotation}" + (f" = {value}" if value else "")
    if len(line) <= WIDTH:
        return [line]
    if value and value.startswith("msgspec.field(") and len(line) - len(value) + 15 <= WIDTH:
        head, args = value.split("(", 1)
        return [f"    {name}: {annotation} = {head}(", f"        {args[:-1]}", "    )"]
    if value and value != "None" and len(f"    {name}: {annotation} = (") <= WIDTH:
        return [f"    {name}: {annotation} = (", f"        {value}", "    )"]
    tail = f") = {value}" if value else ")"
    return [f"    {name}: (", f"        {annotation}", f"    {tail}"]
