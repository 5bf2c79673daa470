"""Critique use cases for the rules engine (the LLM engine lives in ``services.coach``)."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.model import Finding, KeyResult, OKRSet, Report, SetCritique
from assistant.rubric.engine import duplicate_findings, kr_findings, order_findings, set_findings
from assistant.rubric.rules import load_rubric
from assistant.rubric.scoring import score_set


def critique_sets(sets: Sequence[OKRSet]) -> Report:
    """Critique every set; near-duplicate KRs are compared across the sets of one file."""
    rubric = load_rubric()
    duplicates = duplicate_findings(sets, rubric)
    critiques = [
        score_set(okr_set, order_findings(set_findings(okr_set, rubric) + dups), rubric=rubric)
        for okr_set, dups in zip(sets, duplicates, strict=True)
    ]
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return critique_sets([okr_set]).sets[0]


def hints_for_key_result(text: str, okr_set: OKRSet | None = None) -> list[Finding]:
    """Live hints while someone types one key result (rules engine only; cheap)."""
    if not text.strip():
        return []
    return kr_findings(KeyResult(text=text), "KR", okr_set or OKRSet(), load_rubric())
