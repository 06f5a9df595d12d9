"""ConcurClient.from_env: the one place CONCUR_* variables are read, and what each gives."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from concur_async import (
    ConcurClient,
    ConfigurationError,
    PasswordGrant,
    RefreshTokenGrant,
    StaticToken,
    credentials_in_env,
)
from concur_async._env import read_env
from concur_async.testing import LocalConcur

PACKAGE = Path(__file__).resolve().parents[1] / "concur_async"
BASE = {"CONCUR_CLIENT_ID": "app", "CONCUR_CLIENT_SECRET": "app-secret-5d1"}


def test_a_refresh_token_in_the_environment_makes_a_refresh_token_grant() -> None:
    env = {**BASE, "CONCUR_REFRESH_TOKEN": "rt-1", "CONCUR_BASE_URL": "https://eu2.example.com",
           "CONCUR_TOKEN_URL": "https://glz.example.com/oauth2/v0/token"}
    client = ConcurClient.from_env(environ=env, max_concurrency=4)
    assert read_env(env).grant == RefreshTokenGrant("app", "app-secret-5d1", "rt-1")
    assert client.base_url == "https://eu2.example.com"
    assert client.token_url == "https://glz.example.com/oauth2/v0/token"


def test_username_and_password_make_a_password_grant_with_its_credtype() -> None:
    env = {**BASE, "CONCUR_USERNAME": "ap@example.com", "CONCUR_PASSWORD": "pw-77"}
    assert read_env(env).grant == PasswordGrant(
        client_id="app", client_secret="app-secret-5d1", username="ap@example.com",
        password="pw-77")
    company = read_env({**env, "CONCUR_CREDTYPE": "authtoken"}).grant
    assert isinstance(company, PasswordGrant)
    assert company.credtype == "authtoken"
    with pytest.raises(ConfigurationError, match="CONCUR_CREDTYPE"):
        ConcurClient.from_env(environ={**env, "CONCUR_CREDTYPE": "sso"})


def test_an_access_token_alone_is_used_as_is() -> None:
    client = ConcurClient.from_env(environ={"CONCUR_ACCESS_TOKEN": "at-9"})
    assert read_env({"CONCUR_ACCESS_TOKEN": "at-9"}).grant == StaticToken("at-9")
    assert client.base_url == "https://us.api.concursolutions.com"


def test_keywords_win_over_the_variables() -> None:
    env = {**BASE, "CONCUR_REFRESH_TOKEN": "rt-env", "CONCUR_BASE_URL": "https://a.example.com"}
    client = ConcurClient.from_env(environ=env, client_id="kw", refresh_token="rt-kw",
                                   base_url="https://b.example.com")
    assert client.base_url == "https://b.example.com"
    assert read_env(env, client_id="kw", refresh_token="rt-kw").grant == RefreshTokenGrant(
        "kw", "app-secret-5d1", "rt-kw")
    # Keywords alone are enough: nothing from the environment is needed.
    alone = read_env({}, client_id="c", client_secret="s", username="u", password="p")
    assert isinstance(alone.grant, PasswordGrant)
    ConcurClient.from_env(environ={}, client_id="c", client_secret="s", username="u",
                          password="p")


@pytest.mark.parametrize(("env", "named"), [
    ({}, "missing credentials: set CONCUR_CLIENT_ID and CONCUR_CLIENT_SECRET"),
    ({"CONCUR_CLIENT_SECRET": "s", "CONCUR_REFRESH_TOKEN": "r"}, "CONCUR_CLIENT_ID is not set"),
    ({"CONCUR_CLIENT_ID": "c", "CONCUR_REFRESH_TOKEN": "r"}, "CONCUR_CLIENT_SECRET is not set"),
    (BASE, "CONCUR_REFRESH_TOKEN (or CONCUR_USERNAME) is not set"),
    ({**BASE, "CONCUR_USERNAME": "u"}, "CONCUR_PASSWORD is not set"),
    ({**BASE, "CONCUR_PASSWORD": "p-secret"}, "CONCUR_USERNAME is not set"),
])
def test_a_missing_variable_is_named_in_one_error(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        ConcurClient.from_env(environ=env)
    assert str(refused.value).startswith(named)
    assert "\n" not in str(refused.value)
    for secret in ("app-secret-5d1", "p-secret"):
        assert secret not in str(refused.value)


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CONCUR_")]:
        monkeypatch.delenv(name)
    for name, value in {**BASE, "CONCUR_REFRESH_TOKEN": "rt-proc"}.items():
        monkeypatch.setenv(name, value)
    assert credentials_in_env()
    assert read_env().grant == RefreshTokenGrant("app", "app-secret-5d1", "rt-proc")
    assert ConcurClient.from_env().base_url == "https://us.api.concursolutions.com"
    assert not credentials_in_env({"CONCUR_BASE_URL": "http://127.0.0.1:1", "HOME": "/"})


async def test_the_refresh_token_file_is_read_first_and_keeps_each_rotation(
    tmp_path: Path,
) -> None:
    async with LocalConcur(vendors=3) as concur:
        kept = tmp_path / "refresh-token"
        env = {**BASE, "CONCUR_BASE_URL": concur.base_url, "CONCUR_USERNAME": "ap",
               "CONCUR_PASSWORD": "pw", "CONCUR_REFRESH_TOKEN_FILE": str(kept)}
        seen: list[str] = []

        async def also(token: object) -> None:
            seen.append("called")

        async with ConcurClient.from_env(environ=env, on_token_refresh=also) as client:
            assert len([v async for v in client.invoice.vendors.list()]) == 3
        kept_first = json.loads(kept.read_text())
        first = kept_first["refresh_token"]
        assert first
        # Stored with the refresh token, as Concur's docs ask: its data centre and expiry.
        assert kept_first["geolocation"] == concur.base_url
        assert kept_first["refresh_expires_at"]
        assert seen == ["called"]  # the caller's callback runs after the file is written
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        # The next start uses the kept token (a refresh-token grant), not the password.
        assert read_env(env).grant == RefreshTokenGrant("app", "app-secret-5d1", first,
                                                        concur.base_url)
        again = ConcurClient.from_env(environ=env)
        async with again:
            await again.invoice.vendors.list().first_page()
        assert concur.tokens.refreshed == 1
        assert json.loads(kept.read_text())["refresh_token"] != first


def test_only_the_env_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
        if re.search(r"\bos\.environ\b|\bgetenv\(|envvar=", path.read_text(encoding="utf-8"))
    ]
    assert readers == ["_env.py"]
