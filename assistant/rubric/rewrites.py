"""Scoring a rewrite: the one place that says what replacing a target's text would do.

Rules checks, the LLM guards, peer reviews and the TUI all offer rewrites; each is
scored here, by the rules engine, on the set with that target replaced. Placeholders
(``[baseline]``) would read as "no number", so a rewrite is scored as if they were
filled in (sentinel values) and the findings' evidence is mapped back to the text
the user sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.ids import TargetId
from assistant.model import KeyResult, Objective, OKRSet, Rewrite, Scores, SetCritique

PLACEHOLDER_RE = re.compile(r"\[([A-Za-z][\w\s%$-]{0,30})\]")

# What a placeholder stands for while the rules engine scores a rewrite.
SENTINELS = {"baseline": "100", "target": "150", "number": "150", "deadline": "end of the cycle"}


def placeholder_role(name: str) -> str:
    """The role of a placeholder from its name: baseline, target, deadline or number."""
    low = name.lower()
    if any(w in low for w in ("baseline", "current", "today", "start", "from")):
        return "baseline"
    if any(w in low for w in ("deadline", "date", "when", "quarter", "month", "cycle")):
        return "deadline"
    if "target" in low or "goal" in low:
        return "target"
    return "number"


def placeholders(text: str, original: str = "") -> tuple[str, ...]:
    """``[baseline]``-style blanks in ``text`` that were not already in the user's own text."""
    found = (m.group(0) for m in PLACEHOLDER_RE.finditer(text))
    return tuple(p for p in dict.fromkeys(found) if p not in original)


@dataclass
class Filled:
    """A rewrite with its placeholders filled by sentinels, and how to map spans back."""

    text: str
    edits: list[tuple[int, int, int, int]]  # (shown_start, shown_end, filled_start, filled_end)

    def to_shown(self, shown: str, start: int, end: int) -> str:
        """The part of the shown text that the filled span ``[start, end)`` came from."""

        def point(p: int, is_end: bool) -> int:
            delta = 0
            for s0, s1, f0, f1 in self.edits:
                if p < f0:
                    break
                if p < f1 or (is_end and p == f1):
                    return s1 if is_end else s0
                delta = s1 - f1
            return p + delta

        return shown[point(start, False) : point(end, True)]


def fill_placeholders(text: str) -> Filled:
    out, edits, pos, filled_len = [], [], 0, 0
    for match in PLACEHOLDER_RE.finditer(text):
        before = text[pos : match.start()]
        out.append(before)
        filled_len += len(before)
        value = SENTINELS[placeholder_role(match.group(1))]
        edits.append((match.start(), match.end(), filled_len, filled_len + len(value)))
        out.append(value)
        filled_len += len(value)
        pos = match.end()
    out.append(text[pos:])
    return Filled("".join(out), edits)


def target_scores(critique: SetCritique, target: TargetId | str) -> Scores | None:
    """The scores of one objective or KR in a critique (the set's for ``SET``)."""
    wanted = str(target)
    if wanted == "SET":
        return critique.scores
    for objective in critique.objectives:
        if objective.id == wanted:
            return objective.scores
        for kr in objective.key_results:
            if kr.id == wanted:
                return kr.scores
    return None


Critique = Callable[[OKRSet], SetCritique]


def score_rewrite(
    okr_set: OKRSet,
    target: TargetId | str,
    shown: str,
    *,
    base: SetCritique | None = None,
    critique: Critique | None = None,
) -> Rewrite | None:
    """``shown`` as a scored ``Rewrite`` of ``target``: the target's new scores, its
    findings (evidence quoted from ``shown``) and ``score_delta``, the change of the
    whole set's overall score. None when it cannot be applied (unknown or ``SET``
    target, empty text). Whether a worse rewrite is still offered is the caller's call.
    """
    from assistant.rubric.critic import critique_set

    run = critique or (lambda s: critique_set(s, rewrites=False))
    tid = target if isinstance(target, TargetId) else TargetId.try_parse(target)
    shown = " ".join(shown.split())
    if tid is None or tid.is_set or not shown:
        return None
    try:
        part = okr_set.locate(tid)
    except IndexError:
        return None
    if not isinstance(part, Objective | KeyResult):
        return None
    filled = fill_placeholders(shown)
    base = base or run(okr_set)
    after_critique = run(okr_set.with_text(tid, filled.text))
    after = target_scores(after_critique, tid)
    if after is None:
        return None
    findings = []
    for finding in after_critique.findings:
        if finding.target != str(tid):
            continue
        start = filled.text.find(finding.evidence)
        evidence = (
            filled.to_shown(shown, start, start + len(finding.evidence)) if start >= 0 else shown
        )
        findings.append(finding.model_copy(update={"evidence": evidence or shown}))
    return Rewrite(
        text=shown,
        scores=after,
        score_delta=after_critique.scores.overall - base.scores.overall,
        findings=findings,
    )
