"""The README's and the docs' benchmark figures come from the newest results file, and a run's
summary holds every goal line it printed. Pure text: no benchmark runs here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks._measure import Goal, Report, Row, goal_lines, summary
from benchmarks.readme import DOCS_LATEST, README, newest_results, render


def test_readme_and_docs_show_the_newest_results_file() -> None:
    newest = newest_results()
    for path, text in render().items():
        assert path.read_text() == text, (
            f"{path.name} is not generated from {newest.name}: run python -m benchmarks.readme")
    assert newest.name in README.read_text()
    assert DOCS_LATEST.read_text() == f'--8<-- "benchmarks/results/{newest.name}"\n'


def test_every_goal_line_of_the_newest_run_is_in_the_readme() -> None:
    readme = README.read_text()
    goals = goal_lines(newest_results().read_text())
    assert goals
    for goal in goals:
        assert f"| {goal.goal} | {goal.measured} | {goal.target} |" in readme


def test_the_newest_results_file_is_the_latest_date(tmp_path: Path) -> None:
    for name in ["2026-11-25-2139.md", "2026-11-29-2225.md", "2026-11-29-0905.md",
                 "notes.md", "2026-12-01-0000.md.bak"]:
        (tmp_path / name).write_text("")
    assert newest_results(tmp_path).name == "2026-11-29-2225.md"


def test_goal_lines_read_back_what_a_report_printed() -> None:
    report = Report("demo", "9. Demo: two goals, one missed", [Row("SDK", "items/s", [1.0, 2.0])],
                    reference="SDK")
    report.goals += [
        Goal("purchase orders: time / ideal (10 calls x 50 ms: 0.5 s)", 1.05, 1.3,
             at_least=False),
        Goal("XML / JSON (decode)", 13.8, 3.0, at_least=False),
        Goal("SDK / baseline (a)", 1.23, 1.0),
    ]
    document = report.markdown(3)
    assert document.startswith("### 3. Demo: two goals, one missed")
    found = goal_lines(document)
    assert [(g.scenario, g.goal, g.measured, g.target, g.met) for g in found] == [
        ("3. Demo", "purchase orders: time / ideal (10 calls x 50 ms: 0.5 s)", "1.05", "<= 1.30",
         True),
        ("3. Demo", "XML / JSON (decode)", "13.8", "<= 3.00", False),
        ("3. Demo", "SDK / baseline (a)", "1.23", ">= 1.00", True),
    ]
    table = summary(document)
    assert table.startswith("2 of 3 goals met.")
    assert "| 3. Demo | XML / JSON (decode) | 13.8 | <= 3.00 | **MISSED** |" in table


@pytest.mark.parametrize("text", ["no markers here", "<!-- benchmarks:start -->\n"
                                  "<!-- benchmarks:end -->\n" * 2])
def test_a_page_without_exactly_one_section_is_refused(text: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import benchmarks.readme as tool

    page = tmp_path / "README.md"
    page.write_text(text)
    monkeypatch.setattr(tool, "README", page)
    with pytest.raises(ValueError, match="one benchmarks:start"):
        render()
