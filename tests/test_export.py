"""The export's bookmark arithmetic and state-file checks, without a server."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from concur_async import ConcurClient, ConfigurationError, StaticToken
from concur_async.export import _next_window, export_changes


@pytest.mark.parametrize(("newest", "window"), [
    ("2026-11-29T17:30:00", "2026-11-27T00:00:00"),
    ("2026-11-29T00:10:00", "2026-11-27T00:00:00"),
    ("2026-11-29T17:30:00.123Z", "2026-11-27T00:00:00"),
    ("2026-11-29", "2026-11-27T00:00:00"),
    ("2026-11-29 garbage", "2026-11-27T00:00:00"),
])
def test_next_window_is_a_day_of_overlap_and_a_day_for_date_bounds(
    newest: str, window: str
) -> None:
    assert _next_window(newest, dt.timedelta(days=1)) == window


def test_next_window_follows_the_overlap_and_keeps_an_unreadable_date() -> None:
    assert _next_window("2026-11-29T17:30:00", dt.timedelta(hours=2)) == "2026-11-28T00:00:00"
    assert _next_window("29/11/2026", dt.timedelta(days=1)) is None


def client() -> ConcurClient:
    return ConcurClient(auth=StaticToken("t"), base_url="http://127.0.0.1:9")


def test_state_files_that_cannot_be_trusted_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigurationError, match="unreadable"):
        export_changes(client(), "expense-reports", state=broken)
    with pytest.raises(ConfigurationError, match="overlap"):
        export_changes(client(), "expense-reports", overlap=dt.timedelta(hours=-1))


def test_since_starts_a_fresh_state_at_midnight_of_a_date() -> None:
    changes = export_changes(client(), "expense-reports", since=dt.date(2026, 1, 2))
    assert changes.window == "2026-01-02T00:00:00"
    assert changes.sink is None
    assert changes.passes == 0
