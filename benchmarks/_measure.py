"""Samples, alternating rounds, the Markdown table every scenario prints, and the summary of
every goal line a run printed (read back from the Markdown, so a saved results file gives the
same summary as the run that wrote it)."""

from __future__ import annotations

import gc
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Goal", "GoalLine", "Report", "Row", "alternate", "fmt", "goal_lines", "paired",
           "summary"]


@dataclass
class Row:
    """One contender's samples in one scenario; ``higher`` says whether more is better."""

    contender: str
    unit: str
    samples: list[float]
    higher: bool = True
    note: str = ""
    #: The row this one's ratio column compares with, when not the report's reference (a
    #: second measure of the same contenders, say client CPU beside wall time).
    versus: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def better_by(self, other: Row) -> float:
        """How many times better this row's median is than ``other``'s (>1: this wins)."""
        if self.higher:
            return self.median / other.median if other.median else float("inf")
        return other.median / self.median if self.median else float("inf")


@dataclass
class Goal:
    text: str
    value: float
    target: float
    #: True when ``value`` must reach ``target``; False when it must stay at or below it.
    at_least: bool = True

    @property
    def met(self) -> bool:
        return self.value >= self.target if self.at_least else self.value <= self.target


@dataclass
class Report:
    """What one scenario prints: its rows, a reference row for the ratio column, goals, notes."""

    name: str
    title: str
    rows: list[Row] = field(default_factory=list)
    reference: str | None = None
    ratio_label: str = "vs SDK"
    goals: list[Goal] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def row(self, contender: str) -> Row:
        return next(r for r in self.rows if r.contender == contender)

    def markdown(self, number: int | None = None) -> str:
        """The scenario's section; ``number`` replaces the number its title starts with, so
        sections are numbered by their place in the run's list of scenarios."""
        title = self.title if number is None else f"{number}. {_NUMBERED.sub('', self.title)}"
        lines = [f"### {title}", ""]
        ref = self.row(self.reference) if self.reference else None
        head = "| contender | median | min - max | unit | n |"
        rule = "|---|---:|---:|---|---:|"
        if ref is not None:
            head, rule = head + f" {self.ratio_label} |", rule + "---:|"
        lines += [head, rule]
        for row in self.rows:
            name = row.contender + (f" ({row.note})" if row.note else "")
            line = (f"| {name} | {fmt(row.median)} | {fmt(row.low)} - {fmt(row.high)} "
                    f"| {row.unit} | {len(row.samples)} |")
            if ref is not None:
                versus = self.row(row.versus) if row.versus else ref
                line += " — |" if row is versus else f" {versus.better_by(row):.2f}x |"
            lines.append(line)
        if self.goals:
            lines.append("")
            for goal in self.goals:
                sign = ">=" if goal.at_least else "<="
                verdict = "met" if goal.met else "**MISSED**"
                lines.append(f"- goal: {goal.text}: {fmt(goal.value)} ({sign} "
                             f"{fmt(goal.target)}) — {verdict}")
        for note in self.notes:
            lines.append(f"- {note}")
        lines.append(f"- scenario wall time: {self.seconds:.0f} s")
        return "\n".join(lines)


def fmt(value: float) -> str:
    """Numbers as a reader wants them: thousands separated, two significant decimals."""
    if value != value:  # NaN
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def paired(one: Row, other: Row) -> str:
    """How many times better ``one`` did than ``other`` round by round (the rounds of
    ``alternate`` ran them side by side): the median and range of those ratios."""
    ratios = [Row("", one.unit, [a], one.higher).better_by(Row("", other.unit, [b], other.higher))
              for a, b in zip(one.samples, other.samples, strict=True)]
    return (f"median {statistics.median(ratios):.2f}x, {min(ratios):.2f} - {max(ratios):.2f}x "
            f"over {len(ratios)} rounds")


def alternate(
    contenders: dict[str, Callable[[], float]], repeats: int
) -> dict[str, list[float]]:
    """Run every contender once per round, ``repeats`` rounds, rotating who goes first, so
    drift in the machine (another process, a warmer cache) hits them all alike."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(repeats):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            samples[name].append(contenders[name]())
    return samples


_NUMBERED = re.compile(r"^\d+[a-z]?\.\s+")
_HEADING = re.compile(r"^### (?P<title>.+)$")
_SHORT = re.compile(r": |, | \(")
#: A goal line as ``Report.markdown`` writes it; the goal's own text may hold colons.
_GOAL = re.compile(r"^- goal: (?P<text>.+): (?P<value>\S+) \((?P<sign>>=|<=) (?P<target>[^)]+)\)"
                   r" — (?P<verdict>met|\*\*MISSED\*\*)$")


@dataclass(frozen=True)
class GoalLine:
    """One goal line of a run, read back from its Markdown."""

    scenario: str
    goal: str
    measured: str
    target: str
    met: bool


def goal_lines(document: str) -> list[GoalLine]:
    """Every goal line of a run's Markdown, each with the scenario heading it sits under
    (its title up to the first colon, comma or parenthesis: ``6. Decode one 1,000-vendor
    page``)."""
    found: list[GoalLine] = []
    scenario = ""
    for line in document.splitlines():
        if heading := _HEADING.match(line):
            scenario = _SHORT.split(heading["title"], 1)[0]
        elif goal := _GOAL.match(line):
            found.append(GoalLine(scenario, goal["text"], goal["value"],
                                  f"{goal['sign']} {goal['target']}", goal["verdict"] == "met"))
    return found


def summary(document: str) -> str:
    """The table of every goal line in ``document``: scenario, goal, measured, target, verdict."""
    goals = goal_lines(document)
    met = sum(goal.met for goal in goals)
    lines = [f"{met} of {len(goals)} goals met.", "",
             "| scenario | goal | measured | target | |", "|---|---|---:|---|---|"]
    for goal in goals:
        verdict = "met" if goal.met else "**MISSED**"
        lines.append(f"| {goal.scenario} | {goal.goal} | {goal.measured} | {goal.target} "
                     f"| {verdict} |")
    return "\n".join(lines)
