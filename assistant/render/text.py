"""The terminal rendering: Rich colours, score bars, evidence highlighted in the user's own text.

User text is only ever placed in ``Text`` objects, never parsed as markup, so
``[bold]`` in an OKR prints literally.
"""

from __future__ import annotations

import io

from rich.console import Console, Group
from rich.padding import Padding
from rich.text import Text

from assistant.model import Finding, Report, Scores, SetCritique
from assistant.render import findings_by_target

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def score_bar(label: str, value: int, maximum: int = 5) -> Text:
    style = "red" if value <= 2 else "yellow" if value == 3 else "green"
    return Text.assemble(
        (f"{label:<14}", "bold"),
        ("█" * value, style),
        ("░" * (maximum - value), "grey50"),
        f" {value}/{maximum}",
    )


def overall_text(scores: Scores) -> Text:
    style = "red" if scores.overall < 50 else "yellow" if scores.overall < 75 else "green"
    return Text.assemble(("overall       ", "bold"), (f"{scores.overall}/100", f"bold {style}"))


def highlighted(text: str, evidence: str) -> Text:
    """The user's text with the quoted evidence underlined."""
    result = Text(text)
    if evidence and evidence in text:
        start = text.index(evidence)
        result.stylize("bold underline magenta", start, start + len(evidence))
    return result


def _indent(renderable, left: int) -> Padding:
    return Padding(renderable, (0, 0, 0, left), expand=False)


def _finding_block(finding: Finding, text: str) -> Group:
    """One finding: code line, then the quote (when it is part of the text), message, question, fix."""
    parts: list = [
        Text.assemble(
            (f"{finding.severity.upper():<8}", SEVERITY_STYLE.get(finding.severity, "")),
            (finding.code, "bold"),
            (f"  {finding.dimension}", "dim"),
            ("  (llm)" if finding.source == "llm" else "", "dim"),
        )
    ]
    if finding.evidence and finding.evidence != text:
        parts.append(_indent(Text.assemble("“", highlighted(text, finding.evidence), "”"), 2))
    parts.append(_indent(Text(finding.message), 2))
    parts.append(
        _indent(Text.assemble(("? ", "bold cyan"), Text(finding.question, style="italic")), 2)
    )
    parts.append(_indent(Text.assemble(("→ ", "bold green"), Text(finding.suggestion)), 2))
    if finding.rewrite is not None:
        delta = finding.rewrite.score_delta
        parts.append(
            _indent(
                Text.assemble(
                    ("✎ ", "bold green"),
                    Text(finding.rewrite.text),
                    (f"  ({delta:+d})" if delta is not None else "", "green"),
                ),
                2,
            )
        )
    return Group(*parts)


def set_renderables(critique: SetCritique) -> list:
    title = critique.name or f"Set {critique.index}"
    header = Text.assemble(
        ("▌ ", "bold blue"),
        (title, "bold"),
        (f"  {critique.source or ''}#{critique.index}", "dim"),
        (f"  [{critique.engine}]", "dim"),
    )
    out: list = [header]
    s = critique.scores
    out += [
        Padding(
            Group(
                score_bar("clarity", s.clarity),
                score_bar("measurability", s.measurability),
                score_bar("ambition", s.ambition),
                overall_text(s),
            ),
            (0, 0, 1, 2),
            expand=False,
        )
    ]
    if critique.error:
        out.append(Text(f"  could not finish: {critique.error}", style="bold red"))
    grouped = findings_by_target(critique)
    for f in grouped.get("SET", []):
        out.append(_indent(_finding_block(f, critique.name or ""), 2))
    for objective in critique.objectives:
        out.append(
            Text.assemble(
                (f"  {objective.id} ", "bold blue"),
                Text(objective.text, style="bold"),
                (f"  {objective.scores.overall}/100", "dim"),
            )
        )
        for f in grouped.get(objective.id, []):
            out.append(_indent(_finding_block(f, objective.text), 4))
        for kr in objective.key_results:
            kr_findings = grouped.get(kr.id, [])
            mark = ("✓ ", "green") if not kr_findings else ("• ", "yellow")
            out.append(
                Text.assemble(
                    "    ",
                    mark,
                    (f"{kr.id} ", "bold"),
                    Text(kr.text),
                    (f"  {kr.scores.overall}/100", "dim"),
                )
            )
            for f in kr_findings:
                out.append(_indent(_finding_block(f, kr.text), 6))
        out.append(Text(""))
    if not critique.findings and not critique.error:
        out.append(
            Text("  No findings: this set reads like a coach's good example.", style="green")
        )
    return out


def to_text(report: Report, *, color: bool | None = None, width: int | None = None) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=bool(color),
        no_color=not color,
        color_system="standard" if color else None,
        width=width or 100,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for critique in report.sets:
        for renderable in set_renderables(critique):
            console.print(renderable)
    s = report.summary()
    console.print(
        Text(
            f"{s['sets']} set(s) · {s['objectives']} objective(s) · {s['key_results']} key result(s)"
            f" · {s['findings']} finding(s)",
            style="bold",
        )
    )
    for error in report.errors:
        console.print(Text(f"error: {error}", style="bold red"))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
