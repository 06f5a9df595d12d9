"""Samples, alternating rounds, and the Markdown table every scenario prints."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Goal", "Report", "Row", "alternate", "fmt"]


@dataclass
class Row:
    """One contender's samples in one scenario; ``higher`` says whether more is better."""

    contender: str
    unit: str
    samples: list[float]
    higher: bool = True
    note: str = ""

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

    def markdown(self) -> str:
        lines = [f"### {self.title}", ""]
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
                line += " — |" if row is ref else f" {ref.better_by(row):.2f}x |"
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
