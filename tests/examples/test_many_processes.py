"""The many-process examples, run as their users would: real worker processes, a real Redis,
LocalConcur (in this test's process) as the Concur they share."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import socket
import sys
import time
from collections import Counter

import aiohttp
import pytest

from concur_async.testing import LocalConcur, RedisServer

from .conftest import EXAMPLES, local_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]


async def test_arq_workers_share_each_companys_identity(redis_server: RedisServer) -> None:
    companies, chunks, vendors = ["acme", "globex", "initech"], 3, 120
    async with LocalConcur() as concur:
        env = {**local_env(), "REDIS_URL": redis_server.url, "CONCUR_BASE_URL": concur.base_url}
        workers = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "arq", "arq_vendor_sync.WorkerSettings", cwd=EXAMPLES,
                env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]
        try:
            queue = await asyncio.create_subprocess_exec(
                sys.executable, "arq_vendor_sync.py", "--companies", ",".join(companies),
                "--chunks", str(chunks), "--vendors", str(vendors), "--timeout", "60",
                cwd=EXAMPLES, env=env, stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, err = await queue.communicate()
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)  # arq shuts down: clients closed
            logs = [(await w.communicate())[1].decode() for w in workers]
        assert queue.returncode == 0, err.decode() + "\n".join(logs)
        results = [json.loads(line) for line in out.decode().splitlines()]
        assert len(results) == len(companies) * chunks
        created = Counter()
        for result in results:
            created[result["company"]] += result["created"]
            assert result["failed"] == 0
        assert created == dict.fromkeys(companies, vendors)
        # The chunks ran on more than one worker, in parallel ...
        assert len({r["worker"] for r in results}) >= 2
        # ... yet each company's identity was signed in once, not once per worker.
        assert concur.tokens.issued == len(companies)
        assert concur.errors == []
        assert all(w.returncode == 0 for w in workers), logs


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_uvicorn_workers_share_one_identity(redis_server: RedisServer) -> None:
    lifetime, duration = 4.0, 4.0
    async with LocalConcur(vendors=200, token_lifetime=lifetime) as concur:
        port = _free_port()
        env = {**local_env(), "CONCUR_BASE_URL": concur.base_url, "CONCUR_CLIENT_ID": "app",
               "CONCUR_CLIENT_SECRET": "s", "CONCUR_REFRESH_TOKEN": "r-start",
               "CONCUR_REDIS_URL": redis_server.url,
               "CONCUR_REDIS_NAMESPACE": f"acme-{port}", "CONCUR_REQUESTS_PER_SECOND": "40"}
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", "--workers", "4", "--app-dir", str(EXAMPLES),
            "fastapi_workers:app", "--host", "127.0.0.1", "--port", str(port),
            env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        url = f"http://127.0.0.1:{port}"
        statuses: Counter[int] = Counter()
        workers: set[int] = set()
        try:
            # A new connection per request, so the kernel spreads them over the workers.
            connector = aiohttp.TCPConnector(force_close=True)
            async with aiohttp.ClientSession(
                connector=connector, timeout=aiohttp.ClientTimeout(total=15)
            ) as http:
                for _ in range(300):  # up to 30 s for four workers to start on a busy machine
                    with contextlib.suppress(aiohttp.ClientError):
                        async with http.get(f"{url}/worker") as resp:
                            if resp.status == 200:
                                break
                    await asyncio.sleep(0.1)
                started = time.monotonic()

                async def calls() -> None:
                    while time.monotonic() - started < duration:
                        async with http.get(f"{url}/vendors", params={"name": "Vendor"}) as r:
                            statuses[r.status] += 1
                        async with http.get(f"{url}/worker") as r:
                            statuses[r.status] += 1
                            if r.status == 200:
                                workers.add((await r.json())["pid"])

                await asyncio.gather(*(calls() for _ in range(6)))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                _, err = await asyncio.wait_for(server.communicate(), 30)
            except TimeoutError:
                server.kill()
                raise
        assert set(statuses) == {200}, err.decode()[-2000:]
        assert statuses[200] > 20
        assert len(workers) >= 2
        # One sign-in and then one refresh per expiry for all four workers together; on their
        # own, each worker would sign in, and all but one would be refused (invalid_grant).
        assert 1 <= concur.tokens.issued <= 2 + duration / lifetime
        assert concur.errors == []
