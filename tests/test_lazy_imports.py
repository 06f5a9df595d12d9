"""``import concur_async`` imports what a call needs and nothing more; every public name still
resolves, whether imported eagerly or on first use."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

import concur_async
from concur_async._client import ConcurClient, _Family

#: Modules whose import runs something (the command line), not a library to walk.
_ENTRY_POINTS = {"concur_async.__main__", "concur_async.testing.__main__"}


def _modules() -> list[str]:
    names = ["concur_async"]
    for info in pkgutil.walk_packages(concur_async.__path__, "concur_async."):
        if info.name not in _ENTRY_POINTS:
            names.append(info.name)
    return names


@pytest.mark.parametrize("module", _modules())
def test_every_name_in_all_resolves(module: str) -> None:
    mod = importlib.import_module(module)
    exported = getattr(mod, "__all__", [])
    missing = [name for name in exported if not hasattr(mod, name)]
    assert missing == [], f"{module}.__all__ names what it does not hold: {missing}"


def test_lazy_names_are_listed_and_resolve_to_their_modules() -> None:
    from concur_async._catalog import operations
    from concur_async._paging import AsyncPaginator

    assert concur_async.AsyncPaginator is AsyncPaginator
    assert concur_async.operations is operations
    assert set(concur_async.__all__) <= set(dir(concur_async))
    with pytest.raises(AttributeError, match="no_such_name"):
        concur_async.no_such_name  # noqa: B018


def _imported_by(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return set(json.loads(out))


def test_import_leaves_optional_parts_and_families_unimported() -> None:
    loaded = _imported_by("import concur_async")
    families = {f"concur_async.{name}" for name in _Family.names(ConcurClient)}
    assert families, "the client lists no API families"
    optional = {
        "lxml", "redis", "aiolimiter", "click", "typer", "rich", "fastapi", "starlette",
        "concur_async.cli", "concur_async.bulk", "concur_async.testing", "concur_async.export",
        "concur_async.fastapi", "concur_async.redis", "concur_async._codec.xml",
        "concur_async._catalog", "concur_async._paging", "concur_async._resource",
        "concur_async._env",
    }
    unwanted = families | optional
    # A package counts with its submodules: concur_async.invoice.vendors is a family module.
    found = sorted(name for name in loaded
                   if name in unwanted or name.split(".")[0] in unwanted
                   or ".".join(name.split(".")[:2]) in unwanted)
    assert found == []


def test_first_use_imports_what_it_needs() -> None:
    loaded = _imported_by(
        "import concur_async\n"
        "client = concur_async.ConcurClient(auth=concur_async.StaticToken('t'),"
        " base_url='http://127.0.0.1')\n"
        "client.invoice.vendors\n"
        "concur_async.AsyncPaginator\n"
    )
    assert {"concur_async.invoice", "concur_async.invoice.vendors",
            "concur_async._paging"} <= loaded
    assert "concur_async.expense" not in loaded
