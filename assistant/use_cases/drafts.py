"""Versioned drafts: list, read, save, accept a rewrite, restore."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.domain.drafts import DraftSummary, SaveResult, Version, VersionInfo
    from assistant.model import Finding, OKRSet


class DraftUseCases(AppBase):
    async def drafts(self, *, deleted: bool = False) -> list[DraftSummary]:
        from assistant.services.drafts import list_drafts

        return list_drafts(self.store, deleted=deleted)

    async def version(self, name: str, number: int | None = None) -> Version:
        from assistant.services.drafts import get_version

        return get_version(self.store, name, number)

    async def history(self, name: str, limit: int | None = None) -> list[VersionInfo]:
        from assistant.services.drafts import history

        return history(self.store, name, limit)

    async def save(self, name: str, okr_set: OKRSet, message: str, **options: Any) -> SaveResult:
        """Append a version (``expected_head``: the version the caller edited)."""
        from assistant.services.drafts import save

        return save(self.store, name, okr_set, message, now=self.now(), **options)

    async def accept(self, name: str, finding: Finding, **options: Any) -> SaveResult:
        """A finding's rewrite (or the user's edit of it) as the draft's next version."""
        from assistant.services.drafts import accept

        return accept(self.store, name, finding, **options)

    async def restore(self, name: str, number: int, **options: Any) -> SaveResult:
        """Version ``number``'s content as the latest again (history stays)."""
        from assistant.services.drafts import restore

        return restore(self.store, name, number, **options)
