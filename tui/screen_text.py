"""Rich ``Text`` builders for the screens (the version diff is ``assistant.render.diff``).

Every piece of user or model text (OKR titles, key results, draft names, messages,
findings) goes in through ``tui.safe.literal``: never parsed as markup, so ``[bold]``
or ``[link=…]`` typed in an OKR shows literally, and no control character reaches
the terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text

from assistant.domain.drafts import VersionInfo
from assistant.model import Finding, OKRSet, Scores
from assistant.render.bars import overall_style, overall_text, score_bar
from tui.safe import literal
from tui.suggestions import Suggestion

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def score_block(scores: Scores | None) -> Text:
    """Three dimension bars and the overall score, one per line."""
    if scores is None:
        return Text("no scores yet", style="dim")
    return Text("\n").join(
        [
            score_bar("clarity", scores.clarity),
            score_bar("measurability", scores.measurability),
            score_bar("ambition", scores.ambition),
            overall_text(scores),
        ]
    )


def overall_cell(scores: Scores | None) -> Text:
    if scores is None:
        return Text("–", style="dim")
    return Text(f"{scores.overall:>3}", style=f"bold {overall_style(scores.overall)}")


def delta_text(delta: int | None) -> Text:
    if delta is None:
        return Text("")
    style = "green" if delta > 0 else "red" if delta < 0 else "dim"
    return Text(f"{delta:+d}", style=style)


def target_heading(target: str, text: str, evidence: Iterable[str]) -> Text:
    """``O1.KR2  Raise …`` with every quoted piece of evidence highlighted."""
    body = literal(text)
    for piece in evidence:
        if piece and piece != text:
            start = body.plain.find(literal(piece).plain)
            if start >= 0:
                body.stylize("bold underline magenta", start, start + len(literal(piece)))
    return Text.assemble(literal(f"{target} ", "bold blue"), body)


def finding_card(finding: Finding, suggestion: Suggestion | None, target_text: str = "") -> Text:
    """One finding: code and quoted evidence, message, coaching question, then the
    rewrite with its score change, or the advice when there is no rewrite."""
    head = Text.assemble(
        literal(f"{finding.severity.upper()} ", SEVERITY_STYLE.get(finding.severity, "")),
        literal(finding.code, "bold"),
        (" (llm)" if finding.source == "llm" else "", "dim italic"),
    )
    if finding.evidence and finding.evidence != target_text:
        head.append_text(Text.assemble(" “", literal(finding.evidence, "magenta"), "”"))
    parts = [head]
    parts.append(literal(finding.message))
    parts.append(Text.assemble(("? ", "bold cyan"), literal(finding.question, "italic")))
    if suggestion is not None:
        line = Text.assemble(("✎ ", "bold green"), literal(suggestion.text))
        if suggestion.delta is not None:  # the whole set's overall score, as in the dialog
            line.append("  set ", "dim")
            line.append_text(delta_text(suggestion.delta))
        parts.append(line)
        if suggestion.placeholders:
            parts.append(
                literal(f"  fill in {', '.join(suggestion.placeholders)} (a: fill in)", "dim")
            )
    else:
        parts.append(Text.assemble(("→ ", "bold green"), literal(finding.suggestion)))
    return Text("\n").join(parts)


def hint_line(findings: Sequence[Finding], target: str | None, text: str | None) -> Text:
    """The live hint under the editor for the objective or KR at the cursor."""
    if target is None:
        return Text("")
    if not findings:
        return Text.assemble(("✓ ", "green"), (f"{target} ", "bold"), ("no rule fires", "dim"))
    first = findings[0]
    line = Text.assemble(
        ("• ", SEVERITY_STYLE.get(first.severity, "")),
        literal(f"{target} ", "bold"),
        literal(first.code, "bold"),
        ": ",
        literal(first.message),
    )
    if len(findings) > 1:
        codes = ", ".join(f.code for f in findings[1:])
        line.append_text(literal(f"  (+{len(findings) - 1}: {codes})", "dim"))
    return line


def error_line(message: str) -> Text:
    return Text.assemble(("✗ ", "bold red"), literal(message, "red"))


def okr_text(okr_set: OKRSet) -> Text:
    """A set as plain readable lines (examples on the Learn screen)."""
    lines = [literal(okr_set.name or "(unnamed)", "bold")]
    if okr_set.cycle:
        lines.append(literal(f"cycle {okr_set.cycle}", "dim"))
    for oi, objective in enumerate(okr_set.objectives, start=1):
        lines.append(Text.assemble((f"O{oi} ", "bold blue"), literal(objective.title, "bold")))
        for ki, kr in enumerate(objective.key_results, start=1):
            lines.append(Text.assemble((f"  KR{ki} ", "blue"), literal(kr.text)))
    return Text("\n").join(lines)


def version_label(info: VersionInfo) -> Text:
    return Text.assemble((f"v{info.number}", "bold"), " ", literal(info.message, "dim"))


def trend_text(history: Sequence[VersionInfo]) -> Text:
    """``overall 41 → 58 → 80`` oldest first (the sparkline's numbers)."""
    values = [str(v.scores.overall) for v in history if v.scores is not None]
    if not values:
        return Text("no scores", style="dim")
    shown = values if len(values) <= 8 else [*values[:2], "…", *values[-5:]]
    return Text.assemble(("overall ", "bold"), " → ".join(shown))


BARS = "▁▂▃▄▅▆▇█"


def score_sparkline(values: Sequence[int], *, last: int = 16) -> Text:
    """Two rows of bars on the fixed 0-100 scale, one bar per version (the latest
    ``last``): 78 → 80 is a small step, not a jump from the bottom to the top as a
    sparkline scaled to its own minimum and maximum would draw it."""
    rows = ["", ""]
    for value in values[-last:]:
        level = round(max(0, min(value, 100)) * 16 / 100)  # 0..16 eighths of two rows
        bottom, top = min(level, 8), max(level - 8, 0)
        rows[0] += (BARS[top - 1] if top else " ") * 2 + " "
        rows[1] += (BARS[bottom - 1] if bottom else " ") * 2 + " "
    return Text("\n".join(rows), style="cyan")


__all__ = [
    "SPINNER",
    "delta_text",
    "error_line",
    "finding_card",
    "hint_line",
    "okr_text",
    "overall_cell",
    "score_block",
    "score_sparkline",
    "target_heading",
    "trend_text",
    "version_label",
]
