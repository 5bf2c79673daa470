"""The rules critique of sets: findings, scores and scored rewrites, in one process.

This is the domain's engine; ``services.critique`` adds forked workers for big
team files, and ``services.engines`` puts it behind the ``Critic`` protocol next
to the LLM engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.model import Finding, OKRSet, Report, SetCritique
from assistant.rubric.engine import duplicate_findings, order_findings, set_findings
from assistant.rubric.rules import Rubric, load_rubric
from assistant.rubric.scoring import score_set


def critique_from_findings(
    okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric | None = None
) -> SetCritique:
    """Scores for one set from its findings (in document order)."""
    return score_set(okr_set, order_findings(findings), rubric=rubric or load_rubric())


def critique_sets(sets: Sequence[OKRSet], *, rewrites: bool = True) -> Report:
    """Critique every set; near-duplicate KRs are compared across the sets of one file.

    ``rewrites=False`` skips scoring the rules' rewrites (used while scoring one).
    """
    rubric = load_rubric()
    duplicates = duplicate_findings(sets, rubric)
    combined = [set_findings(s, rubric) + d for s, d in zip(sets, duplicates, strict=True)]
    critiques = [
        critique_from_findings(okr_set, findings, rubric)
        for okr_set, findings in zip(sets, combined, strict=True)
    ]
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet, *, rewrites: bool = True) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return critique_sets([okr_set], rewrites=rewrites).sets[0]
