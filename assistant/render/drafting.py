"""What ``okr draft`` prints besides the YAML: the draft's scores and findings, the
questions it leaves open, the alternatives of ``--improve`` and the dry-run plan.

Plain text for stderr (stdout carries the YAML). Text from a model or an answers file
is cleaned of control characters here, where it reaches the terminal.
"""

from __future__ import annotations

import re

from assistant.domain.drafting import DraftOutcome, Improvement, Question
from assistant.model import DryRunPlan, Finding, KeyResult, Scores
from assistant.rubric.rewrites import placeholders

# Escape sequences and bidi overrides never reach the terminal (as in render.status).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None) -> str:
    """Text from a model or a file, safe for a terminal: no control characters."""
    return " ".join(_CONTROL_RE.sub(" ", text or "").split())


def _scores(scores: Scores | None) -> str:
    if scores is None:
        return "not scored"
    return (
        f"overall {scores.overall}/100 · clarity {scores.clarity} · "
        f"measurability {scores.measurability} · ambition {scores.ambition}"
    )


def _finding(finding: Finding) -> str:
    return f"  {finding.target} {finding.code}: {clean(finding.message)}"


def draft_summary(outcome: DraftOutcome, *, answers_path: str | None = None) -> str:
    """Scores, findings, placeholders to fill and open questions of a new draft."""
    how = "the LLM" if outcome.engine == "llm" else "the guided interview"
    lines = [f"Draft from {how}: {_scores(outcome.critique.scores)}"]
    if outcome.revised:
        lines.append("  (revised once: the rules engine still found errors in the first draft)")
    for invented in outcome.invented:
        tokens = ", ".join(clean(t) for t in invented.tokens)
        lines.append(f"  {invented.target}: numbers you never wrote ({tokens}) became placeholders")
    findings = outcome.critique.findings
    if findings:
        lines.append("Findings:")
        lines += [_finding(f) for f in findings]
    blanks = []
    said = {f.target for f in findings if f.code == "KR-PLACEHOLDER"}  # the rules list them
    for tid, part in outcome.okr_set.iter_targets():
        text = part.text if isinstance(part, KeyResult) else part.title
        found = placeholders(text)
        if found and str(tid) not in said:
            blanks.append(f"  {tid}: {' '.join(found)}")
    if blanks:
        lines.append("To fill in:")
        lines += blanks
    if outcome.open_questions:
        lines.append("Open questions:")
        for question in outcome.open_questions:
            if answers_path and question.line is not None:
                where = f"{answers_path}:{question.line}: "
            else:
                where = f"{question.target}: " if question.target else ""
            lines.append(f"  {where}{clean(question.text)}")
    lines += [f"okr: {clean(note)}" for note in outcome.notes]
    return "\n".join(lines) + "\n"


def question_prompt(question: Question) -> str:
    """A question as the terminal shows it, with what Enter means."""
    target = "" if question.kr == 0 else f"KR{question.kr} · "
    hint = f" [Enter: {question.enter}]" if question.enter else ""
    lead = "  ↳ " if question.follow_up else "\n"
    return f"{lead}{target}{question.text}{hint}"


def render_improvement(improvement: Improvement) -> str:
    """The alternatives of one KR, best first, each with its scores and findings."""
    lines = [
        f"{improvement.target}: {clean(improvement.text)}",
        f"  now: {_scores(improvement.scores)}",
    ]
    if not improvement.rewrites:
        lines.append(
            "  No alternative scored: the rules engine offers no rewrite of this key result"
            if improvement.engine == "rules"
            else "  The model's alternatives could not be applied"
        )
    for number, rewrite in enumerate(improvement.rewrites, start=1):
        delta = rewrite.score_delta or 0
        lines.append(f"\n{number}. {clean(rewrite.text)}")
        lines.append(f"   {delta:+d} for the set · {_scores(rewrite.scores)}")
        if rewrite.invented_numbers:
            lines.append(
                f"   numbers you never wrote ({', '.join(rewrite.invented_numbers)}) "
                "became placeholders"
            )
        lines += [f"   {f.code}: {clean(f.message)}" for f in rewrite.findings]
    if improvement.engine == "rules" and improvement.rewrites:
        lines.append("\n(offline: the rules engine's own rewrites; --engine llm asks a model)")
    return "\n".join(lines) + "\n"


def render_draft_dry_run(plan: DryRunPlan, *, note: str = "") -> str:
    """The messages one drafting request would send, and the estimate."""
    from assistant.llm.cost import format_cost

    out = [
        f"Dry run: nothing is sent. Endpoint {plan.base_url}, model {plan.model}, "
        f"prompt {plan.prompt}, response_format {plan.response_format}.",
        "",
    ]
    for item in plan.items:
        for message in item.messages:
            out += [f"--- {message['role']} ---", str(message["content"])]
    out += [
        "",
        f"Would send {plan.requests} request: ~{plan.estimated_prompt_tokens} prompt + "
        f"~{plan.estimated_completion_tokens} completion tokens (estimated at 4 characters "
        f"per token), cost ~{format_cost(plan.estimated_cost_usd)}.",
    ]
    if note:
        out.append(note)
    return "\n".join(out) + "\n"
