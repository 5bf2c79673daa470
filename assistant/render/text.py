"""The terminal rendering: score bars, findings under the text they are about, evidence marked.

The report is first laid out as indented lines of styled spans. On a terminal the
spans become Rich ``Text`` (colours, wrapping with hanging indent); anywhere else the
same lines are wrapped greedily — ten times faster than Rich for a team file
of thousands of key results. User text is only ever placed in spans, never parsed as
markup, so ``[bold]`` in an OKR prints literally.
"""

from __future__ import annotations

import io
import unicodedata
from typing import TYPE_CHECKING

from assistant import forking
from assistant.domain.plural import report_counts
from assistant.domain.text_safety import is_safe, safe_text
from assistant.model import Finding, Report, SetCritique
from assistant.render import findings_by_target
from assistant.render.bars import Span, overall_spans, score_bar_spans

if TYPE_CHECKING:
    from rich.console import Console

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


# One report line: its indent and its styled spans. A plain tuple: a team file's report
# has ~70,000 of them, and building a named tuple costs ten times as much.
Line = tuple[int, tuple[Span, ...]]


def _line(indent: int, *spans: Span | str) -> Line:
    return (indent, tuple((s, "") if isinstance(s, str) else s for s in spans))


def highlighted(text: str, evidence: str) -> tuple[Span, ...]:
    """The user's text with the quoted evidence marked."""
    if evidence and evidence in text:
        start = text.index(evidence)
        end = start + len(evidence)
        return ((text[:start], ""), (text[start:end], "bold underline magenta"), (text[end:], ""))
    return ((text, ""),)


def _finding_lines(finding: Finding, text: str, indent: int) -> list[Line]:
    inner = indent + 2
    severity = finding.severity
    lines: list[Line] = [
        (
            indent,
            (
                (f"{severity.upper():<8}", SEVERITY_STYLE.get(severity, "")),
                (finding.code, "bold"),
                (f"  {finding.dimension}", "dim"),
                ("  (llm)" if finding.source == "llm" else "", "dim"),
            ),
        )
    ]
    evidence = finding.evidence
    if evidence and evidence != text:
        lines.append((inner, (("“", ""), *highlighted(text, evidence), ("”", ""))))
    lines.append((inner, ((finding.message, ""),)))
    lines.append((inner, (("? ", "bold cyan"), (finding.question, "italic"))))
    lines.append((inner, (("→ ", "bold green"), (finding.suggestion, ""))))
    rewrite = finding.rewrite
    if rewrite is not None:
        delta = rewrite.score_delta
        lines.append(
            (
                inner,
                (
                    ("✎ ", "bold green"),
                    (rewrite.text, ""),
                    (f"  ({delta:+d})" if delta is not None else "", "green"),
                ),
            )
        )
    return lines


_BLANK: Line = (0, ())


def set_lines(critique: SetCritique) -> list[Line]:
    title = critique.name or f"Set {critique.index}"
    s = critique.scores
    out: list[Line] = [
        _line(
            0,
            ("▌ ", "bold blue"),
            (title, "bold"),
            (f"  {critique.source or ''}#{critique.index}", "dim"),
            (f"  [{critique.engine}]", "dim"),
        ),
        (2, score_bar_spans("clarity", s.clarity)),
        (2, score_bar_spans("measurability", s.measurability)),
        (2, score_bar_spans("ambition", s.ambition)),
        (2, overall_spans(s)),
        _BLANK,
    ]
    if critique.error:
        out.append(_line(2, (f"could not finish: {critique.error}", "bold red")))
    grouped = findings_by_target(critique)
    for f in grouped.get("SET", []):
        out += _finding_lines(f, critique.name or "", 2)
    for objective in critique.objectives:
        out.append(
            (
                2,
                (
                    (f"{objective.id} ", "bold blue"),
                    (objective.text, "bold"),
                    (f"  {objective.scores.overall}/100", "dim"),
                ),
            )
        )
        for f in grouped.get(objective.id, []):
            out += _finding_lines(f, objective.text, 4)
        for kr in objective.key_results:
            kr_findings = grouped.get(kr.id, [])
            mark = _DONE if not kr_findings else _OPEN
            out.append(
                (
                    4,
                    (
                        mark,
                        (f"{kr.id} ", "bold"),
                        (kr.text, ""),
                        (f"  {kr.scores.overall}/100", "dim"),
                    ),
                )
            )
            for f in kr_findings:
                out += _finding_lines(f, kr.text, 6)
        out.append(_BLANK)
    if not critique.findings and not critique.error:
        out.append(_line(2, ("No findings: this set reads like a coach's good example.", "green")))
    return out


_DONE: Span = ("✓ ", "green")
_OPEN: Span = ("• ", "yellow")


def report_lines(report: Report) -> list[Line]:
    return [line for critique in report.sets for line in set_lines(critique)] + _tail_lines(report)


def _tail_lines(report: Report) -> list[Line]:
    """What follows the sets: the LLM guards' counts, the summary, the errors."""
    lines: list[Line] = []
    if report.guards is not None:  # what the LLM guards kept and dropped (SPEC §5)
        from assistant.render.llm_usage import guards_line

        lines.append(_line(0, (guards_line(report.guards), "dim")))
    s = report.summary()
    lines.append(
        _line(
            0,
            (
                " · ".join(report_counts(s)),
                "bold",
            ),
        )
    )
    lines += [_line(0, (f"error: {error}", "bold red")) for error in report.errors]
    return lines


def _wrap(text: str, width: int, indent: int) -> list[str]:
    """Greedy word wrap with a hanging indent (textwrap is several times slower). Words
    are split on single spaces, so runs of spaces are kept inside a row; a row's first
    word follows its indent directly, and a row never holds only whitespace."""
    pad = " " * indent
    if len(text) + indent <= width:
        return [pad + text]
    rows: list[str] = []
    row = [pad]
    length = indent
    blank = True  # the row holds nothing but whitespace so far
    for word in text.split(" "):
        if not blank and length + len(word) + 1 > width:
            rows.append("".join(row))
            row = [pad, "  "]
            length = indent + 2
            blank = True
        if blank:
            row.append(word)
            length += len(word)
            blank = not word or word.isspace()
        else:
            row.append(" ")
            row.append(word)
            length += len(word) + 1
    rows.append("".join(row))
    return rows


def _plain(lines: list[Line], width: int) -> str:
    out: list[str] = []
    pads = [" " * n for n in range(16)]
    for indent, spans in lines:
        text = "".join([part for part, _ in spans])
        if not text:
            out.append("")
        elif len(text) + indent <= width and indent < 16:  # most lines: no wrap
            out.append(pads[indent] + text)
        else:
            out.extend(_wrap(text, width, indent))
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
    """The coloured report, as Rich prints each line (a ``Text``, indented by a
    ``Padding``). A line of one-cell characters is written here, from Rich's own wrap and
    styles — a thousand sets in a second instead of ten; any other line (tabs, wide,
    combining or unsafe characters) is printed by Rich."""
    from rich.padding import Padding
    from rich.text import Text

    buffer = io.StringIO()
    console = make_console(buffer, color=True, width=width)
    direct = console.color_system == "standard" and not console.legacy_windows
    writer = _LineWriter(console)
    for indent, spans in lines:
        plain = "".join([part for part, _ in spans])
        if direct and _simple(plain):
            buffer.write(writer.line(indent, spans, plain, width))
            continue
        text = Text.assemble(*spans)
        console.print(Padding(text, (0, 0, 0, indent), expand=False) if indent else text)
    return "\n".join(row.rstrip() for row in buffer.getvalue().splitlines()) + "\n"


class _LineWriter:
    """What ``console.print`` writes for one line of spans: the indent, then each styled
    span as its own escape sequence and the unstyled runs between them as they are."""

    def __init__(self, console: Console) -> None:
        from rich.color import ColorSystem

        self.console = console
        self.system = ColorSystem.STANDARD
        self.styled: dict[tuple[str, str], str] = {}  # labels, marks and codes repeat

    def style(self, part: str, style: str) -> str:
        key = (part, style)
        shown = self.styled.get(key)
        if shown is None:
            shown = self.console.get_style(style).render(part, color_system=self.system)
            if len(part) < 40:
                self.styled[key] = shown
        return shown

    def line(self, indent: int, spans: tuple[Span, ...], plain: str, width: int) -> str:
        pad = " " * indent
        if len(plain) + indent <= width:  # fits: Rich leaves it as it is
            return pad + self.segments(spans) + "\n"
        from rich.text import Text

        rows = Text.assemble(*spans).wrap(  # Rich's wrap, as Text.__rich_console__ asks
            self.console, width - indent, justify="default", overflow="fold", no_wrap=False
        )
        out = []
        for row in rows:
            text = row.plain
            parts: list[Span] = []
            pos = 0
            for span in sorted(row.spans, key=lambda span: (span.start, span.end)):
                parts.append((text[pos : span.start], ""))
                parts.append((text[span.start : span.end], str(span.style)))
                pos = span.end
            parts.append((text[pos:], ""))
            out.append(pad + self.segments(tuple(parts)) + "\n")
        return "".join(out)

    def segments(self, spans: tuple[Span, ...]) -> str:
        out: list[str] = []
        run: list[str] = []
        for part, style in spans:
            if not part:
                continue
            if not style:
                run.append(part)
                continue
            if run:
                out.append("".join(run))
                run = []
            out.append(self.style(part, style))
        if run:
            out.append("".join(run))
        return "".join(out)


def _simple(plain: str) -> bool:
    """Text Rich measures by its length and prints as it is: no tab, nothing to escape,
    every character one cell wide (wide, combining and zero-width ones are Rich's)."""
    if "\t" in plain:
        return False
    if not plain.isascii() and not all(_one_cell(ch) for ch in set(plain) if ord(ch) > 127):
        return False
    return is_safe(plain)


_ONE_CELL: dict[str, bool] = {}


def _one_cell(char: str) -> bool:
    """A printable character that takes exactly one terminal cell (é, “, ✎, █)."""
    known = _ONE_CELL.get(char)
    if known is None:
        from rich.cells import get_character_cell_size

        known = _ONE_CELL[char] = (
            unicodedata.category(char)[0] in "LNPS" and get_character_cell_size(char) == 1
        )
    return known


def to_text(report: Report, *, color: bool | None = None, width: int | None = None) -> str:
    import shutil

    width = width or min(shutil.get_terminal_size((100, 24)).columns, 120)
    if color:
        return _rich(report_lines(report), width)
    sets = report.sets

    def plain_sets(start: int, end: int) -> str:
        return _plain([line for c in sets[start:end] for line in set_lines(c)], width)

    # Each line is laid out on its own, so a team file's sets are written in two halves
    # at once (the second in a forked child) and joined: the same characters.
    body = forking.text_in_halves(plain_sets, len(sets)) if sets else ""
    return body + _plain(_tail_lines(report), width)
