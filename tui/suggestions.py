"""Turn findings into acceptable suggestions: the rewrite text, its placeholders, its delta.

Rules and LLM findings carry their rewrite as data (``Finding.rewrite``, scored by
``rubric.rewrites.score_rewrite``); a finding without one is advice only, and the user
writes the fix (edit, then accept).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.model import Finding, OKRSet
from assistant.rubric.rewrites import placeholders, score_rewrite

__all__ = ["Suggestion", "placeholders", "suggestion_for", "with_delta"]


@dataclass(frozen=True)
class Suggestion:
    """What accepting a finding would write into its target."""

    text: str
    placeholders: tuple[str, ...]
    delta: int | None = None
    guided: bool = False  # the user's own text with blanks (the template's KRs) to fill in

    @property
    def ready(self) -> bool:
        """True when it can be accepted as is (no ``[baseline]``-style blanks left)."""
        return not self.placeholders


def suggestion_for(finding: Finding, okr_set: OKRSet | None) -> Suggestion | None:
    """The rewrite offered by ``finding`` (None: advice only, the user writes the fix)."""
    rewrite = finding.rewrite
    if finding.target == "SET" or okr_set is None:
        return None
    try:
        current = okr_set.target_text(finding.target)
    except (IndexError, ValueError):
        return None
    if rewrite is None:
        return _guided(finding, " ".join(current.split()))
    text = " ".join(rewrite.text.split())
    if not text or text == " ".join(current.split()):
        return None
    return Suggestion(text, placeholders(text, current), rewrite.score_delta)


def _guided(finding: Finding, current: str) -> Suggestion | None:
    """A KR still holding the template's blanks (``[baseline]``…) is offered as a fill-in
    of those blanks rather than as advice only."""
    blanks = placeholders(current)
    if finding.code != "KR-PLACEHOLDER" or not blanks:
        return None
    return Suggestion(current, blanks, guided=True)


def with_delta(suggestion: Suggestion, finding: Finding, okr_set: OKRSet) -> Suggestion:
    """The suggestion with the change of the set's overall score, by ``score_rewrite``
    (blanks like ``[baseline]`` scored as if filled in), when its rewrite had none."""
    if suggestion.delta is not None:
        return suggestion
    scored = score_rewrite(okr_set, finding.target, suggestion.text)
    delta = None if scored is None else scored.score_delta
    return Suggestion(suggestion.text, suggestion.placeholders, delta, suggestion.guided)
