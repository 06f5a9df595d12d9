"""Scenario: import time. ``import concur_async`` in a fresh interpreter, against
``import aiohttp, msgspec`` (what any client on that stack imports anyway).

Every sample is a new interpreter, so nothing is imported yet; the child times its own import
statement, in CPU time (what the import costs, whatever else the machine is doing) and in wall
time. Contenders alternate round after round and the goal is the median of the per-round
differences, so a slow stretch of the machine hits both sides of a pair.

Bytecode is cached for both sides alike (an installed package has its ``.pyc`` files; without
them every import compiles its source, which would measure the compiler, not the package): the
children write and read it under a temporary ``PYTHONPYCACHEPREFIX``, filled by a first round
that is not counted.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable

from .._measure import Goal, Report, Row, alternate
from ._common import Context

__all__ = ["run"]

SDK = "SDK: import concur_async"
BASE = "baseline: import aiohttp, msgspec"
FAMILY = "SDK: import, then client.invoice.vendors"
TARGET_MS = 30.0

_TIMED = """
import time
cpu, wall = time.process_time(), time.perf_counter()
{statement}
cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
print('{{"cpu": %r, "wall": %r}}' % (cpu * 1000, wall * 1000))
"""

_STATEMENTS = {
    SDK: "import concur_async",
    BASE: "import aiohttp, msgspec",
    # Not a goal: where the families' cost went (the first use of one pays for it).
    FAMILY: "import concur_async\n"
            "concur_async.ConcurClient(auth=concur_async.StaticToken('t'),"
            " base_url='http://127.0.0.1').invoice.vendors",
}


def _child(statement: str, env: dict[str, str], walls: list[float]) -> Callable[[], float]:
    code = _TIMED.format(statement=statement)

    def measure() -> float:
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True).stdout
        times = json.loads(out.strip().splitlines()[-1])
        walls.append(float(times["wall"]))
        return float(times["cpu"])

    return measure


def run(ctx: Context) -> Report:
    rounds = ctx.scale(21, 3)
    with tempfile.TemporaryDirectory(prefix="concur-bench-pyc-") as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        walls: dict[str, list[float]] = {name: [] for name in _STATEMENTS}
        contenders = {name: _child(statement, env, walls[name])
                      for name, statement in _STATEMENTS.items()}
        for measure in contenders.values():
            measure()  # writes the bytecode; not counted
        for values in walls.values():
            values.clear()
        samples = alternate(contenders, rounds)
    report = Report(
        "import",
        "Import time: a fresh interpreter per sample (ms of CPU for the import statement)",
        [Row(name, "ms CPU", values, higher=False) for name, values in samples.items()],
        reference=BASE, ratio_label="baseline faster by",
    )
    differences = [sdk - base for sdk, base in zip(samples[SDK], samples[BASE], strict=True)]
    wall_differences = [sdk - base for sdk, base in zip(walls[SDK], walls[BASE], strict=True)]
    report.goals.append(Goal("import concur_async minus import aiohttp, msgspec (ms CPU, "
                             "median of per-round differences)",
                             statistics.median(differences), TARGET_MS, at_least=False))
    report.notes.append(
        f"per-round difference, ms CPU: min {min(differences):.1f}, max "
        f"{max(differences):.1f}; in wall time: median "
        f"{statistics.median(wall_differences):.1f} (min {min(wall_differences):.1f}, max "
        f"{max(wall_differences):.1f})")
    report.notes.append(
        "API families, the paginator, the operation catalog, XML (lxml) and the optional "
        "parts (redis, cli, fastapi, testing, bulk, export) import on first use; the third "
        "row shows what the first use of one family adds")
    return report
