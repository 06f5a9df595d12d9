"""``export_changes`` against LocalConcur over real sockets: runs that export only what changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import msgspec
import pytest

from concur_async import ConcurClient, ConfigurationError
from concur_async.common.list_items import ListItemPut
from concur_async.expense.reports import ReportPost, ReportPut
from concur_async.export import Change, export_changes
from concur_async.testing import LocalConcur

pytestmark = pytest.mark.integration


async def drain(client: ConcurClient, collection: str, state: Path, **options: object) -> list[
        Change]:
    async with export_changes(client, collection, state=state, **options) as changes:  # type: ignore[arg-type]
        return [change async for change in changes]


def saved(state: Path) -> dict[str, object]:
    data = msgspec.json.decode(state.read_bytes())
    assert isinstance(data, dict)
    return data


async def test_second_run_exports_only_what_changed(tmp_path: Path) -> None:
    state = tmp_path / "reports.state.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(40)
        async with concur.client() as client:
            first = await drain(client, "expense-reports", state)
            assert [c.id for c in first] == ids
            window = saved(state)["window"]
            # A day of overlap before the newest date seen, and a day for date-only bounds.
            newest = max(c.record.last_modified_date for c in first)
            assert window == dt.datetime.combine(newest.date() - dt.timedelta(days=2),
                                                 dt.time()).isoformat()

            for report_id in ids[3], ids[17], ids[38]:
                await client.expense.reports.update(ReportPut(name="Renamed"), id=report_id)
            created = await client.expense.reports.create(ReportPost(name="New report"))

            second = await drain(client, "expense-reports", state)
            assert sorted(c.id for c in second) == sorted([ids[3], ids[17], ids[38], created.id])
            assert {c.record.name for c in second} == {"Renamed", "New report"}
            assert all(c.modified and c.modified.startswith(str(dt.date.today().year))
                       for c in second)

            assert await drain(client, "expense-reports", state) == []
        assert saved(state)["passes"] == 3
        assert not concur.errors


async def test_overlap_catches_late_records_and_skips_those_already_sent(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(10)
        reports = concur.state.collection("expense/reports")
        async with concur.client() as client:
            first = await drain(client, "expense-reports", state)
            assert len(first) == 10
            newest = max(c.record.last_modified_date for c in first)
            # Visible only now, though stamped before the newest record already exported
            # (another Concur server's clock, a long transaction): inside the overlap.
            late = {"ID": "LATE", "Name": "late", "LastModifiedDate":
                    (newest - dt.timedelta(hours=20)).isoformat()}
            ancient = {"ID": "OLD", "Name": "old", "LastModifiedDate":
                       (newest - dt.timedelta(days=30)).isoformat()}
            concur.state.seed("expense/reports", [late, ancient])
            export = export_changes(client, "expense-reports", state=state)
            async with export:
                second = [c.id async for c in export]
            assert second == ["LATE"]
            # The records of the overlapping window were listed again and recognised.
            in_window = [r for r in reports if str(r["LastModifiedDate"]) > str(export.window)]
            assert export.skipped >= 1
            assert export.skipped == len(in_window) - 1
        assert ids


async def test_a_break_commits_only_the_records_taken(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(12)
        async with concur.client() as client:
            async with export_changes(client, "expense-reports", state=state) as changes:
                async for change in changes:
                    if change.id == ids[4]:
                        break  # the record in hand was not taken: it comes again
            assert [c.id for c in await drain(client, "expense-reports", state)] == ids[4:]

            async with export_changes(client, "expense-reports", state=tmp_path / "t.json",
                                      commit_interval=3600) as changes:
                async for change in changes:
                    if change.id == ids[4]:
                        await changes.commit()  # acknowledged explicitly
                        break
            rest = await drain(client, "expense-reports", tmp_path / "t.json")
            assert [c.id for c in rest] == ids[5:]


async def test_an_error_in_the_consumer_commits_nothing_new(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(8)
        async with concur.client() as client:

            async def fail_at_the_sixth() -> None:
                async with export_changes(client, "expense-reports", state=state,
                                          commit_interval=3600) as changes:
                    async for change in changes:
                        if change.id == ids[5]:
                            raise RuntimeError("disk full")

            with pytest.raises(RuntimeError):
                await fail_at_the_sixth()
            assert [c.id for c in await drain(client, "expense-reports", state)] == ids


async def test_list_items_are_compared_whole_each_run(tmp_path: Path) -> None:
    state = tmp_path / "items.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_list_items("L1", 30)
        concur.state.seed_list_items("L2", 5)
        filters = {"list_id": "L1"}
        async with concur.client() as client:
            first = await drain(client, "list-items", state, filters=filters)
            assert [c.id for c in first] == ids
            await client.common.list_items.update(
                ListItemPut(list_id="L1", name="Renamed"), id=ids[2])
            second = await drain(client, "list-items", state, filters=filters)
            assert [(c.id, c.record.name) for c in second] == [(ids[2], "Renamed")]
            assert await drain(client, "list-items", state, filters=filters) == []
            with pytest.raises(ConfigurationError, match="filters"):
                export_changes(client, "list-items", state=state, filters={"list_id": "L2"})
            with pytest.raises(ConfigurationError, match="belongs to list-items"):
                export_changes(client, "expense-reports", state=state)


async def test_since_bounds_the_first_run_only(tmp_path: Path) -> None:
    state = tmp_path / "s.json"
    async with LocalConcur() as concur:
        ids = concur.state.seed_reports(20)
        records = list(concur.state.collection("expense/reports"))
        since = dt.datetime.fromisoformat(str(records[14]["LastModifiedDate"]))
        async with concur.client() as client:
            first = await drain(client, "expense-reports", state, since=since)
            newer = [r["ID"] for r in records if str(r["LastModifiedDate"]) > since.isoformat()]
            assert 0 < len(newer) < len(ids)
            assert [c.id for c in first] == newer
            later = dt.datetime(2100, 1, 1)
            assert await drain(client, "expense-reports", state, since=later) == []


async def test_collections_concur_cannot_export_are_refused() -> None:
    async with LocalConcur() as concur, concur.client() as client:
        with pytest.raises(ConfigurationError, match="no list"):
            export_changes(client, "purchase-orders")
        with pytest.raises(ConfigurationError, match="choose one of"):
            export_changes(client, "vendors-and-more")
