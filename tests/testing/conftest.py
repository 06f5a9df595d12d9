"""Fixtures for testing LocalConcur itself, with a plain aiohttp client (no SDK)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from localconcur_helpers import bearer

from concur_async.testing import LocalConcur


@pytest.fixture
async def concur() -> AsyncIterator[LocalConcur]:
    async with LocalConcur() as server:
        yield server
    assert not server.errors, f"LocalConcur handlers failed: {server.errors!r}"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
async def headers(session: aiohttp.ClientSession, concur: LocalConcur) -> dict[str, str]:
    return await bearer(session, concur)
