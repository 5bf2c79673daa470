"""A draft's history: list and read versions, save, accept a rewrite, restore, rename,
delete.

History is append-only: saving, accepting a rewrite, restoring and renaming all add a
version; nothing is rewritten in place. Deleting a draft only hides it; ``undelete``
brings it back, and ``purge`` removes drafts deleted more than ``RETENTION_DAYS`` ago.
Every function takes the ``Store`` and opens its own unit of work; called inside the
caller's unit of work it joins it, so it commits (or not) with the rest of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from assistant.domain.commands import okr_command
from assistant.domain.drafts import (
    RETENTION_DAYS,
    SOURCES,
    DraftSummary,
    SaveResult,
    Version,
    VersionInfo,
)
from assistant.errors import UsageError
from assistant.ids import TargetId
from assistant.model import Finding, OKRSet, Scores, UnknownTarget
from assistant.services import dismissals
from assistant.services.drafts import source_text
from assistant.services.drafts.names import check_name, default_author, require, unknown, version_of
from assistant.store import repo
from assistant.store.db import ConflictError

if TYPE_CHECKING:
    from assistant.store.store import Store, UnitOfWork

# --- reading ------------------------------------------------------------------------------


def score(okr_set: OKRSet) -> Scores:
    """The rules engine's set scores: what a version records as its quality."""
    from assistant.rubric.critic import critique_set

    return critique_set(okr_set, rewrites=False).scores


def list_drafts(store: Store, *, deleted: bool = False) -> list[DraftSummary]:
    """Live drafts by name with their latest version (or only deleted ones)."""
    if not store.exists():
        return []
    with store.unit_of_work(write=False) as uow:
        return uow.drafts.summaries(deleted=deleted)


def _summary(uow: UnitOfWork, name: str) -> DraftSummary:
    draft = require(uow, name)
    head = version_of(uow, draft, None)
    return DraftSummary(
        name=draft.name,
        versions=head.number,
        created_at=datetime.fromisoformat(draft.created_at),
        head=VersionInfo(**head.model_dump(exclude={"okr_set"})),
    )


def draft_summary(store: Store, name: str) -> DraftSummary:
    """One live draft's summary (version count, head)."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        return _summary(uow, name)


def get_version(store: Store, name: str, number: int | None = None) -> Version:
    """Version ``number`` of a draft with its OKR set; the latest when ``number`` is None.
    Inside the caller's unit of work it sees that unit's own writes."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        return version_of(uow, require(uow, name), number)


def history(store: Store, name: str, limit: int | None = None) -> list[VersionInfo]:
    """A draft's versions newest first, without content; ``limit`` keeps the latest N."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work(write=False) as uow:
        return uow.versions.history(require(uow, name), limit)


# --- writing ------------------------------------------------------------------------------


def _stale(name: str, current: int, expected: int, action: str) -> ConflictError:
    return ConflictError(
        f"draft '{name}' is at v{current} now, not v{expected}: someone saved in between; {action}"
    )


def save(
    store: Store,
    name: str,
    okr_set: OKRSet,
    message: str,
    *,
    author: str | None = None,
    source: str = "manual",
    expected_head: int | None = None,
    scores: Scores | None = None,
    now: datetime | None = None,
    carry_dismissals: bool = False,
    text: str | None = None,
    text_format: str = "yaml",
) -> SaveResult:
    """Append ``okr_set`` as the draft's next version (creating the draft on first save).

    ``text`` is the YAML (or Markdown, ``text_format``) the user wrote: it is kept with
    the version, comments and layout included, when it parses to exactly ``okr_set``
    (else it is ignored, never stored disagreeing with the content). Saving what the
    latest version already holds adds nothing (``created`` is False); with ``text``,
    the same content written differently (a comment, the layout) is a new version.
    ``expected_head`` is the version the caller edited: if someone saved since, a
    ``ConflictError`` is raised instead of silently stacking on their change.
    The previous version's dismissed findings stay dismissed on the new one where their
    target's text is unchanged (``services.dismissals.carry``), in the same unit of work
    as the save; ``carry_dismissals`` keeps all of them. Called inside the caller's unit
    of work (which already holds the write lock), pass ``scores`` computed beforehand
    to keep that short.
    """
    name = check_name(name)
    if source not in SOURCES:
        raise UsageError(f"unknown version source '{source}' (one of {', '.join(SOURCES)})")
    message = " ".join(message.split())
    if not message:
        raise UsageError("a version needs a message (-m 'what changed')")
    author = (author or default_author()).strip() or "unknown"
    content_text = repo.canonical_json(okr_set.content())
    written = source_text.source_for(text, text_format, okr_set, content_text)
    # Score before taking the write lock: other savers only wait for the insert.
    version_scores = scores or score(okr_set)
    stamp = repo.timestamp(now)
    with store.unit_of_work() as uow:
        draft = uow.drafts.find(name)
        new_draft = draft is None
        if draft is None:
            draft = uow.drafts.create(name, stamp)
        elif draft.deleted_at is not None:
            raise UsageError(
                f"draft '{name}' was deleted on {draft.deleted_at[:10]}; `{okr_command('undelete', name)}` "
                "brings it back, or save under another name with --draft"
            )
        head = uow.versions.head(draft.id)
        current = head[1] if head else 0
        if expected_head is not None and current != expected_head:
            raise _stale(name, current, expected_head, "reload it and apply your change again")
        stored = uow.versions.head_source(draft.id)
        if (
            stored is not None
            and stored[0] == content_text
            and (written is None or written.pair == (stored[1], stored[2]))
        ):
            return SaveResult(version=uow.versions.history(draft, 1)[0], created=False)
        info = uow.versions.append(
            draft,
            content_text,
            message=message,
            author=author,
            source=source,
            scores=version_scores,
            created_at=stamp,
            expected_head=current,
            text=written.text if written else None,
            text_format=written.text_format if written else None,
        )
        if current and stored is not None:
            dismissals.carry(
                uow,
                draft.id,
                current,
                info.number,
                stored[0],
                okr_set,
                stamp,
                every=carry_dismissals,
            )
    return SaveResult(version=info, created=True, new_draft=new_draft)


def apply_rewrite(okr_set: OKRSet, target: str, text: str, evidence: str = "") -> OKRSet:
    """A copy of ``okr_set`` with the objective title or KR text at ``target`` replaced.

    ``evidence`` (the words the suggestion was about) must still be in the current
    text, so a stale suggestion never overwrites an edit made after it.
    """
    tid = TargetId.try_parse(target)
    if tid is None or tid.is_set:
        raise UnknownTarget(f"cannot apply a rewrite to '{target}': only objectives and KRs")
    if not text.split():
        raise UsageError(f"the rewrite of {target} is empty")
    current = okr_set.target_text(tid)  # UnknownTarget when the draft has no such part
    if evidence and evidence not in current:
        raise ConflictError(
            f"{target} changed since this suggestion was made ('{evidence}' is no longer in it); "
            "critique the latest version again"
        )
    return okr_set.with_text(tid, text)


def rewritten_text(head: Version, target: str, text: str, updated: OKRSet) -> str | None:
    """The text to save with ``updated`` (``head`` with ``target`` rewritten to ``text``):
    ``head``'s YAML with only the target's wording replaced, comments kept; None (the
    canonical form) when the head has no YAML text or it cannot be edited faithfully."""
    if head.text is None or head.text_format != "yaml":
        return None
    return source_text.with_rewrite(head.text, target, text, updated)


def accept(
    store: Store,
    name: str,
    finding: Finding,
    *,
    text: str | None = None,
    author: str | None = None,
    expected_head: int | None = None,
    carry_dismissals: bool = True,
    now: datetime | None = None,
) -> SaveResult:
    """Apply one finding's rewrite (or ``text``, the user's edit of it) as a new version.

    The message reads ``Accept rewrite of O1.KR2 (llm)`` and the source is
    ``accept:llm`` or ``accept:rules``, so ``okr log`` shows which coach helped. The
    findings dismissed on the accepted-on version stay dismissed on the new one
    (saved in the same unit of work).
    """
    new_text = text if text is not None else (finding.rewrite.text if finding.rewrite else None)
    if not new_text:
        raise UsageError(f"the {finding.code} finding on {finding.target} offers no rewrite")
    head = get_version(store, name)
    if expected_head is not None and head.number != expected_head:
        raise _stale(name, head.number, expected_head, "critique the latest version again")
    updated = apply_rewrite(head.okr_set, finding.target, new_text, finding.evidence)
    return save(
        store,
        name,
        updated,
        f"Accept rewrite of {finding.target} ({finding.source})",
        author=author,
        source=f"accept:{finding.source}",
        expected_head=head.number,
        carry_dismissals=carry_dismissals,
        now=now,
        text=rewritten_text(head, finding.target, new_text, updated),
    )


def restore(
    store: Store,
    name: str,
    number: int,
    *,
    message: str | None = None,
    author: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Make version ``number``'s content the latest again, as a new version (history stays)."""
    old = get_version(store, name, number)
    return save(
        store,
        name,
        old.okr_set,
        message or f"Restore v{number}",
        author=author,
        source="restore",
        now=now,
        text=old.text if old.text is not None else source_text.canonical_yaml(old.okr_set),
        text_format=old.text_format or "yaml",
    )


def rename(
    store: Store,
    old: str,
    new: str,
    *,
    author: str | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Give a draft a new name, keeping its whole history, and make its set's ``name:``
    follow: a new version ``Rename to NEW`` (none when the set already has that name),
    in the same unit of work as the rename. ``new`` is checked like a new draft's name
    and refused when a draft (live or deleted) already has it."""
    new = check_name(new, option=None)
    if not store.exists():
        raise unknown(old)
    with store.unit_of_work() as uow:
        draft = require(uow, old)
        if new == draft.name:
            raise UsageError(f"draft '{old}' is already called '{new}'")
        taken = uow.drafts.find(new)
        if taken is not None:
            state = (
                "a deleted draft (see `okr drafts --deleted`)" if taken.deleted_at else "a draft"
            )
            raise UsageError(f"the name '{new}' is taken by {state}; choose another")
        head = version_of(uow, draft, None)
        uow.drafts.rename(draft, new)
        updated = head.okr_set.model_copy(update={"name": new})
        return save(
            store,
            new,
            updated,
            f"Rename to {new}",
            author=author,
            expected_head=head.number,
            carry_dismissals=True,
            now=now,
            text=renamed_text(head, updated),
        )


def renamed_text(head: Version, updated: OKRSet) -> str | None:
    """``head``'s YAML text with only the set's ``name:`` replaced (comments kept); None
    (the canonical form) when it has no YAML text or it cannot be edited faithfully."""
    if head.text is None or head.text_format != "yaml":
        return None
    return source_text.with_set_name(head.text, updated)


def delete(store: Store, name: str, *, now: datetime | None = None) -> DraftSummary:
    """Hide a draft (soft delete). Reversible with ``undelete``; purged after 30 days."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work() as uow:
        draft = uow.drafts.find(name)
        if draft is None:
            raise unknown(name, uow)
        if draft.deleted_at is not None:
            raise UsageError(f"draft '{name}' is already deleted (see `okr drafts --deleted`)")
        uow.drafts.set_deleted(draft, repo.timestamp(now))
        return next(d for d in uow.drafts.summaries(deleted=True) if d.name == name)


def undelete(store: Store, name: str) -> DraftSummary:
    """Bring back a deleted draft with its whole history."""
    if not store.exists():
        raise unknown(name)
    with store.unit_of_work() as uow:
        draft = uow.drafts.find(name)
        if draft is None:
            raise UsageError(f"no deleted draft named '{name}' (see `okr drafts --deleted`)")
        if draft.deleted_at is None:
            raise UsageError(f"draft '{name}' is not deleted")
        uow.drafts.set_deleted(draft, None)
        return _summary(uow, name)


def purge(store: Store, *, dry_run: bool = False) -> list[str]:
    """Remove for good the drafts deleted more than ``RETENTION_DAYS`` days ago."""
    if not store.exists():
        return []
    with store.unit_of_work(write=not dry_run) as uow:
        expired = uow.drafts.expired(RETENTION_DAYS)
        if not dry_run:
            uow.drafts.purge([draft_id for draft_id, _ in expired])
    return [name for _, name in expired]
