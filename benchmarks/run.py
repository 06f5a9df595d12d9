"""``python -m benchmarks``: every scenario, the SDK and its baselines side by side.

    python -m benchmarks                 # the full run (< 10 minutes on 2 cores)
    python -m benchmarks --quick         # a smoke run: small sizes, 1-2 rounds
    python -m benchmarks --only stream   # one scenario (or several: --only stream,codec)

LocalConcur runs in a child process pinned to one core and the harness to the other (where
the machine has two or more). Within a scenario the contenders run alternately, round after
round, so drift on the machine hits them alike; tables show the median with min - max over
the rounds. A full run of every scenario writes its tables to
``benchmarks/results/<date>.md``, ending with a summary of every goal line, and puts that
summary in the README and the docs (``python -m benchmarks.readme``, which a test checks).
``--quick`` and ``--only`` runs only print, unless ``--save`` names a file.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import concur_async

from . import readme
from ._measure import Report, summary
from ._server import CPUS, ServerProcess, pin_to
from .scenarios import bulk, calls, codec, cold, fanout, imports, memory, shared, storm, stream
from .scenarios._common import Context

__all__ = ["SCENARIOS", "main"]

SCENARIOS: dict[str, Callable[[Context], Report]] = {
    "stream": stream.run_stream,
    "cold": cold.run,
    "latency": stream.run_latency,
    "fanout": fanout.run,
    "bulk": bulk.run,
    "memory": memory.run,
    "codec": codec.run,
    "storm": storm.run,
    "shared": shared.run,
    "import": imports.run,
    "calls": calls.run,
}
RESULTS = Path(__file__).parent / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and 1-2 rounds: a smoke run (not saved)")
    parser.add_argument("--only", default="",
                        help=f"comma-separated scenarios: {', '.join(SCENARIOS)}")
    parser.add_argument("--repeats", type=int, default=5,
                        help="rounds for CPU-bound scenarios (default 5)")
    parser.add_argument("--slow-repeats", type=int, default=3,
                        help="rounds for latency-bound scenarios (default 3)")
    parser.add_argument("--save", default=None, metavar="PATH",
                        help="write the tables here (default: benchmarks/results/<date>.md "
                             "for a full run of every scenario; nothing for --quick or --only, "
                             "whose file would hide the other scenarios' latest figures)")
    return parser


def machine() -> str:
    cpus = os.cpu_count() or 0
    return (f"{cpus} CPUs ({len(CPUS)} usable), Python {platform.python_version()} "
            f"({platform.python_implementation()}), {platform.platform()}")


def _compile_bytecode() -> None:
    """Write the .pyc files an install would: with PYTHONDONTWRITEBYTECODE set (as on some CI
    machines) every fresh process of the cold, import and memory scenarios would otherwise
    compile the SDK from source, while aiohttp and msgspec load their installed bytecode."""
    for package in (Path(concur_async.__file__).parent, Path(__file__).parent):
        compileall.compile_dir(package, quiet=1)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()] or list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}",
              file=sys.stderr)
        return 2
    repeats = 2 if args.quick else args.repeats
    slow = 1 if args.quick else args.slow_repeats
    started = time.perf_counter()
    _compile_bytecode()
    harness_pinned = pin_to(0)
    with ServerProcess(vendors=0, payment_requests=2000, cpu=1) as server:
        ctx = Context(server, quick=args.quick, repeats=repeats, slow_repeats=slow)
        placement = ("LocalConcur pinned to its own core, the harness to another"
                     if server.pinned and harness_pinned else "not pinned (one usable core)")
        header = [
            f"# concur-async benchmarks — {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
            "",
            f"- machine: {machine()}",
            f"- {placement}; LocalConcur on {server.base_url} (a separate process)",
            f"- rounds: {repeats} (CPU-bound), {slow} (latency-bound); medians, min - max",
            "- the SDK and the harness compiled to bytecode before the run, as installing a "
            "package does, so fresh processes do not compile them again",
        ]
        if args.quick:
            header.append("- **--quick**: reduced sizes; numbers are a smoke test only")
        print("\n".join(header), flush=True)
        sections = []
        numbers = {name: place for place, name in enumerate(SCENARIOS, start=1)}
        for name in chosen:
            began = time.perf_counter()
            report = SCENARIOS[name](ctx)
            report.seconds = time.perf_counter() - began
            text = report.markdown(numbers[name])
            sections.append(text)
            print("\n" + text, flush=True)
        stats = server.stats()
        if stats["errors"]:
            sections.append(f"**LocalConcur handler errors: {stats['errors']}**")
    footer = [f"- skipped: {note}" for note in ctx.skipped]
    footer.append(f"- whole run: {time.perf_counter() - started:.0f} s")
    footer += ["", "### Summary: every goal of this run", "", summary("\n\n".join(sections))]
    print("\n" + "\n".join(footer))
    document = "\n".join(header) + "\n\n" + "\n\n".join(sections) + "\n\n" + "\n".join(footer)
    target = args.save or (None if args.quick or args.only else
                           str(RESULTS / f"{dt.datetime.now():%Y-%m-%d-%H%M}.md"))
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(document + "\n")
        print(f"saved {target}")
        if Path(target).resolve().parent == RESULTS.resolve():
            readme.main([])  # the newest run is the one the README and the docs show
    return 0


