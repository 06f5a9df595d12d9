"""Incremental export against a report server written here: cut connections, a consumer that
dies mid-run, a record dated in the far future (not LocalConcur, which shares our reading)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from servers import loopback_server

from concur_async import ConcurClient, RetryPolicy, StaticToken, TransportError
from concur_async.export import export_changes

FAST = RetryPolicy(max_attempts=3, backoff_base=0.001, backoff_max=0.002)
PAGE = 3


@dataclass
class Reports:
    """Expense reports v3.0, offset-paged with NextPage, filtered by modifiedDateAfter."""

    records: dict[str, str] = field(default_factory=dict)  # ID -> LastModifiedDate
    cut_at_offset: int | None = None  # every request for this page loses its connection
    bounds: list[str | None] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if not request.path.endswith("/expense/reports"):
            return web.json_response({}, status=404)
        offset = int(request.query.get("offset", "0"))
        if offset == self.cut_at_offset:
            assert request.transport is not None
            request.transport.close()
            return web.Response()
        after = request.query.get("modifiedDateAfter")
        if offset == 0:
            self.bounds.append(after)
        chosen = sorted(
            (rid, modified) for rid, modified in self.records.items()
            if after is None or modified[:19] > after[:19]
        )
        page = chosen[offset:offset + PAGE]
        items = [{"ID": rid, "Name": f"report {rid}", "LastModifiedDate": modified}
                 for rid, modified in page]
        more = offset + PAGE < len(chosen)
        next_page = (str(request.url.update_query(offset=str(offset + PAGE)))
                     if more else None)
        return web.json_response({"Items": items, "NextPage": next_page})


async def run(base: str, state: Path, out: list[str], *, until: int | None = None) -> None:
    """One export run appending IDs to ``out``, cut back to the committed position first;
    ``until`` stops it (a crash: no clean exit, so no commit of what came after)."""
    async with ConcurClient(auth=StaticToken("at"), base_url=base, retry=FAST) as client:
        export = export_changes(client, "expense-reports", state=state, commit_interval=0,
                                on_commit=lambda: len(out), page_size=PAGE)
        del out[export.sink or 0:]
        async for change in export:
            out.append(change.id)
            if until is not None and len(out) >= until:
                return  # dropped without aclose/commit, as a killed process leaves it
        await export.aclose()


async def test_runs_cut_by_the_network_and_by_a_crash_deliver_each_record_once(
    tmp_path: Path,
) -> None:
    server = Reports({f"r{i:02}": f"2026-11-{10 + i:02}T08:00:00" for i in range(10)})
    state = tmp_path / "state.json"
    out: list[str] = []
    async with loopback_server(server.handle) as base:
        server.cut_at_offset = PAGE * 2
        with pytest.raises(TransportError):
            await run(base, state, out)  # the connection drops on the third page, always
        assert out == [f"r{i:02}" for i in range(6)]
        server.cut_at_offset = None
        await run(base, state, out, until=8)  # killed after taking two more
        await run(base, state, out)
        await run(base, state, out)  # nothing changed: nothing new
    assert out == [f"r{i:02}" for i in range(10)]


async def test_a_record_dated_in_the_far_future_does_not_freeze_the_bookmark(
    tmp_path: Path,
) -> None:
    """One record with a bogus year-2999 date (a clock gone wrong, a hand-edited record) must
    not move the bookmark past everything that will ever change again."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    server = Reports({"old": (now - dt.timedelta(days=3)).isoformat(),
                      "bogus": "2999-01-01T00:00:00"})
    state = tmp_path / "state.json"
    out: list[str] = []
    async with loopback_server(server.handle) as base:
        await run(base, state, out)
        server.records["fresh"] = (now + dt.timedelta(minutes=1)).isoformat()
        await run(base, state, out)
    assert sorted(out) == ["bogus", "fresh", "old"]
    assert server.bounds[1] is not None
    assert server.bounds[1] < now.isoformat()


@pytest.mark.parametrize("interval", [0, 3600])
async def test_a_consumer_breaking_out_cleanly_gets_no_record_twice(
    tmp_path: Path, interval: float,
) -> None:
    """``break`` inside ``async with``: the clean exit commits, and the position ``on_commit``
    returns (which counts the record in hand) must agree with the bookmark."""
    server = Reports({f"r{i:02}": f"2026-11-{10 + i:02}T08:00:00" for i in range(6)})
    state = tmp_path / "state.json"
    out: list[str] = []
    async with loopback_server(server.handle) as base:
        for stop_after in (2, 4):
            async with (
                ConcurClient(auth=StaticToken("at"), base_url=base, retry=FAST) as client,
                export_changes(client, "expense-reports", state=state, commit_interval=interval,
                               on_commit=lambda: len(out), page_size=PAGE) as export,
            ):
                del out[export.sink or 0:]
                async for change in export:
                    out.append(change.id)
                    if len(out) >= stop_after:
                        break
        await run(base, state, out)
    assert out == [f"r{i:02}" for i in range(6)]
