"""Renderers: pure functions from a ``Report`` to text, Markdown or SPEC §5 JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from assistant import forking

if TYPE_CHECKING:  # the CLI imports OUTPUT_FORMATS at start-up; keep pydantic out of that path
    from assistant.model import Finding, Report, Scores, SetCritique

OUTPUT_FORMATS = ("text", "markdown", "json")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def _scores(scores: Scores) -> dict[str, int]:
    return {
        "clarity": scores.clarity,
        "measurability": scores.measurability,
        "ambition": scores.ambition,
        "overall": scores.overall,
    }


def _finding_json(f: Finding) -> dict[str, Any]:
    """SPEC §5 finding; a ``rewrite`` carries its text, scores, score_delta and findings
    (a field that is not set is left out)."""
    data: dict[str, Any] = {"code": f.code, "target": f.target}
    if f.line is not None:
        data["line"] = f.line
    data["dimension"] = f.dimension
    data["severity"] = f.severity
    data["evidence"] = f.evidence
    data["message"] = f.message
    data["question"] = f.question
    data["suggestion"] = f.suggestion
    data["source"] = f.source
    rewrite = f.rewrite
    if rewrite is not None:
        offered: dict[str, Any] = {"text": rewrite.text}
        if rewrite.scores is not None:
            offered["scores"] = _scores(rewrite.scores)
        if rewrite.score_delta is not None:
            offered["score_delta"] = rewrite.score_delta
        offered["findings"] = [_finding_json(g) for g in rewrite.findings]
        offered["invented_numbers"] = list(rewrite.invented_numbers)
        data["rewrite"] = offered
    return data


def set_json(critique: SetCritique, *, findings: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": critique.source,
        "index": critique.index,
        "name": critique.name,
        "engine": critique.engine,
        "scores": _scores(critique.scores),
        "objectives": [
            {
                "id": o.id,
                "title": o.text,
                "line": o.line,
                "scores": _scores(o.scores),
                "key_results": [
                    {"id": k.id, "text": k.text, "line": k.line, "scores": _scores(k.scores)}
                    for k in o.key_results
                ],
            }
            for o in critique.objectives
        ],
    }
    if findings:
        data["findings"] = [_finding_json(f) for f in critique.findings]
    if critique.error:
        data["error"] = critique.error
    return data


def _after_sets(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = {"summary": report.summary()}
    if report.guards is not None:  # SPEC §5: what the LLM guards kept and dropped
        from assistant.render.llm_usage import guards_json

        requests = report.usage.requests if report.usage is not None else 0
        data["summary"]["llm"] = guards_json(report.guards, requests)
    if report.errors:
        data["errors"] = report.errors
    if report.usage is not None:
        data["usage"] = report.usage.as_json()
    return data


def to_json_data(report: Report) -> dict[str, Any]:
    return {
        "version": 1,
        "engine": report.engine,
        "sets": [set_json(s) for s in report.sets],
        **_after_sets(report),
    }


PRETTY_JSON_MAX_SETS = 100


def to_json(report: Report) -> str:
    """Indented for people; compact for reports over 100 sets (a team file's report is
    read by programs). Safe on a terminal either way (``json_safe``)."""
    from assistant.domain.text_safety import json_safe

    if len(report.sets) <= PRETTY_JSON_MAX_SETS:
        return json_safe(json.dumps(to_json_data(report), indent=2, ensure_ascii=False) + "\n")

    def compact(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def sets_json(start: int, end: int) -> str:
        """The sets ``[start, end)``, each after a comma but the very first."""
        parts = [compact(set_json(critique)) for critique in report.sets[start:end]]
        return json_safe(("," if start else "") + ",".join(parts))

    # Each set is serialised on its own: a team file's two halves at once (the second
    # in a forked child), joined into the same characters.
    sets = forking.text_in_halves(sets_json, len(report.sets))
    head = compact({"version": 1, "engine": report.engine})
    after = json_safe(compact(_after_sets(report)))
    return f'{head[:-1]},"sets":[{sets}],{after[1:]}\n'


def findings_by_target(critique: SetCritique) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for f in critique.findings:
        grouped[f.target].append(f)
    for findings in grouped.values():
        findings.sort(key=lambda f: SEVERITY_ORDER.get(f.severity, 3))
    return grouped


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_quote(text: str, evidence: str) -> str:
    """The target text with the evidence in bold, so the reader sees what the finding is about."""
    if evidence and evidence in text and evidence != text:
        start = text.index(evidence)
        return f"{text[:start]}**{evidence}**{text[start + len(evidence) :]}"
    return text


def _score_line(scores: Scores) -> str:
    return (
        f"clarity {scores.clarity}/5 · measurability {scores.measurability}/5 · "
        f"ambition {scores.ambition}/5 · **overall {scores.overall}/100**"
    )


def to_markdown(report: Report) -> str:
    out: list[str] = [f"# OKR critique ({report.engine} engine)", ""]
    for critique in report.sets:
        title = critique.name or f"Set {critique.index}"
        out += [
            f"## {title}",
            "",
            f"_{critique.source or ''}_ — {_score_line(critique.scores)}",
            "",
        ]
        if critique.error:
            out += [f"> **Could not finish:** {critique.error}", ""]
        grouped = findings_by_target(critique)
        for f in grouped.get("SET", []):
            out += _md_finding(f, critique.name or "")
        for objective in critique.objectives:
            out += [f"### {objective.id} {objective.text}", "", _score_line(objective.scores), ""]
            for f in grouped.get(objective.id, []):
                out += _md_finding(f, objective.text)
            for kr in objective.key_results:
                kr_findings = grouped.get(kr.id, [])
                mark = "✓" if not kr_findings else f"{kr.scores.overall}/100"
                out.append(f"- **{kr.id}** {kr.text} — {mark}")
                for f in kr_findings:
                    out += ["", *("  " + line if line else "" for line in _md_finding(f, kr.text))]
                out.append("")
        if not critique.findings:
            out += ["No findings: this set reads like a coach's good example.", ""]
    from assistant.domain.plural import report_counts

    out.append(f"**Summary:** {', '.join(report_counts(report.summary()))}.")
    for error in report.errors:
        out.append(f"- error: {error}")
    return "\n".join(out).rstrip() + "\n"


def _md_finding(f: Finding, text: str) -> list[str]:
    lines = [
        f"- **{f.code}** ({f.dimension}, {f.severity}) — {_md_escape(f.message)}",
        f"  - Quote: {_md_quote(text, f.evidence)}",
        f"  - Coach asks: _{f.question}_",
        f"  - Try: {f.suggestion}",
    ]
    if f.rewrite is not None:
        delta = f" ({f.rewrite.score_delta:+d})" if f.rewrite.score_delta is not None else ""
        lines.append(f"  - Rewrite{delta}: {f.rewrite.text}")
    return lines


def render(report: Report, fmt: str, *, color: bool | None = None, width: int | None = None) -> str:
    """The report in ``fmt``; text from files or models can never put a raw control
    character on the terminal (JSON keeps it as ``\\uXXXX``, the rest shows ``\\x1b``)."""
    from assistant.domain.text_safety import safe_text

    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return safe_text(to_markdown(report))
    from assistant.render.text import to_text

    return to_text(report, color=color, width=width)


def ago(moment: datetime, now: datetime | None = None) -> str:
    """'just now', '5 min ago', '3 h ago', '2 days ago', else the local date (CLI and TUI)."""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 7 * 86400:
        days = int(seconds // 86400)
        return f"{days} day{'s' if days > 1 else ''} ago"
    return moment.astimezone().strftime("%Y-%m-%d")
