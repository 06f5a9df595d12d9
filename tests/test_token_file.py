"""The refresh-token file keeps the geolocation and expiry Concur's docs ask to store, and still
reads the bare token earlier versions wrote."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from token_server import token_server

from concur_async import ConcurClient, ConfigurationError, RefreshTokenGrant
from concur_async._env import read_env

APP = {"CONCUR_CLIENT_ID": "app", "CONCUR_CLIENT_SECRET": "app-secret-77"}


def test_a_bare_refresh_token_written_by_an_earlier_version_is_still_read(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "refresh-token"
    kept.write_text("rt-from-an-old-run\n")
    env = {**APP, "CONCUR_REFRESH_TOKEN": "rt-env", "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
    assert read_env(env).grant == RefreshTokenGrant("app", "app-secret-77", "rt-from-an-old-run")


def test_a_stored_refresh_token_past_its_expiry_gives_way_to_the_variables(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "refresh-token"
    gone = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    kept.write_text(json.dumps({"refresh_token": "rt-spent", "refresh_expires_at": gone}))
    env = {**APP, "CONCUR_REFRESH_TOKEN": "rt-env", "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
    assert read_env(env).grant == RefreshTokenGrant("app", "app-secret-77", "rt-env")


def test_an_unreadable_token_file_is_named_without_repeating_its_content(
    tmp_path: Path,
) -> None:
    kept = tmp_path / "refresh-token"
    kept.write_text('{"refresh_token": "rt-SECRET-x", ')
    env = {**APP, "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
    with pytest.raises(ConfigurationError, match="not a refresh-token file") as info:
        read_env(env)
    assert "rt-SECRET" not in str(info.value)


async def test_the_next_run_refreshes_at_the_stored_geolocation(tmp_path: Path) -> None:
    kept = tmp_path / "refresh-token"
    async with token_server(prefix="emea") as emea, token_server() as home:
        emea.geolocation = emea.base
        emea.live_refresh.add("rt-stored")
        kept.write_text(json.dumps({"refresh_token": "rt-stored", "geolocation": emea.base,
                                    "refresh_expires_in": 1_900_000_000}))
        env = {**APP, "CONCUR_BASE_URL": home.base, "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
        async with ConcurClient.from_env(environ=env) as client:
            assert client.api_base_url == emea.base  # before any token: the stored one's
            assert await client.request("GET", "/api/x") == {"path": "/api/x"}
        # The refresh went where the token lives; the application's own data centre saw
        # nothing, and the rotation was written back with its geolocation.
        assert [f["refresh_token"] for f in emea.forms] == ["rt-stored"]
        assert home.forms == []
        assert home.api_calls == []
        stored = json.loads(kept.read_text())
    assert stored["refresh_token"] == "emea-rt-1"
    assert stored["geolocation"] == emea.base


async def test_a_stored_geolocation_outside_concur_is_refused_at_start(tmp_path: Path) -> None:
    kept = tmp_path / "refresh-token"
    kept.write_text(json.dumps({"refresh_token": "rt-x", "geolocation": "https://evil.example"}))
    env = {**APP, "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
    with pytest.raises(ConfigurationError, match="geolocation"):
        ConcurClient.from_env(environ=env)
