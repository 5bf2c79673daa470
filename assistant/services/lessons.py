"""``okr critique DRAFT``: critique a stored draft and add what its last graded cycle taught.

``read_targets`` reads files as before and loads a stored draft (``NAME`` or ``NAME@N``)
when an argument is not a file; ``with_lessons`` appends the ``LESSON-…`` findings
(source ``lessons``) to each draft's critique. Lessons never change the scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import UsageError
from assistant.model import OKRSet, Report

if TYPE_CHECKING:  # types only: `okr critique FILE` never needs the cycle modules
    from assistant.domain.lessons import Lesson
    from assistant.store.store import Store

FILE_SUFFIXES = (".yaml", ".yml", ".md", ".markdown", ".json", ".csv")


def _is_file(target: str) -> bool:
    if target == "-":
        return True
    path = Path(target)
    return path.exists() or path.suffix.lower() in FILE_SUFFIXES or "/" in target


def read_targets(
    store: Store, targets: Sequence[str], format_in: str | None = None
) -> tuple[list[OKRSet], list[str | None]]:
    """The sets to critique and, per set, the draft it came from (None for a file)."""
    from assistant.io import read_path

    sets: list[OKRSet] = []
    drafts: list[str | None] = []
    for target in targets:
        if _is_file(target):
            found = read_path(target, format_in)
            sets.extend(found)
            drafts.extend([None] * len(found))
            continue
        # Only a stored draft needs the drafts store: files stay on the fast path.
        from assistant.services.drafts import get_version, parse_ref

        name, number = parse_ref(target)
        if not store.exists():
            raise UsageError(f"{target}: no such file or stored draft (see `okr drafts`)")
        version = get_version(store, name, number)
        okr_set = version.okr_set.model_copy(deep=True)
        okr_set.source = f"{name}@{version.number}"
        sets.append(okr_set)
        drafts.append(name)
    return sets, drafts


def grounding_lines(lessons: Sequence[Lesson]) -> tuple[str, ...]:
    """Lessons as the LLM prompt's grounding: one ``CODE: message`` line each."""
    return tuple(f"{x.code}: {x.message}" for x in lessons)


def lesson_texts(store: Store, drafts: Sequence[str | None]) -> list[tuple[str, ...]]:
    """Per set, the lessons of its draft's last graded cycle as ``CODE: message`` lines
    (the LLM prompt's grounding); empty for a file or a draft with no graded cycle."""
    if not any(drafts):
        return [() for _ in drafts]
    from assistant.services.retro import lessons_for

    known: dict[str, tuple[str, ...]] = {}
    out: list[tuple[str, ...]] = []
    for draft in drafts:
        if draft and draft not in known:
            known[draft] = grounding_lines(lessons_for(store, draft))
        out.append(known[draft] if draft else ())
    return out


def with_lessons(
    store: Store, report: Report, sets: Sequence[OKRSet], drafts: Sequence[str | None]
) -> Report:
    """The report with each stored draft's ``LESSON-…`` findings appended."""
    if not any(drafts):
        return report
    # Only a stored draft needs the cycle store: a file's critique stays on the fast path.
    from assistant.services.retro import lesson_findings_for

    critiques = []
    for critique, okr_set, draft in zip(report.sets, sets, drafts, strict=False):
        if draft:
            extra = lesson_findings_for(store, draft, okr_set, critique.findings)
            if extra:
                critique = critique.model_copy(update={"findings": [*critique.findings, *extra]})
        critiques.append(critique)
    critiques.extend(report.sets[len(critiques) :])
    return report.model_copy(update={"sets": critiques})
