"""Live hints: parse the editor's YAML and run the rules engine on it (no Textual here).

Called on every pause in typing, so it only uses the fast offline path:
``assistant.io.read_text`` then ``assistant.services.critique.critique_set``
(see ``bench/hints_bench.py`` for its timing).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from assistant.errors import OKRError
from assistant.io import read_text
from assistant.model import Finding, OKRSet, SetCritique
from assistant.services.critique import critique_set


@dataclass
class Hints:
    """The editor text understood: the set, its rules critique, or the one-line parse error."""

    okr_set: OKRSet | None = None
    critique: SetCritique | None = None
    error: str | None = None
    error_line: int | None = None
    starts: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, target id)

    def target_at(self, row: int) -> str | None:
        """The objective or KR whose text starts at or above 0-based editor ``row``."""
        if not self.starts:
            return None
        index = bisect.bisect_right([line for line, _ in self.starts], row + 1) - 1
        return self.starts[index][1] if index >= 0 else None

    def line_of(self, target: str) -> int | None:
        """0-based editor row where ``target`` starts."""
        for line, ident in self.starts:
            if ident == target:
                return line - 1
        return None

    def findings_for(self, target: str | None) -> list[Finding]:
        if target is None or self.critique is None:
            return []
        return [f for f in self.critique.findings if f.target == target]


def compute_hints(text: str, label: str = "draft") -> Hints:
    """Parse ``text`` (YAML) and critique it with the rules engine."""
    if not text.strip():
        return Hints(error=f"{label}: empty draft; add a name and objectives")
    try:
        sets = read_text(text, label, "yaml")
    except OKRError as exc:
        return Hints(error=" ".join(str(exc).split()), error_line=getattr(exc, "line", None))
    if len(sets) != 1:
        return Hints(error=f"{label}: a draft holds one set; this text has {len(sets)}")
    okr_set = sets[0]
    starts: list[tuple[int, str]] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        if objective.line is not None:
            starts.append((objective.line, f"O{oi}"))
        for ki, kr in enumerate(objective.key_results, start=1):
            if kr.line is not None:
                starts.append((kr.line, f"O{oi}.KR{ki}"))
    starts.sort()
    return Hints(okr_set=okr_set, critique=critique_set(okr_set), starts=starts)
