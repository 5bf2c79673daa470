"""Suggestions a user dismissed, remembered per draft version.

The TUI hides a dismissed finding while the user works on that version, so the
same advice is not offered again and again. A finding is identified by its
source, code, target and quoted evidence: re-critiquing unchanged text yields the
same key, while an edit that changes the quoted words brings the advice back.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from assistant.errors import UsageError
from assistant.model import Finding
from assistant.store import repo

if TYPE_CHECKING:
    from assistant.store.store import Store, UnitOfWork

__all__ = ["carry_forward", "dismiss", "dismissed", "finding_key", "undismiss"]


def finding_key(finding: Finding) -> str:
    """A stable id for one piece of advice: ``source:code:target:evidence-hash``."""
    digest = hashlib.sha256(finding.evidence.encode("utf-8")).hexdigest()[:12]
    return f"{finding.source}:{finding.code}:{finding.target}:{digest}"


def _unknown(name: str) -> UsageError:
    return UsageError(f"unknown draft '{name}' (see `okr drafts`)")


def _draft_id(uow: UnitOfWork, name: str) -> int:
    draft = uow.drafts.find(name)
    if draft is None or draft.deleted_at is not None:
        raise _unknown(name)
    return draft.id


def dismiss(store: Store, name: str, version: int, finding: Finding) -> str:
    """Remember that ``finding`` was dismissed on ``name@version``; returns its key."""
    if not store.exists():
        raise _unknown(name)
    key = finding_key(finding)
    with store.unit_of_work() as uow:
        uow.dismissals.add(_draft_id(uow, name), version, key, repo.timestamp())
    return key


def undismiss(store: Store, name: str, version: int, finding: Finding | None = None) -> int:
    """Offer a dismissed finding again (all of the version's when ``finding`` is None)."""
    if not store.exists():
        return 0
    key = None if finding is None else finding_key(finding)
    with store.unit_of_work() as uow:
        return uow.dismissals.remove(_draft_id(uow, name), version, key)


def dismissed(store: Store, name: str, version: int) -> set[str]:
    """The keys of the findings dismissed on ``name@version``."""
    if not store.exists():
        return set()
    with store.unit_of_work(write=False) as uow:
        draft = uow.drafts.find(name)
        return set() if draft is None else uow.dismissals.keys(draft.id, version)


def carry_forward(store: Store, name: str, old: int, new: int) -> int:
    """Keep a version's dismissals on the version saved from it (an edit or an accepted
    rewrite): advice whose evidence survived the change stays dismissed. Inside the
    caller's unit of work this happens next to the save of ``new``."""
    if old == new:
        return 0
    with store.unit_of_work() as uow:
        return uow.dismissals.copy(_draft_id(uow, name), old, new, repo.timestamp())
