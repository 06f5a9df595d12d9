"""The examples' switch: CONCUR_* credentials in the environment send them to that Concur."""

from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from concur_async.testing import LocalConcur

from .conftest import EXAMPLES, local_env

pytestmark = pytest.mark.integration


async def test_credentials_in_the_environment_select_that_concur(tmp_path: Path) -> None:
    """A LocalConcur plays the remote Concur: the script must go there, not start its own."""
    async with LocalConcur(client_id="svc", client_secret="svc-secret") as remote:
        remote.state.seed("expense/reports", [
            {"ID": f"R{i}", "Name": f"Remote {i}", "LastModifiedDate": f"2025-0{i}-10T08:00:00"}
            for i in range(1, 5)
        ])
        async with aiohttp.ClientSession() as http, http.post(remote.token_url, data={
            "grant_type": "password", "client_id": "svc", "client_secret": "svc-secret",
            "username": "worker@example.com", "password": "pw",
        }) as answer:
            first_refresh_token = (await answer.json())["refresh_token"]
        token_file = tmp_path / "refresh-token"
        env = {**local_env(), "CONCUR_BASE_URL": remote.base_url, "CONCUR_CLIENT_ID": "svc",
               "CONCUR_CLIENT_SECRET": "svc-secret", "CONCUR_REFRESH_TOKEN": first_refresh_token,
               "CONCUR_REFRESH_TOKEN_FILE": str(token_file)}
        # Run without blocking this loop: the remote answers from it.
        process = await asyncio.create_subprocess_exec(
            sys.executable, str(EXAMPLES / "export_expense_reports.py"), "--since", "2025-02-01",
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode == 0, err.decode()
        assert remote.tokens.refreshed == 1
    assert [json.loads(line)["ID"] for line in out.splitlines()] == ["R2", "R3", "R4"]
    assert f"exporting from the Concur at {remote.base_url}" in err.decode()
    # Concur rotated the refresh token: the new one is kept, readable by its owner only.
    kept = token_file.read_text()
    assert kept
    assert kept != first_refresh_token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert first_refresh_token not in err.decode() + out.decode()


def test_partial_credentials_are_refused_by_name() -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "po_receipts.py")],
        capture_output=True, text=True, timeout=60, check=False,
        env={**local_env(), "CONCUR_CLIENT_ID": "svc"},
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(
        "error: CONCUR_CLIENT_SECRET is not set")  # one line naming it, no traceback
    assert "Traceback" not in done.stderr
    assert "LocalConcur at" not in done.stderr  # refused, not quietly run locally
