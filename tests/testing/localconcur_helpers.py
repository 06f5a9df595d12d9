"""Helpers for the LocalConcur tests: token requests with a plain aiohttp client."""

from __future__ import annotations

from typing import Any

import aiohttp

from concur_async.testing import LocalConcur


async def grant(
    session: aiohttp.ClientSession, server: LocalConcur, **form: str
) -> tuple[int, dict[str, Any]]:
    """POST the token endpoint; (status, JSON answer)."""
    fields = {"grant_type": "client_credentials", "client_id": "local", "client_secret": "local"}
    fields.update(form)
    async with session.post(server.token_url, data=fields) as resp:
        return resp.status, await resp.json()


async def bearer(
    session: aiohttp.ClientSession, server: LocalConcur, **form: str
) -> dict[str, str]:
    """Headers carrying a fresh access token, asking for JSON."""
    status, answer = await grant(session, server, **form)
    assert status == 200, answer
    return {"Authorization": f"Bearer {answer['access_token']}", "Accept": "application/json"}
