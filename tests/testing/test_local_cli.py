"""``python -m concur_async.testing serve``: prints its URL, serves, stops on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp


async def test_serve_prints_url_and_stops_on_interrupt() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "concur_async.testing", "serve", "--port", "0", "--vendors", "5",
        "--client-id", "cli", "--client-secret", "pw", "--payments", "3",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
        base_url = line.decode().strip()
        assert base_url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as session:
            form = {"grant_type": "client_credentials", "client_id": "cli", "client_secret": "pw"}
            async with session.post(f"{base_url}/oauth2/v0/token", data=form) as resp:
                assert resp.status == 200
                token = (await resp.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            async with session.get(f"{base_url}/api/v3.1/invoice/vendors", headers=headers) as r:
                assert (await r.json())["TotalCount"] == 5
            async with session.get(f"{base_url}/invoice/provider-payment/v4/payments",
                                   headers=headers) as r:
                assert len((await r.json())["payments"]) == 3
    finally:
        proc.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
    assert code == 0
    assert proc.stderr is not None
    assert b"test double" in await proc.stderr.read()
