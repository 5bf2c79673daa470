"""Versioned drafts: list, read, save, accept a rewrite, restore, rename, delete, compare,
check, back up, and the findings a user dismissed on a version."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.domain.drafts import (
        Diff,
        DoctorReport,
        DraftSummary,
        ImportedDraft,
        SaveResult,
        Version,
        VersionInfo,
    )
    from assistant.model import Finding, OKRSet


class DraftUseCases(AppBase):
    # --- reading --------------------------------------------------------------------------

    async def drafts(self, *, deleted: bool = False) -> list[DraftSummary]:
        """Live drafts by name with their latest version (or only the deleted ones)."""
        from assistant.services.drafts import list_drafts

        return list_drafts(self.store, deleted=deleted)

    async def summary(self, name: str) -> DraftSummary:
        """One live draft: its version count and latest version."""
        from assistant.services.drafts import draft_summary

        return draft_summary(self.store, name)

    async def version(self, name: str, number: int | None = None) -> Version:
        from assistant.services.drafts import get_version

        return get_version(self.store, name, number)

    async def history(self, name: str, limit: int | None = None) -> list[VersionInfo]:
        from assistant.services.drafts import history

        return history(self.store, name, limit)

    async def diff(self, name: str, old: int, new: int | None = None) -> Diff:
        """What changed from version ``old`` to ``new`` (the latest when None)."""
        from assistant.services.drafts import diff

        return diff(self.store, name, old, new)

    async def doctor(self) -> DoctorReport:
        """SQLite's integrity and every hash chain, read without modifying anything."""
        from assistant.services.drafts import doctor

        return doctor(self.store)

    # --- writing --------------------------------------------------------------------------

    async def save(self, name: str, okr_set: OKRSet, message: str, **options: Any) -> SaveResult:
        """Append a version (``expected_head``: the version the caller edited)."""
        from assistant.services.drafts import save

        options.setdefault("now", self.now())
        return save(self.store, name, okr_set, message, **options)

    async def accept(self, name: str, finding: Finding, **options: Any) -> SaveResult:
        """A finding's rewrite (or the user's edit of it) as the draft's next version."""
        from assistant.services.drafts import accept

        options.setdefault("now", self.now())
        return accept(self.store, name, finding, **options)

    async def restore(self, name: str, number: int, **options: Any) -> SaveResult:
        """Version ``number``'s content as the latest again (history stays)."""
        from assistant.services.drafts import restore

        options.setdefault("now", self.now())
        return restore(self.store, name, number, **options)

    async def rename(self, old: str, new: str, *, author: str | None = None) -> SaveResult:
        """A draft under a new name, history kept; its set's ``name:`` follows (a new
        version ``Rename to NEW``, committed with the rename)."""
        from assistant.services.drafts import rename

        return rename(self.store, old, new, author=author, now=self.now())

    async def delete(self, name: str) -> DraftSummary:
        """Hide a draft (``undelete`` brings it back; purged after the retention period)."""
        from assistant.services.drafts import delete

        return delete(self.store, name, now=self.now())

    async def undelete(self, name: str) -> DraftSummary:
        from assistant.services.drafts import undelete

        return undelete(self.store, name)

    async def purge(self, *, dry_run: bool = False) -> list[str]:
        """The drafts deleted long enough ago, removed for good (only listed: ``dry_run``)."""
        from assistant.services.drafts import purge

        return purge(self.store, dry_run=dry_run)

    # --- files in and out -----------------------------------------------------------------

    async def export(self, name: str, number: int | None = None, fmt: str = "yaml") -> str:
        """One version as an OKR file's text (as written, comments kept, when it can be)."""
        from assistant.services.drafts import export_version

        return export_version(self.store, name, number, fmt)

    async def export_all(self, directory: Path) -> list[Path]:
        """A backup of every draft with its full history; the files written."""
        from assistant.services.drafts import export_all

        return export_all(self.store, directory)

    async def import_path(self, path: str, **options: Any) -> list[ImportedDraft]:
        """A backup restored (every hash and head verified first) or an OKR file saved as
        versions. A set naming a draft that exists is not silently its new head: unless
        ``existing="version"`` (its next version) or ``as_new=NAME`` (a new draft),
        ``ExistingDraftError`` (``services.drafts.backup``: names, a free name) lets the
        face ask the user, nothing written."""
        from assistant.services.drafts import import_path

        options.setdefault("existing", "ask")
        return import_path(self.store, path, **options)

    # --- dismissed findings ---------------------------------------------------------------

    async def dismiss(self, name: str, version: int, finding: Finding) -> str:
        """Remember that ``finding`` was dismissed on ``name@version``; its key."""
        from assistant.services.dismissals import dismiss

        return dismiss(self.store, name, version, finding)

    async def undismiss(self, name: str, version: int, finding: Finding | None = None) -> int:
        """Offer a dismissed finding again (all of the version's when None); how many."""
        from assistant.services.dismissals import undismiss

        return undismiss(self.store, name, version, finding)

    async def dismissed(self, name: str, version: int) -> set[str]:
        from assistant.services.dismissals import dismissed

        return dismissed(self.store, name, version)
