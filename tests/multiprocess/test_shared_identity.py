"""Real OS processes sharing one Concur identity through a real Redis (issue 14).

Each test starts 4-6 worker processes (worker.py) against one RotatingConcur that rotates
refresh tokens as Concur does and records every request, and judges by what that server saw.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from servers import loopback_server

from concur_async.testing import RedisServer

from .rotating_server import RotatingConcur

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

WORKER = Path(__file__).with_name("worker.py")


@dataclass
class Finished:
    pid: int
    returncode: int | None
    summary: dict[str, Any] | None
    stderr: str


async def run_workers(
    server: RotatingConcur,
    count: int,
    *,
    redis: RedisServer | None,
    duration: float,
    concurrency: int = 2,
    during: Callable[[], Awaitable[None]] | None = None,
    **options: Any,
) -> list[Finished]:
    """``count`` workers pinging ``server`` for ``duration`` seconds from one instant on."""
    async with loopback_server(server.handle) as url:
        config = {
            "base_url": url, "redis_url": redis.url if redis else None,
            "namespace": f"test-{uuid.uuid4().hex[:8]}", "duration": duration,
            "concurrency": concurrency,
            # Far enough ahead for every process to have started on a busy machine.
            "start_at": time.time() + 2.5, **options,
        }
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable, str(WORKER), json.dumps(config),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(count)
        ]
        if during is not None:
            await during()
        outputs = await asyncio.gather(*(p.communicate() for p in processes))
    return [
        Finished(p.pid, p.returncode, json.loads(out) if out.strip() else None, err.decode())
        for p, (out, err) in zip(processes, outputs, strict=True)
    ]


def assert_all_succeeded(finished: list[Finished]) -> None:
    for worker in finished:
        assert worker.returncode == 0, worker.stderr
        assert worker.summary is not None
        assert worker.summary["errors"] == [], worker.summary
        assert worker.summary["ok"] > 0


async def test_processes_share_one_token_rotation_and_one_rate_budget(
    redis_server: RedisServer,
) -> None:
    lifetime, budget, duration = 3.0, 40, 5.0
    server = RotatingConcur(lifetime=lifetime)
    finished = await run_workers(server, 6, redis=redis_server, duration=duration, rps=budget,
                                 concurrency=3)
    assert_all_succeeded(finished)
    requests = server.token_requests
    # Every token request rotated: nobody ever sent a spent refresh token.
    assert [r.outcome for r in requests] == ["rotated"] * len(requests)
    # One token request per expiry, not per process: the first, then one each time the
    # token ran out (a lifetime this short is used until its 401), never two close together.
    gaps = [b.at - a.at for a, b in itertools.pairwise(requests)]
    assert all(gap >= 0.9 * lifetime - 0.1 for gap in gaps), gaps
    pings = [p for p in server.pings if p.status == 200]
    span = pings[-1].at - pings[0].at
    assert 2 <= len(requests) <= 2 + span / (0.9 * lifetime)
    # on_token_refresh fired once per rotation across all the processes.
    assert sum(w.summary["refreshed"] for w in finished if w.summary) == len(requests)
    # The six processes together kept to the one budget (plus its one-second burst) in every
    # two-second window, and used it. A request is booked on Redis's clock and counted on
    # arrival here: a tenth of a second of jitter between the two is allowed for.
    times = [p.at for p in pings]
    for i, start in enumerate(times):
        in_window = sum(1 for t in times[i:] if t < start + 2.0)
        assert in_window <= budget * (2 + 0.1) + budget, (start - times[0], in_window)
    assert len(pings) >= 0.5 * budget * span
    assert len({p.pid for p in pings}) == 6


async def test_without_coordination_the_processes_lock_each_other_out() -> None:
    # The same run with no Redis: each process refreshes with the grant's refresh token, the
    # first rotates it, and every other one gets invalid_grant. This is what the test above
    # proves does not happen, and shows that it could fail.
    server = RotatingConcur(lifetime=3.0)
    finished = await run_workers(server, 4, redis=None, duration=1.0)
    assert len(server.outcomes("invalid_grant")) >= 3
    locked_out = [w for w in finished if w.summary and w.summary["errors"]]
    assert len(locked_out) >= 3
    assert all("invalid_grant" in w.summary["errors"][0] for w in locked_out if w.summary)


async def _paused_window(redis: RedisServer | None) -> tuple[RotatingConcur, float]:
    server = RotatingConcur(lifetime=30.0, rotate=False, throttle_at=80, retry_after=2.0)
    finished = await run_workers(server, 4, redis=redis, duration=3.5)
    assert all(w.returncode == 0 for w in finished), [w.stderr for w in finished]
    (refused,) = [p for p in server.pings if p.status == 429]
    return server, refused.at


async def test_a_429_seen_by_one_process_pauses_all_of_them(redis_server: RedisServer) -> None:
    server, refused_at = await _paused_window(redis_server)
    # Requests already past the gate may land just after the 429 (half a second allows for a
    # busy machine); then nobody sends anything until the Retry-After has passed, and
    # afterwards every process carries on.
    held = [p for p in server.pings if refused_at + 0.5 < p.at < refused_at + 1.9]
    assert held == []
    after = {p.pid for p in server.pings if p.at >= refused_at + 1.9}
    assert len(after) == 4


async def test_without_coordination_a_429_pauses_only_the_process_that_saw_it() -> None:
    server, refused_at = await _paused_window(None)
    refused_pid = next(p.pid for p in server.pings if p.status == 429)
    others = [p for p in server.pings if refused_at + 0.5 < p.at < refused_at + 1.9]
    assert others
    assert refused_pid not in {p.pid for p in others}


async def test_a_refresher_killed_mid_refresh_does_not_lock_the_namespace_out(
    redis_server: RedisServer,
) -> None:
    # The second token request (the first rotation after the initial grant) is held until
    # its sender is killed; Concur never processed it, so the stored refresh token still
    # works once the dead holder's lock lapses.
    server = RotatingConcur(lifetime=2.0, stall_refresh=2)
    killed_at = 0.0

    async def kill_the_refresher() -> None:
        nonlocal killed_at
        await asyncio.wait_for(server.stalled.wait(), 20)
        os.kill(server.stalled_pid, signal.SIGKILL)
        killed_at = time.monotonic()

    finished = await run_workers(server, 4, redis=redis_server, duration=5.0, lock_timeout=1.0,
                                 during=kill_the_refresher)
    (killed,) = [w for w in finished if w.pid == server.stalled_pid]
    assert killed.returncode == -signal.SIGKILL
    survivors = [w for w in finished if w is not killed]
    assert_all_succeeded(survivors)
    assert [r.outcome for r in server.token_requests[:3]] == ["rotated", "abandoned", "rotated"]
    assert server.outcomes("invalid_grant") == []
    recovered = server.outcomes("rotated")[1].at - killed_at
    assert recovered < 1.0 + 0.5  # within the lock timeout (and a poll)
    assert {p.pid for p in server.pings if p.at > killed_at and p.status == 200} == {
        w.pid for w in survivors
    }
