"""LocalConcur in its own process, pinned to its own core, steered through a control pipe.

The harness needs what ``python -m concur_async.testing serve`` cannot give from outside: the
latency, token lifetime and seeded data changed between scenarios without a restart, the
server's counters (token requests, requests, peak in-flight) read after a run, and tokens
expired on demand. So the child here starts the same ``LocalConcur``, prints its base URL on
the first line of standard output as the serve command does, and then answers one JSON
command per line on standard input with one JSON line on standard output. End of input (the
harness gone) stops it.

    python -m benchmarks._server --vendors 50000 --payment-requests 2000

Commands: ``{"op": "set", "latency_ms": 50, "token_lifetime": 3600, "vendors": 1000000,
"clear": ["invoice/purchaseorders"]}`` (every key optional), ``{"op": "stats"}``,
``{"op": "reset_stats"}``, ``{"op": "expire_tokens"}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
from types import TracebackType
from typing import Any

from concur_async.testing import LocalConcur

__all__ = ["CPUS", "ServerProcess", "pin_to"]


#: The cores this process may use, read before anything pins it to one of them.
CPUS = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []


def pin_to(cpu: int, pid: int = 0) -> bool:
    """Pin a process to one core where the machine has more than one; False otherwise."""
    cpus = CPUS
    if len(cpus) < 2:
        return False
    os.sched_setaffinity(pid, {cpus[cpu % len(cpus)]})
    return True


class ServerProcess:
    """The harness side: starts the child, sends commands, stops it."""

    def __init__(self, *, vendors: int = 0, payment_requests: int = 0, cpu: int = 1) -> None:
        self.vendors = vendors
        self.payment_requests = payment_requests
        self.cpu = cpu
        self.base_url = ""
        self.pinned = False
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._server", "--vendors", str(self.vendors),
             "--payment-requests", str(self.payment_requests)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
        )
        assert self._proc.stdout is not None
        self.base_url = self._proc.stdout.readline().strip()
        if not self.base_url.startswith("http://"):
            self.__exit__(None, None, None)
            raise RuntimeError("the LocalConcur child did not report its URL")
        self.pinned = pin_to(self.cpu, self._proc.pid)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            proc.stdin.close()  # end of input: the child stops by itself
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def command(self, op: str, **fields: Any) -> dict[str, Any]:
        proc = self._proc
        if proc is None or proc.stdin is None or proc.stdout is None:
            raise RuntimeError("the server is not running")
        proc.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        proc.stdin.flush()
        answer: dict[str, Any] = json.loads(proc.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"server command {op} failed: {answer['error']}")
        return answer

    def set(self, **fields: Any) -> None:
        self.command("set", **fields)

    def stats(self) -> dict[str, Any]:
        return self.command("stats")

    def reset_stats(self) -> None:
        self.command("reset_stats")


# -- the child --------------------------------------------------------------------------------


def _apply(concur: LocalConcur, command: dict[str, Any]) -> dict[str, Any]:
    op = command.get("op")
    if op == "set":
        if "latency_ms" in command:
            concur.latency_ms = float(command["latency_ms"])
        if "token_lifetime" in command:
            concur.tokens.lifetime = float(command["token_lifetime"])
        if "vendors" in command:
            concur.state.seed_vendors(int(command["vendors"]))
        for name in command.get("clear", ()):
            concur.state.collection(name).clear()
        if command.get("clear_write_log"):
            concur.state.write_log.clear()
        return {"ok": True}
    if op == "stats":
        stats = concur.stats
        return {"token_requests": stats.token_requests, "requests": stats.total,
                "max_in_flight": stats.max_in_flight, "statuses": dict(stats.statuses),
                "errors": len(concur.errors), "vendors": len(concur.state.vendors)}
    if op == "reset_stats":
        concur.stats.reset()
        return {"ok": True}
    if op == "expire_tokens":
        concur.tokens.expire_access_tokens()
        return {"ok": True}
    return {"error": f"unknown op {op!r}"}


async def _serve(vendors: int, payment_requests: int) -> None:
    async with LocalConcur(vendors=vendors) as concur:
        concur.state.seed_payment_requests(payment_requests)
        print(concur.base_url, flush=True)
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            try:
                answer = _apply(concur, json.loads(line))
            except Exception as exc:  # a bad command must reach the harness, not kill us
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._server")
    parser.add_argument("--vendors", type=int, default=0)
    parser.add_argument("--payment-requests", type=int, default=0)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.vendors, args.payment_requests))
    return 0


if __name__ == "__main__":
    sys.exit(main())
