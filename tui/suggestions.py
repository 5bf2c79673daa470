"""Turn findings into acceptable suggestions: the rewrite text, its placeholders, its delta.

LLM findings carry a re-scored ``Rewrite``. Rules findings only carry advice; when
the advice ends in a full rewrite in quotes (``Add the starting value: '…'``) that
quote is offered as the rewrite, otherwise the user writes one (edit, then accept).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from assistant.errors import OKRError
from assistant.model import Finding, OKRSet

# "<advice without quotes>: '<rewrite>'" — the advice part has no quote of its own.
_QUOTED_REWRITE = re.compile(r"^[^'\"]*?:\s+'(?P<text>.+)'\.?\s*$")
# "'A' and 'B'": several quoted pieces (a split), not one rewrite.
_SEVERAL_QUOTES = re.compile(r"'\s*(?:,|and|or)\s*'")
PLACEHOLDER = re.compile(r"\[[A-Za-z][\w %$-]{0,30}\]")


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


def placeholders(text: str, original: str = "") -> tuple[str, ...]:
    """``[baseline]``-style blanks in ``text`` that were not already in the user's own text."""
    return tuple(p for p in dict.fromkeys(PLACEHOLDER.findall(text)) if p not in original)


def rules_rewrite(finding: Finding, current: str) -> str | None:
    """The full rewrite quoted at the end of a rules finding's advice, if it is one.

    A quote counts as a rewrite of ``current`` only when it reads like it (same
    words mostly, not a fragment such as ``from 82% to [stretch target]``).
    """
    match = _QUOTED_REWRITE.match(finding.suggestion.strip())
    if not match or not current.strip():
        return None
    text = " ".join(match.group("text").split())
    if _SEVERAL_QUOTES.search(text) or text == current.strip():
        return None
    if len(text.split()) < 0.8 * len(current.split()):
        return None
    ratio = difflib.SequenceMatcher(None, current.lower(), text.lower()).ratio()
    return text if ratio >= 0.6 else None


def suggestion_for(finding: Finding, okr_set: OKRSet | None) -> Suggestion | None:
    """The rewrite offered by ``finding`` (None: advice only, the user writes the fix)."""
    if finding.target == "SET" or okr_set is None:
        return None
    try:
        current = okr_set.target_text(finding.target)
    except (IndexError, ValueError):
        return None
    if finding.rewrite is not None and finding.rewrite.text.strip():
        text = finding.rewrite.text
        return Suggestion(text, placeholders(text, current), finding.rewrite.score_delta)
    text = rules_rewrite(finding, current)
    if text is None:
        return None
    return Suggestion(text, placeholders(text, current))


def rewrite_delta(okr_set: OKRSet, target: str, text: str, evidence: str = "") -> int | None:
    """How the set's overall rules score changes if ``target`` reads ``text`` (None when
    the rewrite cannot be applied, or still has blanks like ``[baseline]``)."""
    from assistant.services.critique import critique_set
    from assistant.services.drafts import apply_rewrite

    try:
        current = okr_set.target_text(target)
    except (IndexError, ValueError):
        return None
    if placeholders(text, current):
        return None
    try:
        updated = apply_rewrite(okr_set, target, text, evidence)
    except OKRError:
        return None
    return critique_set(updated).scores.overall - critique_set(okr_set).scores.overall


def with_delta(suggestion: Suggestion, finding: Finding, okr_set: OKRSet) -> Suggestion:
    """The suggestion with its overall score change computed by the rules engine
    (left unknown while blanks like ``[baseline]`` remain: they would score as words)."""
    if suggestion.delta is not None or not suggestion.ready:
        return suggestion
    delta = rewrite_delta(okr_set, finding.target, suggestion.text, finding.evidence)
    return Suggestion(suggestion.text, suggestion.placeholders, delta)
