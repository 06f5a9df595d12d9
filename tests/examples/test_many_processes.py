"""The many-process examples, run as their users would: real worker processes, a real Redis,
LocalConcur (in this test's process) as the Concur they share."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from collections import Counter

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
