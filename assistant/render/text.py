"""The terminal rendering: score bars, findings under the text they are about, evidence marked.

The report is first laid out as indented lines of styled spans. On a terminal the
spans become Rich ``Text`` (colours, wrapping with hanging indent); anywhere else the
same lines are wrapped greedily — ten times faster than Rich for a team file
of thousands of key results. User text is only ever placed in spans, never parsed as
markup, so ``[bold]`` in an OKR prints literally.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.domain.text_safety import safe_text
from assistant.model import Finding, Report, SetCritique
from assistant.render import findings_by_target
from assistant.render.bars import Span, overall_spans, score_bar_spans

if TYPE_CHECKING:
    from rich.console import Console

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@dataclass(frozen=True)
class Line:
    indent: int
    spans: tuple[Span, ...]

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.spans)


def _line(indent: int, *spans: Span | str) -> Line:
    return Line(indent, tuple((s, "") if isinstance(s, str) else s for s in spans))


def highlighted(text: str, evidence: str) -> tuple[Span, ...]:
    """The user's text with the quoted evidence marked."""
    if evidence and evidence in text:
        start = text.index(evidence)
        end = start + len(evidence)
        return ((text[:start], ""), (text[start:end], "bold underline magenta"), (text[end:], ""))
    return ((text, ""),)


def _finding_lines(finding: Finding, text: str, indent: int) -> list[Line]:
    lines = [
        _line(
            indent,
            (f"{finding.severity.upper():<8}", SEVERITY_STYLE.get(finding.severity, "")),
            (finding.code, "bold"),
            (f"  {finding.dimension}", "dim"),
            ("  (llm)" if finding.source == "llm" else "", "dim"),
        )
    ]
    inner = indent + 2
    if finding.evidence and finding.evidence != text:
        lines.append(_line(inner, "“", *highlighted(text, finding.evidence), "”"))
    lines.append(_line(inner, finding.message))
    lines.append(_line(inner, ("? ", "bold cyan"), (finding.question, "italic")))
    lines.append(_line(inner, ("→ ", "bold green"), finding.suggestion))
    if finding.rewrite is not None:
        delta = finding.rewrite.score_delta
        lines.append(
            _line(
                inner,
                ("✎ ", "bold green"),
                finding.rewrite.text,
                (f"  ({delta:+d})" if delta is not None else "", "green"),
            )
        )
    return lines


def set_lines(critique: SetCritique) -> list[Line]:
    title = critique.name or f"Set {critique.index}"
    s = critique.scores
    out = [
        _line(
            0,
            ("▌ ", "bold blue"),
            (title, "bold"),
            (f"  {critique.source or ''}#{critique.index}", "dim"),
            (f"  [{critique.engine}]", "dim"),
        ),
        _line(2, *score_bar_spans("clarity", s.clarity)),
        _line(2, *score_bar_spans("measurability", s.measurability)),
        _line(2, *score_bar_spans("ambition", s.ambition)),
        _line(2, *overall_spans(s)),
        _line(0),
    ]
    if critique.error:
        out.append(_line(2, (f"could not finish: {critique.error}", "bold red")))
    grouped = findings_by_target(critique)
    for f in grouped.get("SET", []):
        out += _finding_lines(f, critique.name or "", 2)
    for objective in critique.objectives:
        out.append(
            _line(
                2,
                (f"{objective.id} ", "bold blue"),
                (objective.text, "bold"),
                (f"  {objective.scores.overall}/100", "dim"),
            )
        )
        for f in grouped.get(objective.id, []):
            out += _finding_lines(f, objective.text, 4)
        for kr in objective.key_results:
            kr_findings = grouped.get(kr.id, [])
            mark = ("✓ ", "green") if not kr_findings else ("• ", "yellow")
            out.append(
                _line(
                    4, mark, (f"{kr.id} ", "bold"), kr.text, (f"  {kr.scores.overall}/100", "dim")
                )
            )
            for f in kr_findings:
                out += _finding_lines(f, kr.text, 6)
        out.append(_line(0))
    if not critique.findings and not critique.error:
        out.append(_line(2, ("No findings: this set reads like a coach's good example.", "green")))
    return out


def report_lines(report: Report) -> list[Line]:
    lines = [line for critique in report.sets for line in set_lines(critique)]
    if report.guards is not None:  # what the LLM guards kept and dropped (SPEC §5)
        from assistant.render.llm import guards_line

        lines.append(_line(0, (guards_line(report.guards), "dim")))
    s = report.summary()
    lines.append(
        _line(
            0,
            (
                f"{s['sets']} set(s) · {s['objectives']} objective(s) · "
                f"{s['key_results']} key result(s) · {s['findings']} finding(s)",
                "bold",
            ),
        )
    )
    lines += [_line(0, (f"error: {error}", "bold red")) for error in report.errors]
    return lines


def _wrap(text: str, width: int, indent: int) -> list[str]:
    """Greedy word wrap with a hanging indent (textwrap is several times slower)."""
    pad = " " * indent
    if len(text) + indent <= width:
        return [pad + text]
    rows: list[str] = []
    current = pad
    limit = width
    for word in text.split(" "):
        if len(current) + len(word) + 1 > limit and current.strip():
            rows.append(current)
            current = pad + "  "
        current += word if current.isspace() or not current else " " + word
    rows.append(current)
    return rows


def _plain(lines: list[Line], width: int) -> str:
    out: list[str] = []
    for line in lines:
        text = line.plain
        out.extend(_wrap(text, width, line.indent) if text else [""])
    return safe_text("\n".join(out) + "\n")


def make_console(buffer: io.StringIO, *, color: bool | None, width: int | None) -> Console:
    """The one Rich console setup for reports: never parses markup, colours only when asked."""
    from assistant.render.safe import safe_console

    return safe_console(
        file=buffer,
        force_terminal=bool(color),
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 100,
        highlight=False,
        emoji=False,
        markup=False,
    )


def _rich(lines: list[Line], width: int) -> str:
    from rich.padding import Padding
    from rich.text import Text

    buffer = io.StringIO()
    console = make_console(buffer, color=True, width=width)
    for line in lines:
        text = Text.assemble(*line.spans)
        console.print(Padding(text, (0, 0, 0, line.indent), expand=False) if line.indent else text)
    return "\n".join(row.rstrip() for row in buffer.getvalue().splitlines()) + "\n"


def to_text(report: Report, *, color: bool | None = None, width: int | None = None) -> str:
    import shutil

    lines = report_lines(report)
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    return _rich(lines, width) if color else _plain(lines, width)
