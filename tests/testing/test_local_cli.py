"""``python -m concur_async.testing serve``: prints its URL, serves, stops on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

import aiohttp
import pytest

from concur_async import AuthenticationError, ConcurClient, PasswordGrant, RefreshTokenGrant
from concur_async.testing import LocalConcur


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


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path)}


async def _serve(*args: str) -> tuple[asyncio.subprocess.Process, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "concur_async.testing", "serve", "--port", "0", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=_env(),
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), timeout=20)
    return proc, line.decode().strip()


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(proc.wait(), timeout=20) == 0


async def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    async with LocalConcur() as taken:
        done = subprocess.run(
            [sys.executable, "-m", "concur_async.testing", "serve", "--port", str(taken.port)],
            capture_output=True, text=True, timeout=30, env=_env(), check=False,
        )
    assert done.returncode == 2
    assert done.stderr.strip() == (f"error: cannot listen on 127.0.0.1:{taken.port}: the port "
                                   "is in use (--port 0 picks a free one)")
    bad = subprocess.run(
        [sys.executable, "-m", "concur_async.testing", "serve", "--username", "solo"],
        capture_output=True, text=True, timeout=30, env=_env(), check=False,
    )
    assert (bad.returncode, bad.stderr.strip()) == (
        2, "error: --username and --password go together")


async def test_serve_seeds_every_collection_and_requires_the_user_given() -> None:
    proc, base_url = await _serve(
        "--reports", "7", "--purchase-orders", "3", "--list-items", "4", "--vendors", "2",
        "--username", "ap@example.com", "--password", "pw-1")
    try:
        grant = PasswordGrant(client_id="any", client_secret="any", username="ap@example.com",
                              password="pw-1")
        async with ConcurClient(base_url=base_url, auth=grant) as client:
            reports = [r async for r in client.expense.reports.list()]
            assert len(reports) == 7
            order = await client.invoice.purchase_orders.get(id="PO00002")
            assert [line.external_id for line in order.line_item or []] == [
                "PO00002-1", "PO00002-2"]
            [listed] = [x async for x in client.common.lists.list()]
            assert listed.name == "LocalConcur list"
            items = [i async for i in client.common.list_items.list(list_id=listed.id)]
            assert [i.level1_code for i in items] == [f"ITEM{n:05d}" for n in range(4)]
        wrong = PasswordGrant(client_id="any", client_secret="any", username="ap@example.com",
                              password="guess")
        async with ConcurClient(base_url=base_url, auth=wrong) as client:
            with pytest.raises(AuthenticationError):
                await client.invoice.vendors.list().first_page()
        # A made-up refresh token is accepted even so: it starts a grant.
        made_up = RefreshTokenGrant("any", "any", "made-up-refresh-token")
        async with ConcurClient(base_url=base_url, auth=made_up) as client:
            assert len([v async for v in client.invoice.vendors.list()]) == 2
    finally:
        await _stop(proc)
