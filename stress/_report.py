"""What every stress script hands back: named figures, and the problems it found.

A script's ``run(...)`` returns a :class:`Report`; its ``main(argv)`` prints it and
exits 1 when ``report.problems`` is not empty, so a shell (or CI) sees a failure.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Report:
    """One script's result: a table of rows (dicts with the same keys) and problems."""

    title: str
    command: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def total(self, column: str) -> int:
        """The sum of an integer column over every row (0 lost, 0 missed...)."""
        return sum(int(row.get(column, 0)) for row in self.rows)

    def markdown(self) -> str:
        """The rows as a markdown table, the command above it, problems below."""
        lines = [f"### {self.title}", "", f"`{self.command}`", ""]
        if self.rows:
            columns = list(self.rows[0])
            lines.append("| " + " | ".join(columns) + " |")
            lines.append("|" + "---|" * len(columns))
            for row in self.rows:
                lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
            lines.append("")
        lines.extend(f"- {note}" for note in self.notes)
        lines.extend(f"- PROBLEM: {problem}" for problem in self.problems)
        return "\n".join(lines).rstrip() + "\n"


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "" if value is None else str(value)


class Deadline:
    """A hard time bound: ``expired`` once ``seconds`` have passed since it was made."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    @property
    def expired(self) -> bool:
        return time.monotonic() > self.end

    def left(self) -> float:
        return max(0.0, self.end - time.monotonic())


def finish(report: Report) -> int:
    """Print ``report``; the exit status a ``main`` returns (1 if it has problems)."""
    print(report.markdown())
    return 0 if report.ok else 1
