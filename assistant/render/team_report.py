"""The team summary of ``okr critique --cross``: text, Markdown, and the JSON ``team`` key.

Pure functions of a ``Report`` and a ``TeamSummary``; the per-set output is the usual
renderer's, the summary comes after it (JSON: a top-level ``"team"`` key, SPEC §5 kept).
"""

from __future__ import annotations

import io
import json
import re
from typing import TYPE_CHECKING, Any

from assistant.model import Report

if TYPE_CHECKING:
    from assistant.domain.team_summary import TeamSummary


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def team_markdown(team: TeamSummary) -> str:
    out = ["## Team summary", "", "Sets, weakest first:", ""]
    out += [
        "| set | overall | clarity | measurability | ambition | KRs | findings | cross |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in team.sets:
        s = row.scores
        out.append(
            f"| {_md(row.name or f'set {row.index}')} | {s.overall} | {s.clarity} | "
            f"{s.measurability} | {s.ambition} | {row.key_results} | {row.findings} | "
            f"{row.cross_findings} |"
        )
    if team.weakest_key_results:
        out += ["", "Weakest key results:", "", "| set | id | key result | overall | codes |"]
        out.append("|---|---|---|---:|---|")
        for kr in team.weakest_key_results:
            out.append(
                f"| {_md(kr.set_name or f'set {kr.set_index}')} | {kr.id} | {_md(kr.text)} | "
                f"{kr.overall} | {', '.join(kr.codes)} |"
            )
    heavy = [o for o in team.owners if o.over_limit]
    if heavy:
        out += ["", f"Owners with more than {team.owner_limit} key results:", ""]
        out += [f"- **{_md(o.owner)}**: {o.count} — {_md(', '.join(o.key_results))}" for o in heavy]
    if team.cross_findings:
        counts = ", ".join(f"{code} ×{n}" for code, n in team.cross_findings.items())
        out += ["", f"Cross-set findings: {counts}."]
    else:
        out += [
            "",
            "No cross-set findings: no conflicting metrics, alignment gaps or overloaded owners.",
        ]
    return "\n".join(out) + "\n"


_SET_COLUMNS = (
    ("set", "left"),
    ("overall", "right"),
    ("clar.", "right"),
    ("meas.", "right"),
    ("amb.", "right"),
    ("KRs", "right"),
    ("findings", "right"),
    ("cross", "right"),
)


def _set_rows(team: TeamSummary) -> list[tuple[str, ...]]:
    return [
        (
            row.name or f"set {row.index}",
            str(row.scores.overall),
            str(row.scores.clarity),
            str(row.scores.measurability),
            str(row.scores.ambition),
            str(row.key_results),
            str(row.findings),
            str(row.cross_findings),
        )
        for row in team.sets
    ]


_SIMPLE_CELL = re.compile(r"[!-~]+(?: [!-~]+)*")


def _plain_table(rows: list[tuple[str, ...]], width: int) -> str | None:
    """The sets table as Rich prints it without colour (``show_edge=False``,
    ``pad_edge=False``, heavy header), for a table whose columns fit at their natural
    width and whose cells are printable ASCII words: Rich takes a second over a
    thousand rows. None otherwise (then Rich lays it out: wrapping, wide characters)."""
    if not rows:
        return None
    header = tuple(name for name, _ in _SET_COLUMNS)
    if not all(_SIMPLE_CELL.fullmatch(cell) for row in rows for cell in row):
        return None
    last = len(header) - 1
    content = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    pads = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(len(header))]
    columns = [c + left + right for c, (left, right) in zip(content, pads, strict=True)]
    if sum(columns) > width - last:  # the column separators take one each
        return None
    right = [justify == "right" for _, justify in _SET_COLUMNS]

    def line(cells: tuple[str, ...], bar: str) -> str:
        parts = []
        for cell, size, (left, pad), flush_right in zip(cells, content, pads, right, strict=True):
            text = cell.rjust(size) if flush_right else cell.ljust(size)
            parts.append(" " * left + text + " " * pad)
        return bar.join(parts).rstrip()

    lines = [line(header, "┃"), "╇".join("━" * w for w in columns)]
    lines += [line(row, "│") for row in rows]
    return "\n".join(lines) + "\n"


def team_text(team: TeamSummary, *, color: bool | None = None, width: int | None = None) -> str:
    from rich.table import Table
    from rich.text import Text

    from assistant.domain.text_safety import safe_text
    from assistant.render.text import make_console

    buffer = io.StringIO()
    console = make_console(buffer, color=color, width=width)
    console.print(Text("Team summary — weakest first", style="bold"))
    plain = None if color else _plain_table(_set_rows(team), console.width)
    if plain is not None:
        buffer.write(safe_text(plain))  # the lines Rich would print, a thousand rows at once
    else:
        table = Table(show_edge=False, pad_edge=False)
        for name, justify in _SET_COLUMNS:
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in team.sets:
            s = row.scores
            style = "red" if s.overall < 50 else "yellow" if s.overall < 75 else "green"
            table.add_row(
                Text(row.name or f"set {row.index}"),
                Text(str(s.overall), style=style),
                str(s.clarity),
                str(s.measurability),
                str(s.ambition),
                str(row.key_results),
                str(row.findings),
                str(row.cross_findings),
            )
        console.print(table)
    if team.weakest_key_results:
        console.print(Text("\nWeakest key results", style="bold"))
        weak = Table(show_edge=False, pad_edge=False)
        for name in ("set", "id", "key result", "overall", "codes"):
            weak.add_column(name, overflow="fold")
        for kr in team.weakest_key_results:
            weak.add_row(
                Text(kr.set_name or f"set {kr.set_index}"),
                kr.id,
                Text(kr.text),
                str(kr.overall),
                ", ".join(kr.codes),
            )
        console.print(weak)
    heavy = [o for o in team.owners if o.over_limit]
    if heavy:
        console.print(Text(f"\nOwners with more than {team.owner_limit} key results", style="bold"))
        for o in heavy:
            console.print(
                Text.assemble("  ", (o.owner, "bold"), f"  {o.count}: ", ", ".join(o.key_results))
            )
    if team.cross_findings:
        counts = ", ".join(f"{code} ×{n}" for code, n in team.cross_findings.items())
        console.print(Text(f"\nCross-set findings: {counts}", style="yellow"))
    else:
        console.print(
            Text(
                "\nNo cross-set findings: no conflicting metrics, alignment gaps or overloaded owners."
            )
        )
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _pretty_json(data: dict[str, Any]) -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False)``, the same text, written by
    pydantic-core (Rust) when every number outside the sets is an integer: the two spell
    floats differently (``1e-07`` / ``1e-7``), and the sets hold scores, lines and
    deltas, all integers. A team file's report is megabytes; Python's indenting encoder
    is several times slower."""
    from pydantic_core import PydanticSerializationError, to_json

    rest = {key: value for key, value in data.items() if key != "sets"}
    if not _has_float(rest):
        try:
            return to_json(data, indent=2).decode()
        except (PydanticSerializationError, UnicodeError):
            pass  # a lone surrogate: json.dumps writes what it can
    return json.dumps(data, indent=2, ensure_ascii=False)


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_float(v) for v in value)
    return False


def render_with_team(
    report: Report,
    team: TeamSummary,
    fmt: str,
    *,
    color: bool | None = None,
    width: int | None = None,
) -> str:
    """The critique in ``fmt`` followed by the team summary (JSON: a ``"team"`` key);
    safe on a terminal, as :func:`assistant.render.render` is."""
    from assistant.domain.text_safety import json_safe, safe_text
    from assistant.render import render, to_json_data

    if fmt == "json":
        data = to_json_data(report)
        data["team"] = team.model_dump(mode="json")
        return json_safe(_pretty_json(data) + "\n")
    text = render(report, fmt, color=color, width=width)
    if fmt == "markdown":
        return text + "\n" + safe_text(team_markdown(team))
    return text + "\n" + team_text(team, color=color, width=width)
