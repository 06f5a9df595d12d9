"""What the generator promises about the code it writes (issue 15 part 3, issue 16 part 1).

Covered: every client attribute the wiring names serves that class, and a bare attribute is
the newest version of its API; fields are declared in wire order; no struct is defined twice
alike across the generated modules (shared ones come from ``concur_async.shared`` and are
still importable where they were); identical Post/Put bodies are one struct; the families'
``__init__`` modules and the catalog follow the layout; docstrings speak the SDK's names.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections import defaultdict

import msgspec

import concur_async
from concur_async import ConcurClient, StaticToken
from concur_async.expense.entries import EntryPost, EntryPut
from concur_async.invoice.purchase_orders import LineItem
from tools import generate
from tools._layout import FAMILIES, MODULES

_VERSION = re.compile(r"_v(\d+)_(\d+)$")


def _client() -> ConcurClient:
    return ConcurClient(auth=StaticToken("t0ken"), base_url="http://127.0.0.1:9")


def test_the_wiring_names_what_the_client_serves_and_bare_names_are_newest() -> None:
    client = _client()
    by_api: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for family, attribute, path in generate.wiring():
        module, cls = path.rsplit(".", 1)
        resource = getattr(getattr(client, family), attribute)
        assert type(resource) is getattr(importlib.import_module(module), cls), path
        ops = [op for _, op in inspect.getmembers(type(resource))
               if hasattr(op, "__concur_operation__")]
        version = ops[0].__concur_operation__.version
        by_api[family, _VERSION.sub("", attribute)].append((attribute, version))
        # Module, attribute and class carry the version alike, or none of them does.
        assert module == f"concur_async.{family}.{attribute}"
        suffix = _VERSION.search(attribute)
        if suffix:
            assert cls.endswith(f"V{suffix.group(1)}{suffix.group(2)}"), (attribute, cls)
    for (family, bare), versions in by_api.items():
        if len(versions) < 2:
            continue
        newest = max(versions, key=lambda v: tuple(int(n) for n in re.findall(r"\d+", v[1])))
        assert newest[0] == bare, versions
        bare_class = next(p for f, a, p in generate.wiring() if (f, a) == (family, bare))
        assert not re.search(r"V\d+$", bare_class), bare_class
        for attribute, version in versions:
            if attribute != bare:
                assert attribute.endswith("_" + version.replace(".", "_")), (attribute, version)


def test_fields_are_declared_in_wire_order() -> None:
    names = [f.encode_name for f in msgspec.structs.fields(LineItem)]
    customs = [n for n in names if n.startswith("Custom")]
    assert customs == [f"Custom{i}" for i in range(1, len(customs) + 1)]


def test_no_struct_is_defined_twice_alike_and_shared_ones_stay_importable() -> None:
    seen: dict[tuple[str, str], str] = {}
    for key in MODULES:
        module = importlib.import_module(f"concur_async.{key}")
        for name, obj in vars(module).items():
            if not (isinstance(obj, type) and issubclass(obj, msgspec.Struct)):
                continue
            if obj.__module__ != module.__name__:
                continue  # imported: a base, the API's models module, or the shared module
            fields = repr([(f.encode_name, f.type) for f in msgspec.structs.fields(obj)])
            twin = seen.setdefault((name, fields), module.__name__)
            assert twin == module.__name__, f"{name} is defined alike in {twin} and {module}"
    from concur_async.expense.entries import CreateResponse
    from concur_async.shared import CreateResponse as Shared

    assert CreateResponse is Shared


def test_identical_post_and_put_bodies_are_one_struct() -> None:
    assert EntryPut is EntryPost


def test_families_and_catalog_follow_the_layout() -> None:
    client = _client()
    for family in FAMILIES:
        instance = getattr(client, family.name)
        assert type(instance).__name__ == family.cls
        attributes = {m.attribute for m in MODULES.values() if m.family == family.name}
        assert attributes <= set(vars(instance))
    assert {op.name.split(".")[0] for op in concur_async.operations()} == {
        f.name for f in FAMILIES
    }


def test_docstrings_speak_the_sdks_names() -> None:
    for key in MODULES:
        source = inspect.getsource(importlib.import_module(f"concur_async.{key}"))
        assert "in the seeds" not in source, key
