"""Generate the resource modules from the spec in ``spec/``.

    python -m tools.generate [--out DIR] [--check]

Each module holds one Concur API (or one resource of a large one, with the API's structs in a
shared ``models`` module): its structs first, then a ``Resource`` with one method per
operation. ``--check`` writes nothing and fails if the committed modules differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ._families import render_families
from ._layout import MODULES, OPERATIONS, Module
from ._render import HEADER, ModuleSource, plan_api, render_api
from ._shared import find_shared, render_shared
from .seedspec import SPEC_DIR, load_specs

__all__ = ["PACKAGE", "generate", "main", "wiring"]

PACKAGE = Path(__file__).resolve().parent.parent / "concur_async"


def generate(spec_dir: Path = SPEC_DIR) -> list[ModuleSource]:
    specs = load_specs(spec_dir)
    by_spec: dict[str, list[Module]] = {}
    for module in MODULES.values():
        by_spec.setdefault(module.spec, []).append(module)
    routes = {f"{op['method']} {op['path']}" for s in specs.values() for op in s["operations"]}
    unknown = sorted(set(OPERATIONS) - routes)
    if unknown:
        raise ValueError(f"the layout places operations the spec lacks: {unknown}")
    plans = [plan_api(name, specs[name], modules) for name, modules in by_spec.items()]
    shared = find_shared(plans)
    sources: list[ModuleSource] = []
    for plan in plans:
        sources += render_api(plan, shared[plan.name])
    return [*sources, render_shared(plans, shared), *render_families()]


def wiring() -> list[tuple[str, str, str]]:
    """(family, client attribute, Resource class path) for every generated resource."""
    return [
        (m.family, m.attribute, f"concur_async.{m.family}.{m.name}.{m.resource}")
        for m in MODULES.values()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate", description=__doc__)
    parser.add_argument("--out", type=Path, default=PACKAGE)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--wiring", action="store_true", help="print the client wiring")
    args = parser.parse_args(argv)
    if args.wiring:
        for family, attribute, resource in wiring():
            print(f"{family}\t{attribute}\t{resource}")
        return 0
    stale = []
    sources = generate()
    for leftover in _generated(args.out) - {s.path for s in sources}:
        # A module the layout no longer places (renamed or merged): the generator wrote it.
        if args.check:
            stale.append(leftover)
        else:
            (args.out / leftover).unlink()
    for source in sources:
        target = args.out / source.path
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != source.text:
                stale.append(source.path)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source.text, encoding="utf-8")
    if stale:
        print("out of date (run python -m tools.generate):", *stale, sep="\n  ")
        return 1
    return 0


def _generated(root: Path) -> set[str]:
    marker = HEADER.split("{", 1)[0]
    return {str(p.relative_to(root)) for p in root.rglob("*.py")
            if marker in p.read_text(encoding="utf-8")[:600]}


if __name__ == "__main__":
    sys.exit(main())
