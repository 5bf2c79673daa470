"""Live hints: parse the editor's YAML and run the rules engine on it (no Textual here).

Called on every pause in typing, so it only uses the fast offline path, in one
process: ``assistant.io.read_text`` then ``assistant.rubric.critic.critique_set``
(see ``bench/hints_bench.py`` for its timing). Results are cached by text, so
undo, redo and a save right after a pause cost nothing, and the editor can run
``compute_hints`` in a thread and read the same result back on the event loop.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.domain.lessons import Lesson, lesson_findings
from assistant.errors import OKRError
from assistant.io import read_text
from assistant.model import Finding, OKRSet, SetCritique
from assistant.rubric.critic import critique_set

FindingKey = Callable[[Finding], str]  # the App's ``finding_key``: what a dismissal is stored by


def content_key(okr_set: OKRSet | None) -> str | None:
    """A set's content as one comparable string (None for no set): two texts that
    parse to the same content are the same version, whatever their layout."""
    if okr_set is None:
        return None
    return json.dumps(okr_set.content(), sort_keys=True, ensure_ascii=False)


@dataclass
class Hints:
    """The editor text understood: the set, its rules critique, or the one-line parse error."""

    okr_set: OKRSet | None = None
    critique: SetCritique | None = None
    error: str | None = None
    error_line: int | None = None
    starts: list[tuple[int, str]] = field(default_factory=list)  # (1-based line, target id)
    key: str | None = None  # content_key(okr_set)

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

    def merged_findings(
        self,
        llm_findings: Iterable[Finding],
        key: FindingKey,
        dismissed: set[str] | frozenset[str] = frozenset(),
    ) -> list[Finding]:
        """The rules findings plus the coach's findings whose evidence is still in the
        text, in document order (rules first on a target), without the dismissed ones
        (``key``: how a finding is told apart, the key dismissals are stored by)."""
        if self.critique is None or self.okr_set is None:
            return []
        found = list(self.critique.findings)
        seen = {key(f) for f in found}
        for finding in llm_findings:
            try:
                text = self.okr_set.target_text(finding.target)
            except (IndexError, ValueError):
                continue
            if finding.evidence in text and key(finding) not in seen:
                found.append(finding)
        order = {target: i for i, (_, target) in enumerate(self.starts)}
        found.sort(key=lambda f: (order.get(f.target, -1), f.source != "rules"))
        return [f for f in found if key(f) not in dismissed]


@dataclass
class LessonHints:
    """The lessons of a draft's last graded cycle (read once per open) and the
    ``LESSON-…`` findings they put on the text now, cached per content."""

    lessons: tuple[Lesson, ...] = ()
    _key: str | None = None
    _found: list[Finding] = field(default_factory=list)

    def findings(self, hints: Hints) -> list[Finding]:
        if not self.lessons or hints.okr_set is None or hints.critique is None:
            return []
        if self._key != hints.key or not self._found:
            self._found = lesson_findings(hints.okr_set, self.lessons, hints.critique.findings)
            self._key = hints.key
        return self._found


def _starts(okr_set: OKRSet) -> list[tuple[int, str]]:
    starts = [
        (part.line, str(target)) for target, part in okr_set.iter_targets() if part.line is not None
    ]
    starts.sort()
    return starts


@lru_cache(maxsize=16)
def compute_hints(text: str, label: str = "draft") -> Hints:
    """Parse ``text`` (YAML) and critique it with the rules engine (cached by text:
    treat the result as read-only)."""
    if not text.strip():
        return Hints(error=f"{label}: empty draft; add a name and objectives")
    try:
        sets: Sequence[OKRSet] = read_text(text, label, "yaml")
    except OKRError as exc:
        return Hints(error=" ".join(str(exc).split()), error_line=getattr(exc, "line", None))
    if len(sets) != 1:
        return Hints(error=f"{label}: a draft holds one set; this text has {len(sets)}")
    okr_set = sets[0]
    return Hints(
        okr_set=okr_set,
        critique=critique_set(okr_set),
        starts=_starts(okr_set),
        key=content_key(okr_set),
    )
