"""The rewrites a review offers with its top changes, and the guard every one passes.

Offline, the rubric writes only the fixes it can make without inventing facts
(:func:`mechanical_rewrite`); the facilitator's rewrites come from the model. Both go
through :func:`guarded_rewrite`: numbers the author never wrote become placeholders,
and the rewrite is scored by the one rewrite scorer (``rubric.rewrites.score_rewrite``)
and dropped when it would make the target or the set score worse.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.ids import TargetId
from assistant.measure import extract
from assistant.model import KeyResult, Objective, OKRSet, Rewrite, SetCritique
from assistant.rubric.engine import check_no_baseline, check_no_deadline, check_objective_number
from assistant.rubric.rewrites import score_rewrite, target_scores
from assistant.rubric.rules import load_rubric

# Rules whose fix the rubric can write without inventing facts (see mechanical_rewrite).
MECHANICAL = frozenset({"OBJ-HAS-NUMBER", "KR-NO-BASELINE", "KR-NO-DEADLINE"})
# Remarks a mechanical rewrite can leave open without being a half fix.
HARMLESS = frozenset({"REVIEW-DATA-SOURCE", "REVIEW-JARGON", "REVIEW-GUARDRAIL", "SET-DUPLICATE"})


def mechanical_rewrite(okr_set: OKRSet, target: str, codes: Sequence[str]) -> str | None:
    """The rewrite the rubric can give without inventing facts: the objective without its
    number (OBJ-HAS-NUMBER), ``from [baseline]`` (KR-NO-BASELINE), ``by [deadline]``
    (KR-NO-DEADLINE). None unless those are the only problems ``codes`` name for ``target``
    (a vague or activity key result needs the author's own words, not a template)."""
    tid = TargetId.try_parse(target)
    if (
        tid is None
        or tid.is_set
        or not set(codes) & MECHANICAL
        or set(codes) - MECHANICAL - HARMLESS
    ):
        return None  # a rewrite that leaves the main problem in place is no rewrite
    rubric = load_rubric()
    part = okr_set.locate(tid)
    if isinstance(part, Objective):
        if "OBJ-HAS-NUMBER" not in codes:
            return None
        rule = rubric.rule("OBJ-HAS-NUMBER").model_copy(update={"suggestion": "{without}"})
        found = check_objective_number(rule, Objective(title=part.title), str(tid))
        return found[0].suggestion if found else None
    if not isinstance(part, KeyResult):
        return None
    text = part.text
    if "KR-NO-BASELINE" in codes:
        rule = rubric.rule("KR-NO-BASELINE").model_copy(update={"suggestion": "{rewrite}"})
        current = part.model_copy(update={"text": text})
        found = check_no_baseline(rule, current, str(tid), extract(text))
        text = found[0].suggestion if found else text
    if "KR-NO-DEADLINE" in codes:
        rule = rubric.rule("KR-NO-DEADLINE").model_copy(
            update={"suggestion": "{text} by [deadline]"}
        )
        current = part.model_copy(update={"text": text})
        found = check_no_deadline(rule, current, str(tid), extract(text), okr_set)
        text = found[0].suggestion if found else text
    return text if text != part.text else None


def guarded_rewrite(
    okr_set: OKRSet, target: str, text: str | None, base: SetCritique
) -> tuple[str | None, int | None, list[str]]:
    """``(rewrite, score_delta, invented numbers)``: numbers not in the target's own text
    → placeholders, then scored; no rewrite when it says nothing new, is not a plausible
    objective or KR (a code, empty, a question), or does not improve the score."""
    from assistant.llm.guards import implausible_rewrite, replace_invented

    tid = TargetId.try_parse(target)
    if not text or tid is None or tid.is_set:
        return None, None, []
    placed = replace_invented(" ".join(text.split()), okr_set, str(tid))
    original = okr_set.target_text(tid)
    if placed.text.strip() == original.strip() or implausible_rewrite(placed.text, original):
        return None, None, []
    scored = score_rewrite(okr_set, tid, placed.text, base=base)
    if scored is None or _worse(scored, base, tid) or _no_better(scored, base, tid):
        return None, None, placed.invented
    return placed.text, scored.score_delta, placed.invented


def _no_better(rewrite: Rewrite, base: SetCritique, target: TargetId) -> bool:
    """Neither the set's score nor the target's own rises: not worth offering."""
    before = target_scores(base, target)
    after = rewrite.scores.overall if rewrite.scores is not None else None
    return (rewrite.score_delta or 0) == 0 and (before is None or after == before.overall)


def _worse(rewrite: Rewrite, base: SetCritique, target: TargetId) -> bool:
    """The drop policy of the LLM guards: worse for the set, or for the target itself."""
    before = target_scores(base, target)
    if before is None or rewrite.scores is None:
        return True
    if rewrite.score_delta is None:  # only blanks to fill: judged by the target's own score
        return rewrite.scores.overall < before.overall
    return rewrite.score_delta < 0 or rewrite.scores.overall < before.overall
