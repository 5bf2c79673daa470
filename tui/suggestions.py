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

    @property
    def ready(self) -> bool:
        """True when it can be accepted as is (no ``[baseline]``-style blanks left)."""
        return not self.placeholders


def suggestion_for(finding: Finding, okr_set: OKRSet | None) -> Suggestion | None:
    """The rewrite offered by ``finding`` (None: advice only, the user writes the fix)."""
    rewrite = finding.rewrite
    if rewrite is None or finding.target == "SET" or okr_set is None:
        return None
    try:
        current = okr_set.target_text(finding.target)
    except (IndexError, ValueError):
        return None
    text = " ".join(rewrite.text.split())
    if not text or text == " ".join(current.split()):
        return None
    return Suggestion(text, placeholders(text, current), rewrite.score_delta)


def with_delta(suggestion: Suggestion, finding: Finding, okr_set: OKRSet) -> Suggestion:
    """The suggestion with the change of the set's overall score, by ``score_rewrite``
    (blanks like ``[baseline]`` scored as if filled in), when its rewrite had none."""
    if suggestion.delta is not None:
        return suggestion
    scored = score_rewrite(okr_set, finding.target, suggestion.text)
    delta = None if scored is None else scored.score_delta
    return Suggestion(suggestion.text, suggestion.placeholders, delta)
