"""One worker process of the many-process tests: pings for a while, then prints a JSON summary.

    python worker.py '{"base_url": ..., "redis_url": ... or null, "namespace": ..., ...}'
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from typing import Any

from concur_async import ConcurClient, ConcurError, RefreshTokenGrant, Token
from concur_async.redis import RedisCoordination


async def main(config: dict[str, Any]) -> dict[str, Any]:
    refreshed = 0

    async def on_token_refresh(token: Token) -> None:
        nonlocal refreshed
        refreshed += 1

    coordination = None
    if config["redis_url"]:
        coordination = RedisCoordination.from_url(
            config["redis_url"], namespace=config["namespace"],
            lock_timeout=config.get("lock_timeout", 15.0),
        )
    client = ConcurClient(
        auth=RefreshTokenGrant("client", "secret", "r0"), base_url=config["base_url"],
        requests_per_second=config.get("rps"), max_concurrency=config["concurrency"],
        on_token_refresh=on_token_refresh, coordination=coordination,
        user_agent=f"worker/{os.getpid()}",
    )
    ok = 0
    errors: list[str] = []
    async with client:
        await asyncio.sleep(max(0.0, config["start_at"] - time.time()))
        end = time.monotonic() + config["duration"]

        async def pinging() -> None:
            nonlocal ok
            while time.monotonic() < end and not errors:
                try:
                    await client.request("GET", "/api/ping")
                    ok += 1
                except ConcurError as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")

        await asyncio.gather(*(pinging() for _ in range(config["concurrency"])))
    return {"pid": os.getpid(), "ok": ok, "errors": errors, "refreshed": refreshed}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(json.loads(sys.argv[1])))))
