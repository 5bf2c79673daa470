"""Very long target texts (a pasted essay as a key result): hostile input.

The checks read the first ``measure.SCAN_LIMIT`` characters of such a text (cut at a
space), so every check stays linear and quick on it, and their findings say so.
"""

from __future__ import annotations

from assistant.measure import scan_end
from assistant.model import Finding

OBJECTIVE_CODES = (
    "OBJ-PLACEHOLDER",
    "OBJ-HAS-NUMBER",
    "OBJ-BAU",
    "OBJ-ACTIVITY",
    "OBJ-TOO-LONG",
    "OBJ-KR-COUNT",
)


def head(text: str) -> str | None:
    """The part of ``text`` the checks read, or None when they read all of it."""
    end = scan_end(text)
    return None if end == len(text) else text[:end]


def noted(findings: list[Finding], head: str, text: str) -> list[Finding]:
    """Findings about the head of a long text, saying so; without rewrites (a rewrite of
    the head would drop the rest of the user's text)."""
    note = f" (Only its first {len(head):,} of {len(text):,} characters were checked.)"
    return [f.model_copy(update={"message": f.message + note, "rewrite": None}) for f in findings]


def in_objective_order(findings: list[Finding]) -> list[Finding]:
    """An objective's findings in the order ``engine.objective_findings`` gives them."""
    rank = {code: i for i, code in enumerate(OBJECTIVE_CODES)}
    return sorted(findings, key=lambda f: rank.get(f.code, len(rank)))
