"""What every scenario shares: the run's context, an SDK client, and timing helpers."""

from __future__ import annotations

import asyncio
import importlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, TypeVar

from concur_async import ClientCredentialsGrant, ConcurClient

from .._server import ServerProcess

__all__ = ["Context", "baseline", "sdk_client", "timed", "timed_async"]

T = TypeVar("T")


@dataclass
class Context:
    """The running server and how hard to work: ``repeats`` for CPU-bound scenarios,
    ``slow_repeats`` for those whose time is the server's added latency."""

    server: ServerProcess
    quick: bool = False
    repeats: int = 5
    slow_repeats: int = 3
    skipped: list[str] = field(default_factory=list)

    def scale(self, full: int, quick: int) -> int:
        return quick if self.quick else full


def sdk_client(base_url: str, **options: Any) -> ConcurClient:
    """A client as an application would build it (client-credentials grant)."""
    return ConcurClient(
        base_url=base_url,
        auth=ClientCredentialsGrant(client_id="local", client_secret="local"),
        **options,
    )


def baseline(ctx: Context, module: str) -> ModuleType | None:
    """A baseline module, or None (noted in the run) when its library is not installed."""
    try:
        return importlib.import_module(f"benchmarks.baselines.{module}")
    except ImportError as exc:
        note = f"baseline {module} skipped: {exc.name} is not installed (pip install -e '.[bench]')"
        if note not in ctx.skipped:
            ctx.skipped.append(note)
        return None


def timed(fn: Callable[[], int]) -> float:
    """Units per second of ``fn`` (which returns how many units it handled)."""
    started = time.perf_counter()
    count = fn()
    return count / (time.perf_counter() - started)


def timed_async(make: Callable[[], Awaitable[T]]) -> T:
    """Run one measurement's coroutine on a fresh event loop."""
    return asyncio.run(make())  # type: ignore[arg-type]
