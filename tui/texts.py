"""Rich ``Text`` builders for the screens.

Every piece of user text (OKR titles, key results, draft names, messages) goes
into a ``Text`` object and is never parsed as markup, so ``[bold]`` or
``[link=…]`` typed in an OKR shows literally.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text

from assistant.model import Finding, OKRSet, Scores
from assistant.store.models import Diff, ItemChange, VersionInfo
from tui.suggestions import Suggestion

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def score_bar(label: str, value: int, maximum: int = 5) -> Text:
    """``clarity       ███░░ 3/5`` coloured by level."""
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
    style = "red" if scores.overall < 50 else "yellow" if scores.overall < 75 else "green"
    return Text(f"{scores.overall:>3}", style=f"bold {style}")


def delta_text(delta: int | None) -> Text:
    if delta is None:
        return Text("")
    style = "green" if delta > 0 else "red" if delta < 0 else "dim"
    return Text(f"{delta:+d}", style=style)


def target_heading(target: str, text: str, evidence: Iterable[str]) -> Text:
    """``O1.KR2  Raise …`` with every quoted piece of evidence highlighted."""
    body = Text(text)
    for piece in evidence:
        if piece and piece != text:
            start = text.find(piece)
            if start >= 0:
                body.stylize("bold underline magenta", start, start + len(piece))
    return Text.assemble((f"{target} ", "bold blue"), body)


def finding_card(finding: Finding, suggestion: Suggestion | None, target_text: str = "") -> Text:
    """One finding: code and quoted evidence, message, coaching question, then the
    rewrite with its score change, or the advice when there is no rewrite."""
    head = Text.assemble(
        (f"{finding.severity.upper()} ", SEVERITY_STYLE.get(finding.severity, "")),
        (finding.code, "bold"),
        (" (llm)" if finding.source == "llm" else "", "dim italic"),
    )
    if finding.evidence and finding.evidence != target_text:
        head.append_text(Text.assemble(" “", (finding.evidence, "magenta"), "”"))
    parts = [head]
    parts.append(Text(finding.message))
    parts.append(Text.assemble(("? ", "bold cyan"), (finding.question, "italic")))
    if suggestion is not None:
        line = Text.assemble(("✎ ", "bold green"), Text(suggestion.text))
        if suggestion.delta is not None:
            line.append("  ")
            line.append_text(delta_text(suggestion.delta))
        parts.append(line)
        if suggestion.placeholders:
            parts.append(
                Text(f"  fill in {', '.join(suggestion.placeholders)} (e: edit)", style="dim")
            )
    else:
        parts.append(Text.assemble(("→ ", "bold green"), Text(finding.suggestion)))
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
        (f"{target} ", "bold"),
        (first.code, "bold"),
        ": ",
        Text(first.message),
    )
    if len(findings) > 1:
        line.append(f"  (+{len(findings) - 1}: {', '.join(f.code for f in findings[1:])})", "dim")
    return line


def error_line(message: str) -> Text:
    return Text.assemble(("✗ ", "bold red"), Text(message, style="red"))


def okr_text(okr_set: OKRSet) -> Text:
    """A set as plain readable lines (examples on the Learn screen)."""
    lines = [Text(okr_set.name or "(unnamed)", style="bold")]
    if okr_set.cycle:
        lines.append(Text(f"cycle {okr_set.cycle}", style="dim"))
    for oi, objective in enumerate(okr_set.objectives, start=1):
        lines.append(Text.assemble((f"O{oi} ", "bold blue"), Text(objective.title, style="bold")))
        for ki, kr in enumerate(objective.key_results, start=1):
            lines.append(Text.assemble((f"  KR{ki} ", "blue"), Text(kr.text)))
    return Text("\n").join(lines)


def version_label(info: VersionInfo) -> Text:
    return Text.assemble((f"v{info.number}", "bold"), " ", Text(info.message, style="dim"))


def trend_text(history: Sequence[VersionInfo]) -> Text:
    """``overall 41 → 58 → 80`` oldest first (the sparkline's numbers)."""
    values = [str(v.scores.overall) for v in history if v.scores is not None]
    if not values:
        return Text("no scores", style="dim")
    shown = values if len(values) <= 8 else [*values[:2], "…", *values[-5:]]
    return Text.assemble(("overall ", "bold"), " → ".join(shown))


def _score_change(old: Scores | None, new: Scores | None) -> Text:
    if old is None or new is None:
        return Text("")
    return Text.assemble(
        (f"  {old.overall}→{new.overall} ", "dim"), delta_text(new.overall - old.overall)
    )


def _item_lines(change: ItemChange, indent: str, label: str) -> list[Text]:
    ident = change.new_id or change.old_id or ""
    if change.kind == "added":
        return [
            Text.assemble(
                (f"{indent}+ {ident} ", "bold green"), Text(change.new_text or "", style="green")
            )
        ]
    if change.kind == "removed":
        return [
            Text.assemble(
                (f"{indent}- {ident} ", "bold red"), Text(change.old_text or "", style="red")
            )
        ]
    if change.kind == "unchanged":
        return [
            Text.assemble((f"{indent}  {ident} ", "dim"), Text(change.new_text or "", style="dim"))
        ]
    lines = []
    if change.old_text != change.new_text:
        lines.append(
            Text.assemble(
                (f"{indent}~ {ident} ", "bold yellow"),
                Text(change.old_text or "", style="red strike"),
            )
        )
        lines.append(
            Text.assemble(
                (f"{indent}  {' ' * len(ident)} ", ""),
                Text(change.new_text or "", style="green"),
                _score_change(change.old_scores, change.new_scores),
            )
        )
    else:
        lines.append(
            Text.assemble(
                (f"{indent}~ {ident} ", "bold yellow"),
                Text(change.new_text or ""),
                _score_change(change.old_scores, change.new_scores),
            )
        )
    for field in change.fields:
        lines.append(
            Text.assemble(
                (f"{indent}    {label}{field.field}: ", "dim"),
                Text(str(field.old), style="red"),
                " → ",
                Text(str(field.new), style="green"),
            )
        )
    return lines


def diff_text(diff: Diff) -> Text:
    """A version diff: header with score deltas, then objectives and KRs marked + - ~."""
    d = diff.delta
    lines = [
        Text.assemble(
            ("v", "bold"),
            (str(diff.old.number), "bold"),
            " → ",
            (f"v{diff.new.number}", "bold"),
            "   overall ",
            f"{diff.old_scores.overall} → {diff.new_scores.overall} ",
            delta_text(d.overall),
        ),
        Text.assemble(
            "clarity ",
            delta_text(d.clarity),
            "  measurability ",
            delta_text(d.measurability),
            "  ambition ",
            delta_text(d.ambition),
            style="dim",
        ),
    ]
    for field in diff.set_fields:
        lines.append(
            Text.assemble(
                (f"{field.field}: ", "bold"),
                Text(str(field.old), style="red"),
                " → ",
                Text(str(field.new), style="green"),
            )
        )
    if not diff.changed:
        lines.append(Text("No changes between these versions.", style="dim"))
    for objective in diff.objectives:
        lines += _item_lines(objective, "", "")
        for kr in objective.key_results:
            if kr.kind != "unchanged" or objective.kind != "unchanged":
                lines += _item_lines(kr, "  ", "")
    return Text("\n").join(lines)


def literal(text: str, style: str = "") -> Text:
    """User text as-is (no markup)."""
    return Text(text, style=style)


__all__ = [
    "SPINNER",
    "delta_text",
    "diff_text",
    "error_line",
    "finding_card",
    "hint_line",
    "literal",
    "okr_text",
    "overall_cell",
    "score_block",
    "target_heading",
    "trend_text",
    "version_label",
]
