"""Draft and version records: what the drafts services return and the store reads back.

Versions, draft summaries, diffs, import outcomes and doctor reports are domain
data (no SQLite or terminal in them), plain pydantic models so the CLI, the TUI
and ``--json`` output share one shape.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.model import OKRSet, Scores

# Where a version came from. Others may append (keep names short and stable).
SOURCES: tuple[str, ...] = (
    "manual",
    "import",
    "accept:rules",
    "accept:llm",
    "review",
    "restore",
    "draft:interview",
    "draft:llm",
)
# How long a deleted draft can be brought back with ``okr undelete``.
RETENTION_DAYS = 30


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VersionInfo(_Out):
    """One revision of a draft without its content (what history listings need)."""

    draft: str
    number: int
    hash: str
    parent_hash: str | None = None
    message: str
    author: str
    source: str
    created_at: datetime
    scores: Scores | None = None

    @property
    def short_hash(self) -> str:
        return self.hash[:10]

    @property
    def ref(self) -> str:
        return f"{self.draft}@{self.number}"


class Version(VersionInfo):
    """A revision with its full OKR set, and the text it was written as when it has one
    (YAML or Markdown, comments and layout kept; it parses to ``okr_set``). The text is
    left out of ``model_dump`` so listings and ``--json`` keep their shape."""

    okr_set: OKRSet
    text: str | None = Field(default=None, exclude=True)
    text_format: str | None = Field(default=None, exclude=True)


class DraftSummary(_Out):
    """A draft as listed by ``okr drafts``: size, latest version and deletion state."""

    name: str
    versions: int
    created_at: datetime
    deleted_at: datetime | None = None
    head: VersionInfo

    @property
    def purge_after(self) -> datetime | None:
        """When ``okr purge`` may remove a deleted draft for good."""
        if self.deleted_at is None:
            return None
        return self.deleted_at + timedelta(days=RETENTION_DAYS)


class SaveResult(_Out):
    """The outcome of save/accept/restore/import: ``created`` is False when nothing changed."""

    version: VersionInfo
    created: bool
    new_draft: bool = False


class FieldChange(_Out):
    field: str
    old: str | float | None = None
    new: str | float | None = None


class ScoreDelta(_Out):
    """New minus old, per dimension."""

    clarity: int
    measurability: int
    ambition: int
    overall: int

    @classmethod
    def between(cls, old: Scores, new: Scores) -> ScoreDelta:
        return cls(
            clarity=new.clarity - old.clarity,
            measurability=new.measurability - old.measurability,
            ambition=new.ambition - old.ambition,
            overall=new.overall - old.overall,
        )

    def is_zero(self) -> bool:
        return not any((self.clarity, self.measurability, self.ambition, self.overall))


ChangeKind = Literal["added", "removed", "changed", "unchanged"]


class ItemChange(_Out):
    """One key result (or objective) between two versions, ids as in each version."""

    kind: ChangeKind
    old_id: str | None = None
    new_id: str | None = None
    old_text: str | None = None
    new_text: str | None = None
    fields: list[FieldChange] = Field(default_factory=list)
    old_scores: Scores | None = None
    new_scores: Scores | None = None
    delta: ScoreDelta | None = None


class ObjectiveChange(ItemChange):
    key_results: list[ItemChange] = Field(default_factory=list)


class Diff(_Out):
    """What changed between two versions of a draft, scored by the current rubric."""

    draft: str
    old: VersionInfo
    new: VersionInfo
    set_fields: list[FieldChange] = Field(default_factory=list)
    old_scores: Scores
    new_scores: Scores
    delta: ScoreDelta
    objectives: list[ObjectiveChange] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.set_fields) or any(o.kind != "unchanged" for o in self.objectives)


class ImportedDraft(_Out):
    name: str
    added: int
    skipped: int = 0
    new_draft: bool = False


class DoctorReport(_Out):
    """``okr doctor``: the hash chain of every draft plus SQLite's own integrity check."""

    path: str
    exists: bool = True
    schema_version: int = 0
    migrations: list[str] = Field(default_factory=list)
    drafts: int = 0
    versions: int = 0
    cycles: int = 0
    checkins: int = 0
    integrity: str = "ok"
    problems: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems
