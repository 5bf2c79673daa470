"""A draft's history: list and read versions, save, accept a rewrite, restore, delete.

History is append-only: saving, accepting a rewrite and restoring all add a version;
nothing is rewritten in place. Deleting a draft only hides it; ``undelete`` brings it
back, and ``purge`` removes drafts deleted more than ``RETENTION_DAYS`` ago. Writes
take ``uow=`` to join the caller's unit of work (one transaction with what goes with
the save); without it each call commits on its own.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

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
from assistant.services.drafts.names import (
    check_name,
    default_author,
    require,
    store_exists,
    unknown,
    version_of,
)
from assistant.store import repo
from assistant.store.db import ConflictError, open_db, transaction
from assistant.store.uow import UnitOfWork, joined

# --- reading ------------------------------------------------------------------------------


def score(okr_set: OKRSet) -> Scores:
    """The rules engine's set scores: what a version records as its quality."""
    from assistant.rubric.critic import critique_set

    return critique_set(okr_set, rewrites=False).scores


def list_drafts(home: Path | None = None, *, deleted: bool = False) -> list[DraftSummary]:
    """Live drafts by name with their latest version (or only deleted ones)."""
    if not store_exists(home):
        return []
    with open_db(home) as conn:
        return repo.list_drafts(conn, deleted=deleted)


def draft_summary(home: Path | None, name: str) -> DraftSummary:
    """One live draft's summary (version count, head)."""
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn, transaction(conn, write=False):
        draft = require(conn, name)
        head = version_of(conn, draft, None)
        return DraftSummary(
            name=draft.name,
            versions=head.number,
            created_at=datetime.fromisoformat(draft.created_at),
            head=VersionInfo(**head.model_dump(exclude={"okr_set"})),
        )


def get_version(
    home: Path | None, name: str, number: int | None = None, *, uow: UnitOfWork | None = None
) -> Version:
    """Version ``number`` of a draft with its OKR set; the latest when ``number`` is None.
    With ``uow`` it is read inside the caller's transaction."""
    if uow is not None:
        with joined(home, uow) as work:
            return version_of(work.conn, require(work.conn, name), number)
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn:
        return version_of(conn, require(conn, name), number)


def history(home: Path | None, name: str, limit: int | None = None) -> list[VersionInfo]:
    """A draft's versions newest first, without content; ``limit`` keeps the latest N."""
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn:
        return repo.history(conn, require(conn, name), limit)


# --- writing ------------------------------------------------------------------------------


def save(
    home: Path | None,
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
    uow: UnitOfWork | None = None,
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
    ``carry_dismissals`` keeps the previous version's dismissed findings dismissed on
    the new one, in the same transaction as the save. With ``uow`` the save joins the
    caller's transaction (which already holds the write lock: pass ``scores`` computed
    beforehand to keep that short).
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
    with joined(home, uow) as work:
        conn = work.conn
        draft = repo.find_draft(conn, name)
        new_draft = draft is None
        if draft is None:
            draft = repo.create_draft(conn, name, stamp)
        elif draft.deleted_at is not None:
            raise UsageError(
                f"draft '{name}' was deleted on {draft.deleted_at[:10]}; `okr undelete {name}` "
                "brings it back, or save under another name with --draft"
            )
        head = repo.head_row(conn, draft.id)
        if expected_head is not None and (head[1] if head else 0) != expected_head:
            raise ConflictError(
                f"draft '{name}' is at v{head[1] if head else 0} now, not v{expected_head}: "
                "someone saved in between; reload it and apply your change again"
            )
        stored = repo.head_source(conn, draft.id)
        if (
            stored is not None
            and stored[0] == content_text
            and (written is None or written.pair == (stored[1], stored[2]))
        ):
            current = repo.history(conn, draft, 1)[0]
            return SaveResult(version=current, created=False)
        info = repo.append_version(
            conn,
            draft,
            content_text,
            message=message,
            author=author,
            source=source,
            scores=version_scores,
            created_at=stamp,
            text=written.text if written else None,
            text_format=written.text_format if written else None,
        )
        if carry_dismissals and head is not None:
            dismissals.copy_dismissals(conn, draft.id, head[1], info.number)
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
    home: Path | None,
    name: str,
    finding: Finding,
    *,
    text: str | None = None,
    author: str | None = None,
    expected_head: int | None = None,
    carry_dismissals: bool = True,
    uow: UnitOfWork | None = None,
) -> SaveResult:
    """Apply one finding's rewrite (or ``text``, the user's edit of it) as a new version.

    The message reads ``Accept rewrite of O1.KR2 (llm)`` and the source is
    ``accept:llm`` or ``accept:rules``, so ``okr log`` shows which coach helped. The
    findings dismissed on the accepted-on version stay dismissed on the new one
    (saved in the same transaction).
    """
    new_text = text if text is not None else (finding.rewrite.text if finding.rewrite else None)
    if not new_text:
        raise UsageError(f"the {finding.code} finding on {finding.target} offers no rewrite")
    head = get_version(home, name, uow=uow)
    if expected_head is not None and head.number != expected_head:
        raise ConflictError(
            f"draft '{name}' is at v{head.number} now, not v{expected_head}: "
            "someone saved in between; critique the latest version again"
        )
    updated = apply_rewrite(head.okr_set, finding.target, new_text, finding.evidence)
    return save(
        home,
        name,
        updated,
        f"Accept rewrite of {finding.target} ({finding.source})",
        author=author,
        source=f"accept:{finding.source}",
        expected_head=head.number,
        carry_dismissals=carry_dismissals,
        uow=uow,
        text=rewritten_text(head, finding.target, new_text, updated),
    )


def restore(
    home: Path | None,
    name: str,
    number: int,
    *,
    message: str | None = None,
    author: str | None = None,
    uow: UnitOfWork | None = None,
) -> SaveResult:
    """Make version ``number``'s content the latest again, as a new version (history stays)."""
    old = get_version(home, name, number, uow=uow)
    return save(
        home,
        name,
        old.okr_set,
        message or f"Restore v{number}",
        author=author,
        source="restore",
        uow=uow,
        text=old.text if old.text is not None else source_text.canonical_yaml(old.okr_set),
        text_format=old.text_format or "yaml",
    )


def delete(home: Path | None, name: str, *, now: datetime | None = None) -> DraftSummary:
    """Hide a draft (soft delete). Reversible with ``undelete``; purged after 30 days."""
    if not store_exists(home):
        raise unknown(name)
    with UnitOfWork(home) as work:
        draft = repo.find_draft(work.conn, name)
        if draft is None:
            raise unknown(name, work.conn)
        if draft.deleted_at is not None:
            raise UsageError(f"draft '{name}' is already deleted (see `okr drafts --deleted`)")
        repo.set_deleted(work.conn, draft, repo.timestamp(now))
    return next(d for d in list_drafts(home, deleted=True) if d.name == name)


def undelete(home: Path | None, name: str) -> DraftSummary:
    """Bring back a deleted draft with its whole history."""
    if not store_exists(home):
        raise unknown(name)
    with UnitOfWork(home) as work:
        draft = repo.find_draft(work.conn, name)
        if draft is None:
            raise UsageError(f"no deleted draft named '{name}' (see `okr drafts --deleted`)")
        if draft.deleted_at is None:
            raise UsageError(f"draft '{name}' is not deleted")
        repo.set_deleted(work.conn, draft, None)
    return draft_summary(home, name)


def purge(home: Path | None = None, *, dry_run: bool = False) -> list[str]:
    """Remove for good the drafts deleted more than ``RETENTION_DAYS`` days ago."""
    if not store_exists(home):
        return []
    with UnitOfWork(home) as work:
        expired = repo.expired_drafts(work.conn, RETENTION_DAYS)
        if not dry_run:
            repo.purge_drafts(work.conn, [draft_id for draft_id, _ in expired])
    return [name for _, name in expired]
