"""Every JSON and XML example in the seeds decodes into its operation's struct and back.

The examples come from ``spec/`` (the seeds' examples, verbatim, each tied to its
operation); ``test_the_spec_matches_the_seeds`` keeps that copy honest whenever the seed
documents are at hand. Each JSON example is decoded into the struct its operation sends or
returns and encoded again, and must come back with the same fields and values; each XML
example is decoded and must survive an encode/decode round trip unchanged.

The explorer's placeholders are not values, and are replaced before decoding: ``"string"``
where an enum or a short maximum length applies, seed 004's ``"bool"`` and ``"datetime"``,
and an object drawn where the schema has an array of them (the explorer's rendering of arrays).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
import types
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import msgspec
import pytest
from lxml import etree

import concur_async
from concur_async import ConcurClient, StaticToken, _codec
from concur_async._answer import Answer, decode_answer
from concur_async._model import sent_form
from tools import generate, seedspec

SPEC_DIR = seedspec.SPEC_DIR
SPECS = seedspec.load_specs(SPEC_DIR)
SERVED = {(i.method, i.path): i for i in concur_async.operations()}
PLACEHOLDERS = {"string", "bool", "datetime"}
_PLACEHOLDER_VALUES: dict[Any, Any] = {
    bool: True, dt.datetime: "2019-08-24T14:15:22Z", dt.date: "2019-08-24", Decimal: "0",
}


# -- which struct an example belongs to ---------------------------------------------------------


def _method(info: Any) -> Any:
    target: Any = ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")
    for part in info.name.split("."):
        target = getattr(target, part)
    return target


def _class(modules: list[types.ModuleType], schema: str) -> type | None:
    name = schema[:1].upper() + schema[1:]
    for module in modules:
        for candidate in (name, name + "Page"):
            found = getattr(module, candidate, None)
            if isinstance(found, type) and issubclass(found, msgspec.Struct):
                return found
    return None


def _modules(method: Any) -> list[types.ModuleType]:
    module = sys.modules[method.__module__]
    models = sys.modules.get(module.__name__.rsplit(".", 1)[0] + ".models")
    return [module, *([models] if models else [])]


def _kind_type(kind: dict[str, Any], modules: list[types.ModuleType]) -> Any:
    if kind.get("schema"):
        cls = _class(modules, kind["schema"])
        if cls is None:
            return None
        return list[cls] if kind.get("array") else cls  # type: ignore[valid-type]
    return {"string": str, "boolean": bool, "integer": int}.get(kind.get("type", ""))


def example_type(op: dict[str, Any], example: dict[str, Any]) -> Any:
    """The type an example decodes into, found the way a caller finds it: by the method."""
    method = _method(SERVED[op["method"], op["path"]])
    modules = _modules(method)
    if example["kind"] == "request":
        found = _kind_type(op.get("request_body") or {}, modules)
        hints = get_type_hints(method)
        positional = [h for n, h in hints.items() if n == "body"]
        return found if found is not None else (positional[0] if positional else None)
    response = next(r for r in op["responses"] if r["status"] == example["status"])
    return _kind_type(response, modules)


# -- placeholders -------------------------------------------------------------------------------


class Fit:
    """Replace the explorer's placeholders with values of the type the field declares."""

    def __init__(self) -> None:
        self.replaced = 0

    def __call__(self, value: Any, hint: Any) -> Any:
        if value is None:
            return None
        origin = get_origin(hint)
        if origin is Annotated:
            base, *metas = get_args(hint)
            value = self(value, base)
            limit = min((m.max_length for m in metas
                         if isinstance(m, msgspec.Meta) and m.max_length), default=None)
            if limit is not None and value in PLACEHOLDERS and len(value) > limit:
                self.replaced += 1
                return value[:limit]
            return value
        if origin in (Union, types.UnionType):
            arms = [a for a in get_args(hint) if a is not type(None)]
            return self(value, _arm_for(value, arms))
        if origin is Literal:
            if value in get_args(hint) or value not in PLACEHOLDERS:
                return value
            self.replaced += 1
            return get_args(hint)[0]
        if origin is list:
            (item,) = get_args(hint)
            if isinstance(value, dict) or (isinstance(value, str) and value in PLACEHOLDERS):
                self.replaced += 1  # one object (or value) drawn for an array of them
                return [self(value, item)]
            return [self(v, item) for v in value] if isinstance(value, list) else value
        if isinstance(hint, type) and issubclass(hint, msgspec.Struct) and isinstance(value, dict):
            hints = get_type_hints(sent_form(hint), include_extras=True)
            by_wire = {f.encode_name: f.name for f in msgspec.structs.fields(hint)}
            return {k: self(v, hints[by_wire[k]]) if k in by_wire else v
                    for k, v in value.items()}
        if hint in _PLACEHOLDER_VALUES and value in PLACEHOLDERS:
            self.replaced += 1
            return _PLACEHOLDER_VALUES[hint]
        return value

    def xml(self, element: Any, hint: Any) -> None:
        """The same, on an XML tree: element text stands for the field's value."""
        origin = get_origin(hint)
        if origin is Annotated or origin in (Union, types.UnionType):
            arms = [a for a in get_args(hint) if a is not type(None)]
            if origin is Annotated:
                if element.text and not len(element):
                    element.text = self(element.text, hint)
                    return
                arms = arms[:1]
            self.xml(element, arms[0])
            return
        if origin is list:
            self.xml(element, get_args(hint)[0])
            return
        if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
            hints = get_type_hints(sent_form(hint), include_extras=True)
            by_wire = {f.encode_name: f.name for f in msgspec.structs.fields(hint)}
            for child in element:
                if child.tag in by_wire:
                    self.xml(child, hints[by_wire[child.tag]])
            return
        if element.text is not None and not len(element):
            element.text = str(self(element.text, hint)).replace("True", "true")


def _arm_for(value: Any, arms: list[Any]) -> Any:
    for arm in arms:
        base = get_args(arm)[0] if get_origin(arm) is Annotated else arm
        if isinstance(value, dict | list) and (get_origin(base) is list or (
                isinstance(base, type) and issubclass(base, msgspec.Struct))):
            return arm
        if isinstance(base, type) and isinstance(value, base) and not (
                isinstance(value, bool) and base is int):
            return arm
    return arms[0]


def difference(a: Any, b: Any, at: str = "") -> str | None:
    """Where ``a`` and ``b`` differ as JSON, ignoring nulls (left off on encode) and number
    spellings; None when they agree."""
    if isinstance(a, dict) and isinstance(b, dict):
        a = {k: v for k, v in a.items() if v is not None}
        b = {k: v for k, v in b.items() if v is not None}
        if a.keys() != b.keys():
            return f"{at or '/'}: fields {sorted(a.keys() ^ b.keys())} on one side only"
        return next((d for k in a if (d := difference(a[k], b[k], f"{at}/{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{at}: {len(a)} items against {len(b)}"
        pairs = zip(a, b, strict=True)
        return next((d for n, (x, y) in enumerate(pairs) if (d := difference(x, y, f"{at}/{n}"))),
                    None)
    return None if _same_scalar(a, b) else f"{at}: {a!r} against {b!r}"


def _same_scalar(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if isinstance(a, int | float | str) and isinstance(b, int | float | str) and not (
            isinstance(a, str) and isinstance(b, str)):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except InvalidOperation:
            return False
    if isinstance(a, str) and isinstance(b, str):
        try:
            return dt.datetime.fromisoformat(a) == dt.datetime.fromisoformat(b)
        except ValueError:
            return False
    return False


# -- the cases ----------------------------------------------------------------------------------


def operation_examples() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [
        (f"{op['method']} {op['path']} {ex['kind']} {ex['format']} seed {ex['seed']} "
         f"line {ex.get('line')}", op, ex)
        for spec in SPECS.values() for op in spec["operations"] for ex in op["examples"]
    ]


CASES = operation_examples()


def _body(example: dict[str, Any]) -> bytes:
    if "value" in example:
        return msgspec.json.encode(example["value"])
    return "\n".join(example["lines"]).encode()


async def check(op: dict[str, Any], example: dict[str, Any]) -> None:
    """Decode one example into its struct and encode it again; raise if anything is lost."""
    assert (op["method"], op["path"]) in SERVED, "no method serves this operation"
    body = op.get("request_body") or {}
    if example["format"] == "form":
        await _check_form(op, example)
        return
    if example["kind"] == "request" and body.get("type") == "binary":
        sent, _ = await _capture(op, _body(example))
        assert sent["data"] == _body(example), "the upload was not sent as documented"
        return
    if example["kind"] == "response" and _answers_nothing(op, example):
        # A ``Void`` answer: the method must accept the documented body and return None.
        media = "application/json" if example["format"] == "json" else "application/xml"
        sent, result = await _capture(op, *_sample_body(op), answer=(_body(example), media))
        assert sent["method"] == op["method"]
        assert result is None
        return
    tp = example_type(op, example)
    assert tp is not None, "no struct for this example"
    fit = Fit()
    if example["format"] == "json":
        value = fit(example["value"], tp)
        decoded = _codec.decode(msgspec.json.encode(value), tp, "json")
        again = json.loads(_codec.encode(decoded, "json"))
        assert (diff := difference(again, value)) is None, f"re-encoded differs at {diff}"
    else:
        tree = etree.fromstring(_body(example))
        fit.xml(tree, get_args(tp)[0] if get_origin(tp) is list else tp)
        decoded = _codec.decode(etree.tostring(tree), tp, "xml")
        again = _codec.encode(decoded, "xml", root=example.get("root"))
        assert _codec.decode(again, tp, "xml") == decoded, "the XML round trip changed it"
        twin = _json_twin(op, example)
        if twin is not None:
            # The explorer draws both from one schema: they must read as the same value.
            from_json = _codec.decode(msgspec.json.encode(Fit()(twin, tp)), tp, "json")
            assert decoded == from_json, "the XML and JSON examples decode differently"


def _json_twin(op: dict[str, Any], example: dict[str, Any]) -> Any:
    for other in op["examples"]:
        if (other["format"], other["kind"], other.get("status"), other["seed"]) == (
            "json", example["kind"], example.get("status"), example["seed"]
        ):
            return other["value"]
    return None


def _answers_nothing(op: dict[str, Any], example: dict[str, Any]) -> bool:
    response = next(r for r in op["responses"] if r["status"] == example["status"])
    return not response.get("schema") and not response.get("type")


async def _check_form(op: dict[str, Any], example: dict[str, Any]) -> None:
    """A form example names its parts: the method must send exactly those parts."""
    documented = [line.split(":", 1)[0] for line in example["lines"]]
    part = next(p for p in op["request_body"]["parts"] if p.get("ref"))
    spec = next(s for s in SPECS.values() if op in s["operations"])
    method = _method(SERVED[op["method"], op["path"]])
    cls = get_type_hints(method)["body"]
    sample = spec["schemas"][part["ref"]]["examples"][0]["value"]
    body = _codec.decode(msgspec.json.encode(Fit()(sample, cls)), cls, "json")
    sent, _ = await _capture(op, body, IMAGE)
    assert [field[0]["name"] for field in sent["data"]._fields] == documented


async def _capture(
    op: dict[str, Any], *args: Any, answer: tuple[bytes, str] = (b"{}", "application/json")
) -> tuple[dict[str, Any], Any]:
    """Call the operation's method with ``args``; return what it handed to the transport
    (which answers ``answer``) and what it returned."""
    client = ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")
    seen: dict[str, Any] = {}

    async def send(method: str, url: str, response_type: Any, **parts: Any) -> Any:
        seen.update(parts, method=method, url=url)
        # Decoded as every answer is: through the client's one decode.
        return decode_answer(Answer(200, answer[0], {"Content-Type": answer[1]}, url),
                             response_type, method=method)

    client._send = send  # type: ignore[method-assign]
    target: Any = client
    for name in SERVED[op["method"], op["path"]].name.split("."):
        target = getattr(target, name)
    hints = get_type_hints(target)
    required = {
        name: get_args(hints[name])[0] if get_origin(hints[name]) is Literal else "x"
        for name, param in inspect.signature(target).parameters.items()
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty
    }
    if "content_type" in inspect.signature(target).parameters:
        # Named, so the seed's stand-in bytes (no real image) are sent as documented.
        required["content_type"] = "image/png"
    result: Any = None
    try:
        result = await target(*args, **required)
    except concur_async.DecodeError:
        if answer[0] != b"{}":
            raise
        # The stand-in answer need not decode: the request is what is checked.
    return seen, result


#: An upload the SDK accepts: a PNG by its first bytes (the seeds' examples show no file).
IMAGE = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _sample_body(op: dict[str, Any]) -> list[Any]:
    """A body for the operation, made from its own request example."""
    body = op.get("request_body") or {}
    if body.get("type") == "binary":
        return [IMAGE]
    if not body.get("schema"):
        return []
    example = next(e for e in op["examples"] if e["kind"] == "request" and "value" in e)
    tp = example_type(op, example)
    value = Fit()(example["value"], tp)
    return [_codec.decode(msgspec.json.encode(value), tp, "json")]


async def test_every_operation_example_decodes_into_its_struct_and_back() -> None:
    present = [(n, op, ex) for n, op, ex in CASES if not ex.get("empty")]
    failures = []
    for name, op, example in present:
        try:
            await check(op, example)
        except Exception as exc:  # every failure is reported, not only the first
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    checked = len(present) - len(failures)
    count = {f: sum(1 for c in present if c[2]["format"] == f) for f in ("json", "xml", "form")}
    empty = len(CASES) - len(present)
    print(f"\nseed examples checked: {checked} of {len(present)} present "
          f"(JSON {count['json']}, XML {count['xml']}, form {count['form']}); "
          f"{empty} XML blocks hold only the declaration and no document")
    assert not failures, "\n".join(failures)
    assert checked == len(present) > 0


# -- schema examples ----------------------------------------------------------------------------


def schema_examples() -> list[tuple[str, type, Any]]:
    out = []
    for spec in SPECS.values():
        modules: list[types.ModuleType] = []
        for op in spec["operations"]:
            if (op["method"], op["path"]) in SERVED:
                modules += _modules(_method(SERVED[op["method"], op["path"]]))
        for name, schema in spec["schemas"].items():
            cls = _class(list(dict.fromkeys(modules)), name)
            for example in schema["examples"]:
                if cls is not None and example["format"] == "json":
                    out.append((f"{spec['title']} {name}", cls, example["value"]))
    return out


def test_every_schema_example_decodes_into_its_struct() -> None:
    cases = schema_examples()
    failures = []
    for name, cls, value in cases:
        try:
            value = Fit()(value, cls)
            decoded = _codec.decode(msgspec.json.encode(value), cls, "json")
            diff = difference(json.loads(_codec.encode(decoded, "json")), value)
            assert diff is None, f"re-encoded differs at {diff}"
        except Exception as exc:  # every failure is reported, not only the first
            failures.append(f"{name}: {type(exc).__name__}: {exc}")
    print(f"\nschema examples checked: {len(cases) - len(failures)} of {len(cases)} "
          "(the schemas the SDK has structs for)")
    assert not failures, "\n".join(failures)


# -- the spec and the generated code are current ------------------------------------------------


def test_the_spec_matches_the_seeds() -> None:
    if not any(seedspec.SEEDS.glob("003_*.txt")) or not seedspec.INVENTORY.exists():
        pytest.skip(f"the seed documents are not at {seedspec.SEEDS}")
    built = seedspec.build(seedspec.SEEDS, seedspec.INVENTORY)
    stale = [name for name, spec in built.items()
             if seedspec.dump(spec) != (SPEC_DIR / f"{name}.json").read_text(encoding="utf-8")]
    assert not stale, f"run python -m tools.seedspec: {stale}"
    # Specs with a "source" are written from Concur's documentation, not built from the seeds.
    assert set(built) == {name for name, spec in SPECS.items() if "source" not in spec}


def test_the_generated_modules_are_current(tmp_path: Path) -> None:
    assert generate.main(["--out", str(tmp_path)]) == 0
    package = generate.PACKAGE
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.py"))
    assert written, "the generator wrote nothing"
    drift = [str(p) for p in written
             if (tmp_path / p).read_text(encoding="utf-8")
             != ((package / p).read_text(encoding="utf-8") if (package / p).exists() else None)]
    assert not drift, f"run python -m tools.generate: {drift}"
