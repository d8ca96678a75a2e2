"""Scenario results: figures against their targets, a printed table, and the JSON."""

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Figure:
    name: str
    value: float | int | str | None
    unit: str = ""
    target: str = ""
    ok: bool | None = None


@dataclass
class ScenarioResult:
    scenario: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    # Correctness failures: `--quick` exits non-zero when any scenario has one.
    failures: list[str] = field(default_factory=list)
    # Honest notes: what could not be measured, and why.
    notes: list[str] = field(default_factory=list)

    def add(
        self,
        name: str,
        value: Any,
        unit: str = "",
        target: str = "",
        ok: bool | None = None,
    ) -> None:
        self.figures.append(Figure(name, _clean(value), unit, target, ok))

    def check(self, condition: bool, message: str) -> None:
        if not condition:
            self.failures.append(message)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 2)
    return value


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def table(results: list[ScenarioResult]) -> str:
    rows = [("scenario", "figure", "value", "target", "")]
    for result in results:
        for fig in result.figures:
            mark = "" if fig.ok is None else ("ok" if fig.ok else "SHORT")
            value = f"{_fmt(fig.value)} {fig.unit}".strip()
            rows.append((result.scenario, fig.name, value, fig.target, mark))
        for failure in result.failures:
            rows.append((result.scenario, "FAILED", failure[:90], "", "!!"))
        for note in result.notes:
            rows.append((result.scenario, "note", note[:110], "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[c].ljust(widths[c]) for c in range(4)]
        lines.append("  ".join([*cells, row[4]]).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(path: Path, meta: dict[str, Any], results: list[ScenarioResult]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"meta": meta, "scenarios": [asdict(r) for r in results]}
    path.write_text(json.dumps(body, indent=2, default=str))
