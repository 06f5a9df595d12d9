"""Every row of the API inventory has a method, and the method sends what the seeds document.

For each of the 141 rows, ``concur_async.operations()`` names the method serving it; the method
is called against aioresponses with a placeholder for every argument, and the request must
carry the row's HTTP method, its path with the path parameters filled in, and exactly the
documented query parameters, spelled as the seeds spell them (from ``spec/``). The operations
Concur documents beyond the seeds (spec files naming their ``source``) are checked the same way.
"""

from __future__ import annotations

import csv
import datetime as dt
import inspect
import json
import re
import types
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints
from urllib.parse import unquote

import msgspec
import pytest
from aioresponses import aioresponses

import concur_async
from concur_async import ConcurClient, ConcurError, StaticToken, ValidationError
from concur_async._model import sent_form
from tools import seedspec

INVENTORY = seedspec.INVENTORY
SPEC_DIR = seedspec.SPEC_DIR
BASE = "http://127.0.0.1:9"


def inventory() -> list[dict[str, str]]:
    with INVENTORY.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def documented() -> dict[tuple[str, str], dict[str, Any]]:
    """The spec's operation for each (method, path)."""
    ops = {}
    for path in SPEC_DIR.glob("*.json"):
        for op in json.loads(path.read_text(encoding="utf-8"))["operations"]:
            ops[op["method"], op["path"]] = op
    return ops


def beyond_seeds() -> set[tuple[str, str]]:
    """The operations Concur documents beyond the seeds: their spec files were written from
    its documentation and name that ``source`` (issue 18)."""
    ops = set()
    for path in SPEC_DIR.glob("*.json"):
        spec = json.loads(path.read_text(encoding="utf-8"))
        if spec.get("source"):
            ops |= {(op["method"], op["path"]) for op in spec["operations"]}
    return ops


SPEC = documented()
SERVED = {(info.method, info.path): info for info in concur_async.operations()}


def test_every_inventory_row_has_a_method() -> None:
    rows = inventory()
    assert len(rows) == 141
    missing = [f"{r['method']} {r['path']}" for r in rows if (r["method"], r["path"]) not in SERVED]
    assert not missing, "no method serves:\n" + "\n".join(missing)
    wrong = [
        f"{r['method']} {r['path']}: {SERVED[r['method'], r['path']]}"
        for r in rows
        if (r["method"], r["path"]) in SERVED
        and (SERVED[r["method"], r["path"]].api, SERVED[r["method"], r["path"]].version)
        != (r["api"], r["version"])
    ]
    assert not wrong, "served under another API or version:\n" + "\n".join(wrong)


def test_the_spec_covers_the_inventory() -> None:
    assert {(r["method"], r["path"]) for r in inventory()} == set(SPEC) - beyond_seeds()


def test_every_operation_beyond_the_seeds_has_a_method() -> None:
    assert len(beyond_seeds()) == 18
    assert beyond_seeds() <= set(SERVED)


# -- placeholder arguments ----------------------------------------------------------------------


class Placeholders:
    """A value for every parameter; strings are numbered so the path shows which went where
    (or made by ``text``: the integration tests use fresh UUIDs, valid ids naming nothing)."""

    def __init__(self, text: Callable[[], str] | None = None) -> None:
        self.count = 0
        self._text = text

    def text(self) -> str:
        if self._text is not None:
            return self._text()
        self.count += 1
        return f"p{self.count}"

    def __call__(self, hint: Any) -> Any:
        origin = get_origin(hint)
        if origin is Annotated:
            base, *metas = get_args(hint)
            value = self(base)
            limits = [m.max_length for m in metas if isinstance(m, msgspec.Meta) and m.max_length]
            return value[: min(limits)] if limits and isinstance(value, str) else value
        if origin in (Union, types.UnionType):
            return self(next(a for a in get_args(hint) if a is not type(None)))
        if origin is Literal:
            return get_args(hint)[0]
        if origin is list:
            return [self(get_args(hint)[0])]
        if origin is dict:
            return {}
        if isinstance(hint, type) and issubclass(hint, msgspec.Struct):
            return self.struct(hint)
        simple: dict[Any, Any] = {
            str: self.text, int: lambda: 1, bool: lambda: True, bytes: lambda: PNG,
            Decimal: lambda: Decimal("1.5"), dt.date: lambda: dt.date(2024, 1, 31),
            dt.datetime: lambda: dt.datetime(2024, 1, 31, 12, 0, 0), Any: self.text,
        }
        return simple[hint]()

    def struct(self, cls: type[msgspec.Struct]) -> msgspec.Struct:
        # What a request must hold is the struct's sent form (answers may leave anything out).
        form = sent_form(cls)
        hints = get_type_hints(form, include_extras=True)
        required = {f.name: self(hints[f.name]) for f in msgspec.structs.fields(form) if f.required}
        return cls(**required)


#: The smallest receipt image the SDK accepts: PNG by its first bytes.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def call_arguments(method: Any) -> tuple[list[Any], dict[str, Any]]:
    """Positional and keyword arguments for every parameter the method takes."""
    hints = get_type_hints(method, include_extras=True)
    fill = Placeholders()
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, param in inspect.signature(method).parameters.items():
        if name in ("max_items", "wire_format"):
            continue
        if name == "prefetch":
            kwargs[name] = 0
        elif name == "page_size":
            kwargs[name] = 1
        elif name in ("content_type", "image_type"):
            kwargs[name] = "image/png"
        elif param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            args.append(fill(hints[name]))
        else:
            kwargs[name] = fill(hints[name])
    return args, kwargs


def bound(client: ConcurClient, dotted: str) -> Any:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


async def invoke(method: Any, args: list[Any], kwargs: dict[str, Any]) -> None:
    result = method(*args, **kwargs)
    try:
        if inspect.isawaitable(result):
            await result
        else:
            await result.first_page()
    except ConcurError:
        pass  # the placeholder answer need not decode: the request is what is checked


def expected_query(op: dict[str, Any]) -> set[str]:
    names = {p["name"] for p in op["parameters"] if p["in"] == "query"}
    paging = op.get("paging") or {}
    if paging.get("style") == "v3":
        names.discard("offset")  # the first page has none; NextPage carries it after
    return names | set(op.get("fixed_query", {}))


@pytest.mark.parametrize(
    "row", [*inventory(), *({"method": m, "path": p} for m, p in sorted(beyond_seeds()))],
    ids=lambda r: f"{r['method']} {r['path']}",
)
async def test_the_method_sends_the_documented_request(row: dict[str, str]) -> None:
    key = (row["method"], row["path"])
    if key not in SERVED:
        pytest.fail(f"no method serves {row['method']} {row['path']}")
    op = SPEC[key]
    async with ConcurClient(auth=StaticToken("t0ken"), base_url=BASE) as client:
        method = bound(client, SERVED[key].name)
        args, kwargs = call_arguments(method)
        with aioresponses() as mocked:
            for verb in ("GET", "POST", "PUT", "DELETE"):
                mocked.add(re.compile(r".*"), method=verb, body=b"{}", repeat=True,
                           content_type="application/json")
            await invoke(method, args, kwargs)
            requests = [(verb, url) for (verb, url) in mocked.requests]
    assert len(requests) == 1, requests
    verb, url = requests[0]
    assert verb == row["method"]
    template = re.escape(row["path"])
    template = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", template)
    match = re.fullmatch(template, unquote(url.path))
    assert match, f"{url.path} does not fit {row['path']}"
    sent = [str(v) for v in (*args, *kwargs.values()) if isinstance(v, str)]
    for name, value in match.groupdict().items():
        assert value in sent, f"{{{name}}} was filled with {value!r}"
    assert set(url.query) == expected_query(op)
    call = mocked.requests[requests[0]][0]
    headers = {h.lower() for h in (call.kwargs.get("headers") or {})}
    for param in op["parameters"]:
        if param["in"] == "header":
            assert param["name"].lower() in headers, param["name"]


@pytest.mark.parametrize(
    "info",
    [i for i in concur_async.operations() if i.max_page_size is not None],
    ids=lambda i: i.name,
)
async def test_page_size_beyond_the_documented_maximum_is_refused(info: Any) -> None:
    async with ConcurClient(auth=StaticToken("t0ken"), base_url=BASE) as client:
        method = bound(client, info.name)
        args, kwargs = call_arguments(method)
        kwargs["page_size"] = info.max_page_size + 1
        with pytest.raises(ValidationError, match="exceeds the maximum"):
            method(*args, **kwargs)
