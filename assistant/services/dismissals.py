"""Suggestions a user dismissed, remembered per draft version.

The TUI hides a dismissed finding while the user works on that version, so the
same advice is not offered again and again. A finding is identified by its
source, code, target and quoted evidence: re-critiquing unchanged text yields the
same key, while an edit that changes the quoted words brings the advice back.

A dismissal holds while its target's text is unchanged: every new version (a save,
an accepted rewrite or review change, a restore, an import) takes over the
dismissals of the version it was saved on whose target reads the same in it — moved
(an item added or moved above it) it follows its text — in the save's unit of work
(:func:`carry`, called by ``drafts.save``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from pydantic import ValidationError

from assistant.errors import UsageError
from assistant.ids import TargetId
from assistant.model import Finding, OKRSet
from assistant.store import repo

if TYPE_CHECKING:
    from assistant.store.store import Store, UnitOfWork

__all__ = [
    "carried_keys",
    "carry",
    "carry_forward",
    "dismiss",
    "dismissed",
    "finding_key",
    "undismiss",
]


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
    """Keep all of a version's dismissals on version ``new`` (the save already kept those
    that hold, see :func:`carry`): advice whose evidence survived the change stays
    dismissed. Inside the caller's unit of work this happens next to the save of
    ``new``. How many of ``old``'s dismissals ``new`` holds."""
    if old == new:
        return 0
    with store.unit_of_work() as uow:
        draft_id = _draft_id(uow, name)
        uow.dismissals.copy(draft_id, old, new, repo.timestamp())
        return len(uow.dismissals.keys(draft_id, old) & uow.dismissals.keys(draft_id, new))


def _texts(okr_set: OKRSet) -> dict[str, str]:
    """Every objective's and key result's id → its text (whitespace collapsed)."""
    return {
        str(tid): " ".join(okr_set.target_text(tid).split()) for tid, _ in okr_set.iter_targets()
    }


def carried_keys(keys: set[str], before: OKRSet, after: OKRSet) -> dict[str, str]:
    """Which of ``before``'s dismissal keys hold on ``after``: old key → key on ``after``.

    A key holds when its target's text is the same in both sets: at the same id, or,
    when that id now reads differently (an item was added or moved above it), at the
    one target of the same kind that holds the text now (the key follows it). The set's
    own findings (``SET``) hold while the set keeps its name."""
    old, new = _texts(before), _texts(after)
    out: dict[str, str] = {}
    for key in keys:
        head, sep, rest = key.rpartition(":")  # ``source:code:target`` + ``:digest``
        prefix, _, target = head.rpartition(":")
        tid = TargetId.try_parse(target)
        if not sep or not prefix or tid is None:
            continue
        if tid.is_set:
            if before.name == after.name:
                out[key] = key
            continue
        text = old.get(str(tid))
        if text is None:
            continue
        if new.get(str(tid)) == text:
            out[key] = key
            continue
        moved = [
            other
            for other, now in new.items()
            if now == text and TargetId.parse(other).kind == tid.kind
        ]
        if len(moved) == 1 and list(old.values()).count(text) == 1:
            out[key] = f"{prefix}:{moved[0]}:{rest}"
    return out


def carry(
    uow: UnitOfWork,
    draft_id: int,
    old: int,
    new: int,
    before: str,
    after: OKRSet,
    created_at: str,
    *,
    every: bool = False,
) -> int:
    """Inside a save's unit of work: keep version ``old``'s dismissals on ``new`` where
    they hold (:func:`carried_keys`; ``before`` is ``old``'s stored content). ``every``
    (an edit or an accepted rewrite in the editor) keeps all of them as well: keyed by
    their quoted words, they only match advice that still quotes them. How many ``new``
    got."""
    if old == new:
        return 0
    keys = uow.dismissals.keys(draft_id, old)
    if not keys:
        return 0
    count = uow.dismissals.copy(draft_id, old, new, created_at) if every else 0
    try:
        previous = OKRSet.model_validate(json.loads(before))
    except (ValueError, ValidationError):
        return count  # a damaged row is ``okr doctor``'s to report; nothing to compare
    for key, moved in carried_keys(keys, previous, after).items():
        if every and moved == key:
            continue
        uow.dismissals.add(draft_id, new, moved, created_at)
        count += 1
    return count
