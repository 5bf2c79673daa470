"""Versioned drafts: the only API the CLI and the TUI use to save and browse revisions.

Every function takes plain inputs (the data home, draft names, an ``OKRSet``) and
returns the models of ``assistant.store.models``. History is append-only: saving,
accepting a rewrite and restoring all add a version; nothing is rewritten in place.
Deleting a draft only hides it; ``undelete`` brings it back, and ``purge`` removes
drafts deleted more than ``RETENTION_DAYS`` ago.
"""

from __future__ import annotations

import difflib
import getpass
import json
import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.errors import InputError, UsageError
from assistant.model import Finding, KeyResult, Objective, OKRSet, Scores
from assistant.paths import write_text_atomic
from assistant.store import repo
from assistant.store.db import (
    BUSY_TIMEOUT_S,
    ConflictError,
    StoreError,
    connect,
    db_path,
    describe,
    open_db,
    transaction,
)
from assistant.store.migrations import MIGRATIONS, applied_names, schema_version
from assistant.store.models import (
    RETENTION_DAYS,
    SOURCES,
    Diff,
    DoctorReport,
    DraftSummary,
    FieldChange,
    ImportedDraft,
    ItemChange,
    ObjectiveChange,
    SaveResult,
    ScoreDelta,
    Version,
    VersionInfo,
)

__all__ = [
    "BACKUP_FORMAT",
    "RETENTION_DAYS",
    "accept",
    "apply_rewrite",
    "check_name",
    "compare",
    "default_author",
    "delete",
    "diff",
    "doctor",
    "draft_summary",
    "export_all",
    "export_version",
    "get_version",
    "history",
    "import_path",
    "list_drafts",
    "parse_ref",
    "purge",
    "restore",
    "save",
    "score",
    "undelete",
]

BACKUP_FORMAT = "okr-coach-draft"
MANIFEST = "manifest.json"
_REF = re.compile(r"^(?P<name>.+)@(?:v?(?P<number>\d+)|(?P<latest>latest|head))$", re.IGNORECASE)
_TARGET = re.compile(r"^O(?P<obj>\d+)(?:\.KR(?P<kr>\d+))?$")


# --- small helpers ------------------------------------------------------------------------


def default_author() -> str:
    """``$OKR_AUTHOR``, else the login name: who a version is attributed to by default."""
    explicit = os.environ.get("OKR_AUTHOR", "").strip()
    if explicit:
        return explicit
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def parse_ref(ref: str) -> tuple[str, int | None]:
    """``NAME``, ``NAME@3``, ``NAME@v3`` or ``NAME@latest`` → ``(name, number or None)``."""
    match = _REF.match(ref.strip())
    if not match:
        return ref.strip(), None
    number = match.group("number")
    return match.group("name"), int(number) if number is not None else None


def check_name(name: str) -> str:
    """Draft names are shown in tables and typed on command lines: keep them sane."""
    cleaned = name.strip()
    if not cleaned:
        raise UsageError("a draft name cannot be empty")
    if len(cleaned) > 200:
        raise UsageError("a draft name can be at most 200 characters")
    if any(ord(ch) < 32 for ch in cleaned):
        raise UsageError("a draft name cannot contain line breaks or control characters")
    if _REF.match(cleaned):
        raise UsageError(
            f"draft name '{cleaned}' ends like a version reference (@N); choose another with --draft"
        )
    return cleaned


def _content_text(okr_set: OKRSet) -> str:
    return repo.canonical_json(okr_set.content())


def score(okr_set: OKRSet) -> Scores:
    """The rules engine's set scores: what a version records as its quality."""
    from assistant.services.critique import critique_set

    return critique_set(okr_set).scores


def _exists(home: Path | None) -> bool:
    return db_path(home).exists()


def _unknown(name: str, conn: sqlite3.Connection | None = None) -> UsageError:
    """'unknown draft', with a did-you-mean when a live draft's name is close."""
    hint = "see `okr drafts`"
    if conn is not None:
        names = [
            str(r[0]) for r in conn.execute("SELECT name FROM drafts WHERE deleted_at IS NULL")
        ]
        by_case = [n for n in names if n.casefold() == name.casefold()]
        close = by_case or difflib.get_close_matches(name, names, n=1, cutoff=0.7)
        if close:
            hint = f"did you mean '{close[0]}'?"
    return UsageError(f"unknown draft '{name}' ({hint})")


def _require(conn: sqlite3.Connection, name: str, *, deleted_ok: bool = False) -> repo.DraftRow:
    draft = repo.find_draft(conn, name)
    if draft is None:
        raise _unknown(name, conn)
    if draft.deleted_at is not None and not deleted_ok:
        raise UsageError(
            f"draft '{name}' was deleted on {draft.deleted_at[:10]}; "
            f"`okr undelete {name}` brings it back"
        )
    return draft


def _version(conn: sqlite3.Connection, draft: repo.DraftRow, number: int | None) -> Version:
    version = repo.get_version(conn, draft, number)
    if version is None:
        count = repo.version_count(conn, draft.id)
        raise UsageError(f"draft '{draft.name}' has no version {number} (it has v1–v{count})")
    return version


# --- reading ------------------------------------------------------------------------------


def list_drafts(home: Path | None = None, *, deleted: bool = False) -> list[DraftSummary]:
    """Live drafts by name with their latest version (or only deleted ones)."""
    if not _exists(home):
        return []
    with open_db(home) as conn:
        return repo.list_drafts(conn, deleted=deleted)


def draft_summary(home: Path | None, name: str) -> DraftSummary:
    """One live draft's summary (version count, head)."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn, transaction(conn, write=False):
        draft = _require(conn, name)
        head = _version(conn, draft, None)
        return DraftSummary(
            name=draft.name,
            versions=head.number,
            created_at=datetime.fromisoformat(draft.created_at),
            head=VersionInfo(**head.model_dump(exclude={"okr_set"})),
        )


def get_version(home: Path | None, name: str, number: int | None = None) -> Version:
    """Version ``number`` of a draft with its OKR set; the latest when ``number`` is None."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn:
        return _version(conn, _require(conn, name), number)


def history(home: Path | None, name: str, limit: int | None = None) -> list[VersionInfo]:
    """A draft's versions newest first, without content; ``limit`` keeps the latest N."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn:
        return repo.history(conn, _require(conn, name), limit)


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
) -> SaveResult:
    """Append ``okr_set`` as the draft's next version (creating the draft on first save).

    Saving what the latest version already holds adds nothing (``created`` is False).
    ``expected_head`` is the version the caller edited: if someone saved since, a
    ``ConflictError`` is raised instead of silently stacking on their change.
    """
    name = check_name(name)
    if source not in SOURCES:
        raise UsageError(f"unknown version source '{source}' (one of {', '.join(SOURCES)})")
    message = " ".join(message.split())
    if not message:
        raise UsageError("a version needs a message (-m 'what changed')")
    author = (author or default_author()).strip() or "unknown"
    content_text = _content_text(okr_set)
    # Score before taking the write lock: other savers only wait for the insert.
    version_scores = scores or score(okr_set)
    stamp = repo.timestamp(now)
    with open_db(home) as conn, transaction(conn):
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
        if head is not None and repo.head_content(conn, draft.id) == content_text:
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
        )
    return SaveResult(version=info, created=True, new_draft=new_draft)


def apply_rewrite(okr_set: OKRSet, target: str, text: str, evidence: str = "") -> OKRSet:
    """A copy of ``okr_set`` with the objective title or KR text at ``target`` replaced.

    ``evidence`` (the words the suggestion was about) must still be in the current
    text, so a stale suggestion never overwrites an edit made after it.
    """
    match = _TARGET.match(target)
    if not match:
        raise UsageError(f"cannot apply a rewrite to '{target}': only objectives and KRs")
    text = " ".join(text.split())
    if not text:
        raise UsageError(f"the rewrite of {target} is empty")
    updated = OKRSet.model_validate(okr_set.content())
    oi = int(match.group("obj"))
    if not 1 <= oi <= len(updated.objectives):
        raise UsageError(
            f"{target} does not exist (the draft has {len(updated.objectives)} objectives)"
        )
    objective = updated.objectives[oi - 1]
    if match.group("kr") is None:
        current = objective.title
    else:
        ki = int(match.group("kr"))
        if not 1 <= ki <= len(objective.key_results):
            raise UsageError(
                f"{target} does not exist (O{oi} has {len(objective.key_results)} key results)"
            )
        current = objective.key_results[ki - 1].text
    if evidence and evidence not in current:
        raise ConflictError(
            f"{target} changed since this suggestion was made ('{evidence}' is no longer in it); "
            "critique the latest version again"
        )
    if match.group("kr") is None:
        objective.title = text
    else:
        objective.key_results[int(match.group("kr")) - 1].text = text
    return updated


def accept(
    home: Path | None,
    name: str,
    finding: Finding,
    *,
    text: str | None = None,
    author: str | None = None,
    expected_head: int | None = None,
) -> SaveResult:
    """Apply one finding's rewrite (or ``text``, the user's edit of it) as a new version.

    The message reads ``Accept rewrite of O1.KR2 (llm)`` and the source is
    ``accept:llm`` or ``accept:rules``, so ``okr log`` shows which coach helped.
    """
    new_text = text if text is not None else (finding.rewrite.text if finding.rewrite else None)
    if not new_text:
        raise UsageError(f"the {finding.code} finding on {finding.target} offers no rewrite")
    head = get_version(home, name)
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
    )


def restore(
    home: Path | None,
    name: str,
    number: int,
    *,
    message: str | None = None,
    author: str | None = None,
) -> SaveResult:
    """Make version ``number``'s content the latest again, as a new version (history stays)."""
    old = get_version(home, name, number)
    return save(
        home,
        name,
        old.okr_set,
        message or f"Restore v{number}",
        author=author,
        source="restore",
    )


def delete(home: Path | None, name: str, *, now: datetime | None = None) -> DraftSummary:
    """Hide a draft (soft delete). Reversible with ``undelete``; purged after 30 days."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn, transaction(conn):
        draft = repo.find_draft(conn, name)
        if draft is None:
            raise _unknown(name, conn)
        if draft.deleted_at is not None:
            raise UsageError(f"draft '{name}' is already deleted (see `okr drafts --deleted`)")
        repo.set_deleted(conn, draft, repo.timestamp(now))
    return next(d for d in list_drafts(home, deleted=True) if d.name == name)


def undelete(home: Path | None, name: str) -> DraftSummary:
    """Bring back a deleted draft with its whole history."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn, transaction(conn):
        draft = repo.find_draft(conn, name)
        if draft is None:
            raise UsageError(f"no deleted draft named '{name}' (see `okr drafts --deleted`)")
        if draft.deleted_at is None:
            raise UsageError(f"draft '{name}' is not deleted")
        repo.set_deleted(conn, draft, None)
    return draft_summary(home, name)


def purge(home: Path | None = None, *, dry_run: bool = False) -> list[str]:
    """Remove for good the drafts deleted more than ``RETENTION_DAYS`` days ago."""
    if not _exists(home):
        return []
    with open_db(home) as conn, transaction(conn):
        expired = repo.expired_drafts(conn, RETENTION_DAYS)
        if not dry_run:
            repo.purge_drafts(conn, [draft_id for draft_id, _ in expired])
    return [name for _, name in expired]


# --- diff ---------------------------------------------------------------------------------


def _text_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio()


def _objective_similarity(a: Objective, b: Objective) -> float:
    """A reworded objective whose key results mostly stayed is still the same objective."""
    title = _text_similarity(a.title, b.title)
    if not a.key_results or not b.key_results:
        return title
    shared = len({k.text for k in a.key_results} & {k.text for k in b.key_results})
    return max(title, shared / max(len(a.key_results), len(b.key_results)))


def _align(
    n: int,
    m: int,
    similarity: Callable[[int, int], float],
    *,
    threshold: float = 0.4,
    pair_gaps: bool = False,
) -> list[tuple[int | None, int | None]]:
    """Pair items of two lists in order, maximising total similarity.

    Identical items always pair; edited ones pair when similar enough, so an edited
    KR shows as changed rather than removed + added even when a neighbour moved.
    With ``pair_gaps``, leftovers between two matches pair up by position too.
    """

    def sim(i: int, j: int) -> float:
        value = similarity(i, j)
        if value >= 1.0:
            return 2.0
        return value if value >= threshold else -1.0

    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            s = sim(i, j)
            if s > 0:
                options.append(best[i + 1][j + 1] + s)
            best[i][j] = max(options)
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n and j < m:
        s = sim(i, j)
        if s > 0 and best[i][j] == best[i + 1][j + 1] + s:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    pairs.extend((k, None) for k in range(i, n))
    pairs.extend((None, k) for k in range(j, m))
    return _pair_gaps(pairs) if pair_gaps else pairs


def _pair_gaps(pairs: list[tuple[int | None, int | None]]) -> list[tuple[int | None, int | None]]:
    """Between two matched items, removed and added ones pair up by position: a KR
    replaced by a very different rewrite in the same place reads as changed.
    (Objectives do not use this: a new objective in place of an old one is not an edit.)"""
    out: list[tuple[int | None, int | None]] = []
    removed: list[int] = []
    added: list[int] = []

    def flush() -> None:
        for k in range(max(len(removed), len(added))):
            out.append(
                (removed[k] if k < len(removed) else None, added[k] if k < len(added) else None)
            )
        removed.clear()
        added.clear()

    for old_index, new_index in pairs:
        if old_index is not None and new_index is not None:
            flush()
            out.append((old_index, new_index))
        elif old_index is not None:
            removed.append(old_index)
        elif new_index is not None:
            added.append(new_index)
    flush()
    return out


def _fields(old: Any, new: Any, names: Sequence[str]) -> list[FieldChange]:
    changes = []
    for field in names:
        a, b = getattr(old, field), getattr(new, field)
        if a != b:
            changes.append(FieldChange(field=field, old=a, new=b))
    return changes


_KR_FIELDS = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to")
_OBJ_FIELDS = ("type", "owner", "aligns_to")
_SET_FIELDS = ("name", "owner", "cycle")


def _item(
    kind_if_same: bool,
    old_id: str | None,
    new_id: str | None,
    old_text: str | None,
    new_text: str | None,
    fields: list[FieldChange],
    scores_old: dict[str, Scores],
    scores_new: dict[str, Scores],
) -> dict[str, Any]:
    if old_id is None:
        kind = "added"
    elif new_id is None:
        kind = "removed"
    else:
        kind = "unchanged" if kind_if_same and old_text == new_text and not fields else "changed"
    a = scores_old.get(old_id) if old_id else None
    b = scores_new.get(new_id) if new_id else None
    return {
        "kind": kind,
        "old_id": old_id,
        "new_id": new_id,
        "old_text": old_text,
        "new_text": new_text,
        "fields": fields,
        "old_scores": a,
        "new_scores": b,
        "delta": ScoreDelta.between(a, b) if a and b else None,
    }


def _target_scores(okr_set: OKRSet) -> tuple[Scores, dict[str, Scores]]:
    from assistant.services.critique import critique_set

    critique = critique_set(okr_set)
    by_id: dict[str, Scores] = {}
    for objective in critique.objectives:
        by_id[objective.id] = objective.scores
        for kr in objective.key_results:
            by_id[kr.id] = kr.scores
    return critique.scores, by_id


def compare(old: Version, new: Version) -> Diff:
    """Changes per objective and KR between two versions, with score deltas."""
    old_set, new_set = old.okr_set, new.okr_set
    old_total, old_scores = _target_scores(old_set)
    new_total, new_scores = _target_scores(new_set)
    objectives: list[ObjectiveChange] = []
    pairs = _align(
        len(old_set.objectives),
        len(new_set.objectives),
        lambda i, j: _objective_similarity(old_set.objectives[i], new_set.objectives[j]),
    )
    for oi, ni in pairs:
        a: Objective | None = old_set.objectives[oi] if oi is not None else None
        b: Objective | None = new_set.objectives[ni] if ni is not None else None
        a_id = f"O{oi + 1}" if oi is not None else None
        b_id = f"O{ni + 1}" if ni is not None else None
        krs: list[ItemChange] = []
        a_krs: list[KeyResult] = a.key_results if a else []
        b_krs: list[KeyResult] = b.key_results if b else []
        kr_pairs = _align(
            len(a_krs),
            len(b_krs),
            lambda i, j, a_krs=a_krs, b_krs=b_krs: _text_similarity(a_krs[i].text, b_krs[j].text),
            pair_gaps=True,
        )
        for ki, kj in kr_pairs:
            ka = a_krs[ki] if ki is not None else None
            kb = b_krs[kj] if kj is not None else None
            fields = _fields(ka, kb, _KR_FIELDS) if ka and kb else []
            krs.append(
                ItemChange(
                    **_item(
                        True,
                        f"{a_id}.KR{ki + 1}" if ki is not None and a_id else None,
                        f"{b_id}.KR{kj + 1}" if kj is not None and b_id else None,
                        ka.text if ka else None,
                        kb.text if kb else None,
                        fields,
                        old_scores,
                        new_scores,
                    )
                )
            )
        fields = _fields(a, b, _OBJ_FIELDS) if a and b else []
        item = _item(
            True,
            a_id,
            b_id,
            a.title if a else None,
            b.title if b else None,
            fields,
            old_scores,
            new_scores,
        )
        if item["kind"] == "unchanged" and any(k.kind != "unchanged" for k in krs):
            item["kind"] = "changed"
        objectives.append(ObjectiveChange(**item, key_results=krs))
    return Diff(
        draft=new.draft,
        old=VersionInfo(**old.model_dump(exclude={"okr_set"})),
        new=VersionInfo(**new.model_dump(exclude={"okr_set"})),
        set_fields=_fields(old_set, new_set, _SET_FIELDS),
        old_scores=old_total,
        new_scores=new_total,
        delta=ScoreDelta.between(old_total, new_total),
        objectives=objectives,
    )


def diff(home: Path | None, name: str, old: int, new: int | None = None) -> Diff:
    """What changed from version ``old`` to ``new`` (default: the latest)."""
    if not _exists(home):
        raise _unknown(name)
    with open_db(home) as conn, transaction(conn, write=False):
        draft = _require(conn, name)
        a = _version(conn, draft, old)
        b = _version(conn, draft, new)
    return compare(a, b)


# --- export / import ----------------------------------------------------------------------


def export_version(
    home: Path | None, name: str, number: int | None = None, fmt: str = "yaml"
) -> str:
    """One version as an OKR file (yaml, markdown or json) that ``okr critique`` reads back."""
    from assistant.io import write_sets

    version = get_version(home, name, number)
    try:
        return write_sets([version.okr_set], fmt)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _slug(name: str) -> str:
    slug = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.").lower()
    return slug[:80] or "draft"


def export_all(home: Path | None, directory: Path) -> list[Path]:
    """Back up every draft (deleted ones too) with its full history: one JSON file per
    draft plus ``manifest.json``. ``okr import DIR`` restores it, verifying every hash."""
    drafts: list[tuple[repo.DraftRow, list[dict[str, Any]]]] = []
    if _exists(home):
        with open_db(home) as conn, transaction(conn, write=False):
            rows = conn.execute(
                "SELECT id, name, created_at, deleted_at FROM drafts ORDER BY name"
            ).fetchall()
            for row in rows:
                draft = repo.DraftRow(*row)
                versions = [
                    _backup_version(r)
                    for r in conn.execute(
                        "SELECT number, hash, parent_hash, message, author, source, created_at,"
                        " clarity, measurability, ambition, overall, content FROM versions"
                        " WHERE draft_id = ? ORDER BY number",
                        (draft.id,),
                    )
                ]
                drafts.append((draft, versions))
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        used: set[str] = set()
        manifest: list[dict[str, Any]] = []
        for draft, versions in drafts:
            base = _slug(draft.name)
            filename, n = f"{base}.json", 1
            while filename in used or filename == MANIFEST:
                n += 1
                filename = f"{base}-{n}.json"
            used.add(filename)
            document = {
                "format": BACKUP_FORMAT,
                "format_version": 1,
                "name": draft.name,
                "created_at": draft.created_at,
                "deleted_at": draft.deleted_at,
                "versions": versions,
            }
            path = directory / filename
            write_text_atomic(path, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
            written.append(path)
            manifest.append(
                {
                    "name": draft.name,
                    "file": filename,
                    "versions": len(versions),
                    "head": versions[-1]["hash"] if versions else None,
                }
            )
        index = {
            "format": "okr-coach-backup",
            "format_version": 1,
            "created_at": repo.timestamp(),
            "drafts": manifest,
        }
        write_text_atomic(
            directory / MANIFEST, json.dumps(index, ensure_ascii=False, indent=1) + "\n"
        )
    except OSError as exc:
        raise UsageError(f"{directory}: cannot write the backup ({exc.strerror or exc})") from None
    return written


def _backup_version(row: Sequence[Any]) -> dict[str, Any]:
    keys = ("number", "hash", "parent_hash", "message", "author", "source", "created_at")
    entry: dict[str, Any] = dict(zip(keys, row[:7], strict=True))
    if all(v is not None for v in row[7:11]):
        entry["scores"] = dict(
            zip(("clarity", "measurability", "ambition", "overall"), row[7:11], strict=True)
        )
    entry["content"] = json.loads(row[11])
    return entry


def _is_backup(path: Path) -> bool:
    if path.is_dir():
        return True
    if path.suffix.lower() != ".json":
        return False
    try:
        head = path.read_text(encoding="utf-8")[:4096]
    except (OSError, UnicodeDecodeError):
        return False
    return f'"{BACKUP_FORMAT}"' in head


def _load_backup(path: Path) -> tuple[dict[str, Any], list[tuple[VersionInfo, str]]]:
    """Read one draft backup file and verify its chain; ``(document, [(info, content)])``."""
    label = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(label, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(label, f"cannot read backup ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(label, f"invalid JSON: {exc.msg}", exc.lineno) from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise InputError(label, f'not an okr-coach draft backup (no "format": "{BACKUP_FORMAT}")')
    if document.get("format_version") != 1:
        raise InputError(
            label, f"unsupported backup format_version {document.get('format_version')!r}"
        )
    name = document.get("name")
    versions = document.get("versions")
    if not isinstance(name, str) or not isinstance(versions, list) or not versions:
        raise InputError(label, "a draft backup needs a 'name' and a non-empty 'versions' list")
    out: list[tuple[VersionInfo, str]] = []
    parent: str | None = None
    for expected, entry in enumerate(versions, start=1):
        where = f"draft '{name}' v{expected}"
        try:
            content = entry["content"]
            okr_set = OKRSet.model_validate(content)
            info = VersionInfo(
                draft=name,
                number=entry["number"],
                hash=entry["hash"],
                parent_hash=entry.get("parent_hash"),
                message=entry["message"],
                author=entry["author"],
                source=entry["source"],
                created_at=entry["created_at"],
                scores=entry.get("scores"),
            )
        except (KeyError, TypeError) as exc:
            raise InputError(label, f"{where}: missing or malformed field {exc}") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise InputError(label, f"{where}: {loc}: {first['msg']}") from None
        text = repo.canonical_json(okr_set.content())
        if text != repo.canonical_json(content):
            raise InputError(label, f"{where}: content is not in canonical form")
        if info.number != expected:
            raise InputError(label, f"{where}: numbered v{info.number} (versions missing?)")
        if info.parent_hash != parent:
            raise InputError(label, f"{where}: parent hash does not match v{expected - 1}")
        if repo.chain_hash(text, parent) != info.hash:
            raise InputError(label, f"{where}: hash does not match its content (file was edited)")
        out.append((info, text))
        parent = info.hash
    return document, out


def _backup_files(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]
    manifest = path / MANIFEST
    if manifest.exists():
        try:
            index = json.loads(manifest.read_text(encoding="utf-8"))
            return [path / entry["file"] for entry in index["drafts"]]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise InputError(str(manifest), f"unreadable backup manifest ({exc})") from None
    files = sorted(p for p in path.glob("*.json") if _is_backup(p))
    if not files:
        raise InputError(str(path), "no okr-coach draft backups in this directory")
    return files


def _import_backups(home: Path | None, path: Path, rename: str | None) -> list[ImportedDraft]:
    loaded = [(p, *_load_backup(p)) for p in _backup_files(path)]
    if rename is not None and len(loaded) != 1:
        raise UsageError("--draft renames a single draft; this backup holds several")
    results: list[ImportedDraft] = []
    with open_db(home) as conn, transaction(conn):
        for file, document, versions in loaded:
            name = check_name(rename or document["name"])
            draft = repo.find_draft(conn, name)
            new_draft = draft is None
            if draft is None:
                draft = repo.create_draft(
                    conn, name, str(document.get("created_at") or repo.timestamp())
                )
                if document.get("deleted_at") and rename is None:
                    repo.set_deleted(conn, draft, str(document["deleted_at"]))
            local = [v.hash for v in reversed(repo.history(conn, draft))]
            for i, (mine, theirs) in enumerate(zip(local, versions, strict=False), start=1):
                if mine != theirs[0].hash:
                    raise InputError(
                        str(file),
                        f"draft '{name}' differs from this backup from v{i} on; nothing was "
                        "imported (import it under another name with --draft NEW)",
                    )
            extra = versions[len(local) :]
            for info, text in extra:
                repo.insert_raw_version(conn, draft, info.model_copy(update={"draft": name}), text)
            results.append(
                ImportedDraft(
                    name=name,
                    added=len(extra),
                    skipped=len(versions) - len(extra),
                    new_draft=new_draft,
                )
            )
    return results


def import_path(
    home: Path | None,
    path: str,
    *,
    draft: str | None = None,
    message: str | None = None,
    author: str | None = None,
    format_in: str | None = None,
) -> list[ImportedDraft]:
    """Import what ``okr export`` wrote.

    A backup (``export --all`` directory or one draft's JSON) is restored with its
    full history after verifying every hash; versions already present are skipped.
    An OKR file (yaml/md/json/csv) becomes a new version of each set's draft, with
    source ``import``.
    """
    target = Path(path)
    if path != "-" and target.exists() and _is_backup(target):
        return _import_backups(home, target, draft)
    from assistant.io import read_path

    sets = read_path(path, format_in)
    if draft is not None and len(sets) != 1:
        raise UsageError(f"{path} holds {len(sets)} sets; --draft names a single one")
    stem = Path(path).stem if path != "-" else "stdin"
    names = [
        check_name(draft or okr_set.name or (stem if len(sets) == 1 else f"{stem}-{i}"))
        for i, okr_set in enumerate(sets, start=1)
    ]
    if len(set(names)) != len(names):
        raise UsageError(f"{path}: two sets share a name; give each set a distinct name")
    results = []
    for name, okr_set in zip(names, sets, strict=True):
        label = "stdin" if path == "-" else Path(path).name
        outcome = save(
            home,
            name,
            okr_set,
            message or f"Import {label}",
            author=author,
            source="import",
        )
        results.append(
            ImportedDraft(
                name=name,
                added=int(outcome.created),
                skipped=int(not outcome.created),
                new_draft=outcome.new_draft,
            )
        )
    return results


# --- doctor -------------------------------------------------------------------------------


def doctor(home: Path | None = None) -> DoctorReport:
    """Check SQLite's integrity and every draft's hash chain; never modifies the database."""
    path = db_path(home)
    report = DoctorReport(path=str(path), exists=path.exists())
    if not report.exists:
        return report
    try:
        conn = connect(path, BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
        return report
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        report.integrity = "; ".join(rows[:5]) + (
            f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        )
        if rows != ["ok"]:
            report.problems.append(f"SQLite integrity check failed: {report.integrity}")
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            report.problems.append(f"{table} row {rowid} points to a missing {parent} row")
        report.schema_version = schema_version(conn)
        applied = applied_names(conn)
        report.migrations = [name for _, name in applied]
        known = [m.name for m in MIGRATIONS]
        for number, name in applied:
            if number <= len(known) and known[number - 1] != name:
                report.problems.append(
                    f"migration {number} is '{name}' in the database but '{known[number - 1]}' "
                    "in this okr-coach (built from a different migration list)"
                )
        if report.schema_version > len(known):
            report.problems.append(
                f"schema version {report.schema_version} is newer than this okr-coach ({len(known)})"
            )
        if report.schema_version >= 1:
            with transaction(conn, write=False):
                report.drafts, report.versions, problems = repo.chain_problems(conn)
            report.problems.extend(problems)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreError(describe(exc, path, BUSY_TIMEOUT_S)) from None
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
    except sqlite3.DatabaseError as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
    finally:
        conn.close()
    return report
