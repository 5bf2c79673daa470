"""SQL for drafts and versions. Only appends; the services decide what to append.

A version's ``hash`` chains onto its parent's, so changing any stored revision breaks
every later hash. Hash version 1 (rows saved before migration 0007) is
``sha256(content + parent_hash)`` over the canonical JSON of ``OKRSet.content()``
(sorted keys, no spaces, UTF-8) and the parent's hex hash (empty for version 1);
hash version 2 adds ``meta_hash`` over that hash and the message, author, source,
timestamp and scores, so an edited message or score is as evident as edited content
(:func:`metadata_hash`); hash version 3 (migration 0008) also covers the text the
version was written as (``source_text``, comments and layout kept), which the chain
hash does not: two texts of the same content are the same content.

The hashing itself lives in ``store.hashing`` (one scheme for every record); the draft
rows carry a ``row_hash`` too, and every append moves the draft's ``versions`` chain
head (``store.chain_heads``) in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from assistant.domain.drafts import DraftSummary, Version, VersionInfo
from assistant.errors import one_line, validation_message
from assistant.model import OKRSet, Scores
from assistant.store import chain_heads
from assistant.store.hashing import (
    HASH_VERSION,
    HASH_VERSIONS,
    canonical_json,
    chain_hash,
    draft_fields,
    metadata_hash,
    record_hash,
)

__all__ = [
    "HASH_VERSION",
    "HASH_VERSIONS",
    "canonical_json",
    "chain_hash",
    "metadata_hash",
]

_INFO_COLS = (
    "v.number, v.hash, v.parent_hash, v.message, v.author, v.source, v.created_at, "
    "v.clarity, v.measurability, v.ambition, v.overall"
)


SQLITE_MAX_INT = 2**63 - 1


def timestamp(now: datetime | None = None) -> str:
    """UTC ISO-8601 with microseconds; SQLite's ``julianday()`` parses it too."""
    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _scores(row: sqlite3.Row | tuple, offset: int) -> Scores | None:
    values = row[offset : offset + 4]
    if any(v is None for v in values):
        return None
    clarity, measurability, ambition, overall = values
    return Scores(clarity=clarity, measurability=measurability, ambition=ambition, overall=overall)


def _info(draft: str, row: sqlite3.Row | tuple, offset: int = 0) -> VersionInfo:
    r = row[offset : offset + 11]
    return VersionInfo(
        draft=draft,
        number=r[0],
        hash=r[1],
        parent_hash=r[2],
        message=r[3],
        author=r[4],
        source=r[5],
        created_at=r[6],
        scores=_scores(r, 7),
    )


class DraftRow:
    """The columns of ``drafts`` the services need."""

    __slots__ = ("id", "name", "created_at", "deleted_at")

    def __init__(self, id: int, name: str, created_at: str, deleted_at: str | None) -> None:
        self.id = id
        self.name = name
        self.created_at = created_at
        self.deleted_at = deleted_at


def find_draft(conn: sqlite3.Connection, name: str) -> DraftRow | None:
    row = conn.execute(
        "SELECT id, name, created_at, deleted_at FROM drafts WHERE name = ?", (name,)
    ).fetchone()
    return DraftRow(*row) if row else None


def all_drafts(conn: sqlite3.Connection) -> list[DraftRow]:
    """Every draft, deleted ones too, by name (what a full backup walks)."""
    rows = conn.execute("SELECT id, name, created_at, deleted_at FROM drafts ORDER BY name")
    return [DraftRow(*row) for row in rows]


def live_names(conn: sqlite3.Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT name FROM drafts WHERE deleted_at IS NULL")]


def _seal_draft(conn: sqlite3.Connection, draft: DraftRow) -> None:
    """Store the draft row's hash over its id, name and times (``store.hashing``)."""
    fields = draft_fields(draft.id, draft.name, draft.created_at, draft.deleted_at)
    conn.execute(
        "UPDATE drafts SET hash_version = ?, row_hash = ? WHERE id = ?",
        (HASH_VERSION, record_hash("draft", fields, None), draft.id),
    )


def create_draft(conn: sqlite3.Connection, name: str, created_at: str) -> DraftRow:
    cursor = conn.execute("INSERT INTO drafts (name, created_at) VALUES (?, ?)", (name, created_at))
    draft = DraftRow(int(cursor.lastrowid or 0), name, created_at, None)
    _seal_draft(conn, draft)
    return draft


def rename_draft(conn: sqlite3.Connection, draft: DraftRow, new_name: str) -> None:
    conn.execute("UPDATE drafts SET name = ? WHERE id = ?", (new_name, draft.id))
    _seal_draft(conn, DraftRow(draft.id, new_name, draft.created_at, draft.deleted_at))


def head_row(conn: sqlite3.Connection, draft_id: int) -> tuple[int, int, str] | None:
    """``(version id, number, hash)`` of the latest version."""
    row = conn.execute(
        "SELECT id, number, hash FROM versions WHERE draft_id = ? ORDER BY number DESC LIMIT 1",
        (draft_id,),
    ).fetchone()
    return (int(row[0]), int(row[1]), str(row[2])) if row else None


def head_source(
    conn: sqlite3.Connection, draft_id: int
) -> tuple[str, str | None, str | None] | None:
    """``(content, stored text, its format)`` of the latest version."""
    row = conn.execute(
        "SELECT content, source_text, source_format FROM versions WHERE draft_id = ?"
        " ORDER BY number DESC LIMIT 1",
        (draft_id,),
    ).fetchone()
    return (str(row[0]), row[1], row[2]) if row else None


def head_content(conn: sqlite3.Connection, draft_id: int) -> str | None:
    row = conn.execute(
        "SELECT content FROM versions WHERE draft_id = ? ORDER BY number DESC LIMIT 1",
        (draft_id,),
    ).fetchone()
    return str(row[0]) if row else None


def append_version(
    conn: sqlite3.Connection,
    draft: DraftRow,
    content_text: str,
    *,
    message: str,
    author: str,
    source: str,
    scores: Scores | None,
    created_at: str,
    text: str | None = None,
    text_format: str | None = None,
) -> VersionInfo:
    """Append after the current head. Call inside a write (IMMEDIATE) transaction.
    ``text`` is the text the content was written as (the caller checked it parses to it)."""
    head = head_row(conn, draft.id)
    parent_id, number, parent_hash = (head[0], head[1] + 1, head[2]) if head else (None, 1, None)
    digest = chain_hash(content_text, parent_hash)
    if text is None:
        text_format = None
    meta = metadata_hash(
        digest,
        message=message,
        author=author,
        source=source,
        created_at=created_at,
        scores=scores,
        hash_version=HASH_VERSION,
        text=text,
        text_format=text_format,
    )
    s = scores
    conn.execute(
        "INSERT INTO versions (draft_id, number, parent_id, content, hash, parent_hash, message,"
        " author, source, created_at, clarity, measurability, ambition, overall, hash_version,"
        " meta_hash, source_text, source_format)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.id,
            number,
            parent_id,
            content_text,
            digest,
            parent_hash,
            message,
            author,
            source,
            created_at,
            s.clarity if s else None,
            s.measurability if s else None,
            s.ambition if s else None,
            s.overall if s else None,
            HASH_VERSION,
            meta,
            text,
            text_format,
        ),
    )
    chain_heads.put(conn, "versions", draft.id, draft.id, number, digest)
    return VersionInfo(
        draft=draft.name,
        number=number,
        hash=digest,
        parent_hash=parent_hash,
        message=message,
        author=author,
        source=source,
        created_at=datetime.fromisoformat(created_at),
        scores=scores,
    )


def version_id(conn: sqlite3.Connection, draft_id: int, number: int) -> int | None:
    """The row id of version ``number`` of a draft (what cycles and reviews refer to)."""
    row = conn.execute(
        "SELECT id FROM versions WHERE draft_id = ? AND number = ?", (draft_id, number)
    ).fetchone()
    return int(row[0]) if row else None


def version_count(conn: sqlite3.Connection, draft_id: int) -> int:
    row = conn.execute("SELECT MAX(number) FROM versions WHERE draft_id = ?", (draft_id,))
    return int(row.fetchone()[0] or 0)


def get_version(conn: sqlite3.Connection, draft: DraftRow, number: int | None) -> Version | None:
    """Version ``number`` of the draft, or its head when ``number`` is None."""
    if number is None:
        row = conn.execute(
            f"SELECT {_INFO_COLS}, v.content, v.source_text, v.source_format FROM versions v"
            " WHERE v.draft_id = ? ORDER BY v.number DESC LIMIT 1",
            (draft.id,),
        ).fetchone()
    elif not 0 < number <= SQLITE_MAX_INT:
        return None  # no such version (and SQLite cannot even take the number)
    else:
        row = conn.execute(
            f"SELECT {_INFO_COLS}, v.content, v.source_text, v.source_format FROM versions v"
            " WHERE v.draft_id = ? AND v.number = ?",
            (draft.id, number),
        ).fetchone()
    if row is None:
        return None
    info = _info(draft.name, row)
    return Version(
        **info.model_dump(),
        okr_set=OKRSet.model_validate(json.loads(row[11])),
        text=row[12],
        text_format=row[13] if row[12] is not None else None,
    )


def history(
    conn: sqlite3.Connection, draft: DraftRow, limit: int | None = None
) -> list[VersionInfo]:
    """Newest first; ``limit`` keeps only the latest N (the index makes this O(N))."""
    sql = f"SELECT {_INFO_COLS} FROM versions v WHERE v.draft_id = ? ORDER BY v.number DESC"
    params: tuple[Any, ...] = (draft.id,)
    if limit is not None:
        sql += " LIMIT ?"
        params += (min(limit, SQLITE_MAX_INT),)
    return [_info(draft.name, row) for row in conn.execute(sql, params)]


def backup_rows(conn: sqlite3.Connection, draft_id: int) -> list[tuple[Any, ...]]:
    """Every version of a draft, oldest first, as stored: number, hash, parent hash,
    message, author, source, created_at, the four scores, the content text, the
    hash version and meta hash, and the stored text and its format."""
    return conn.execute(
        "SELECT number, hash, parent_hash, message, author, source, created_at,"
        " clarity, measurability, ambition, overall, content, hash_version, meta_hash,"
        " source_text, source_format FROM versions WHERE draft_id = ? ORDER BY number",
        (draft_id,),
    ).fetchall()


def list_drafts(conn: sqlite3.Connection, *, deleted: bool = False) -> list[DraftSummary]:
    """Every live draft (or every deleted one) with its head version, by name."""
    where = "d.deleted_at IS NOT NULL" if deleted else "d.deleted_at IS NULL"
    rows = conn.execute(
        f"SELECT d.name, d.created_at, d.deleted_at, {_INFO_COLS} FROM drafts d"
        " JOIN versions v ON v.draft_id = d.id AND v.number ="
        " (SELECT MAX(number) FROM versions WHERE draft_id = d.id)"
        f" WHERE {where} ORDER BY d.name COLLATE NOCASE, d.name"
    )
    return [
        DraftSummary(
            name=row[0],
            created_at=row[1],
            deleted_at=row[2],
            versions=row[3],
            head=_info(row[0], row, 3),
        )
        for row in rows
    ]


def set_deleted(conn: sqlite3.Connection, draft: DraftRow, deleted_at: str | None) -> None:
    conn.execute("UPDATE drafts SET deleted_at = ? WHERE id = ?", (deleted_at, draft.id))
    row = conn.execute(  # the row as stored (a rename in the same unit of work included)
        "SELECT id, name, created_at, deleted_at FROM drafts WHERE id = ?", (draft.id,)
    ).fetchone()
    if row is not None:
        _seal_draft(conn, DraftRow(*row))


def purge_drafts(conn: sqlite3.Connection, draft_ids: Iterable[int]) -> None:
    """Remove drafts for good; the triggers refuse unless deleted 30+ days ago."""
    for draft_id in draft_ids:
        conn.execute("DELETE FROM versions WHERE draft_id = ?", (draft_id,))
        conn.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
        chain_heads.forget_drafts(conn, [draft_id])


def expired_drafts(conn: sqlite3.Connection, days: int) -> list[tuple[int, str]]:
    return [
        (int(i), str(n))
        for i, n in conn.execute(
            "SELECT id, name FROM drafts WHERE deleted_at IS NOT NULL"
            " AND julianday(deleted_at) <= julianday('now', ?) ORDER BY name",
            (f"-{days:d} days",),
        )
    ]


def insert_raw_version(
    conn: sqlite3.Connection,
    draft: DraftRow,
    info: VersionInfo,
    content_text: str,
    text: str | None = None,
    text_format: str | None = None,
) -> None:
    """Append a version exactly as recorded elsewhere (backup import): its chain hash is
    kept, its ``meta_hash`` computed under the current scheme. The caller has verified
    the version (under the scheme it was recorded with) and that it chains onto the
    current head."""
    head = head_row(conn, draft.id)
    s = info.scores
    created_at = timestamp(info.created_at)
    if text is None:
        text_format = None
    meta = metadata_hash(
        info.hash,
        message=info.message,
        author=info.author,
        source=info.source,
        created_at=created_at,
        scores=s,
        hash_version=HASH_VERSION,
        text=text,
        text_format=text_format,
    )
    conn.execute(
        "INSERT INTO versions (draft_id, number, parent_id, content, hash, parent_hash, message,"
        " author, source, created_at, clarity, measurability, ambition, overall, hash_version,"
        " meta_hash, source_text, source_format)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.id,
            info.number,
            head[0] if head else None,
            content_text,
            info.hash,
            info.parent_hash,
            info.message,
            info.author,
            info.source,
            created_at,
            s.clarity if s else None,
            s.measurability if s else None,
            s.ambition if s else None,
            s.overall if s else None,
            HASH_VERSION,
            meta,
            text,
            text_format,
        ),
    )
    chain_heads.put(conn, "versions", draft.id, draft.id, info.number, info.hash)


def _metadata_problem(
    hash_version: object,
    meta_hash: str | None,
    digest: str,
    meta: Sequence[Any],
    scores: Scores | None,
    text: tuple[str | None, str | None] = (None, None),
    *,
    current_only: bool = False,
) -> str | None:
    """Why a row's metadata fails its hash version's check, or None when it passes.
    ``current_only`` (a database migration 0011 has verified): a row under an older
    scheme is itself a problem, so setting ``hash_version`` back turns no check off."""
    if not isinstance(hash_version, int) or isinstance(hash_version, bool):
        return f"unknown hash version {hash_version!r}"
    if hash_version not in HASH_VERSIONS:
        return f"unknown hash version {hash_version!r}"
    older = (
        f"hash version {hash_version} is older than the current scheme ({HASH_VERSION}): "
        "set back behind okr's back, or it failed its check when migration 0011 verified it"
    )
    if hash_version == 1:
        # saved before metadata was hashed: only its content chain can be verified
        return older if current_only else None
    message, author, source, created_at = meta
    expected = metadata_hash(
        digest,
        message=message,
        author=author,
        source=source,
        created_at=created_at,
        scores=scores,
        hash_version=hash_version,
        text=text[0],
        text_format=text[1],
    )
    if meta_hash != expected:
        what = "time, scores or stored text" if text[0] is not None else "time or scores"
        return (
            f"message, author, source, {what} do not match the version's hash "
            "(modified after saving)"
        )
    if current_only and hash_version != HASH_VERSION:
        return older
    return None


TextCheck = Callable[[str, str | None, str], str | None]


def chain_problems(
    conn: sqlite3.Connection, check_text: TextCheck | None = None, *, current_only: bool = False
) -> tuple[int, int, list[str]]:
    """Walk every draft's history and report each break: ``(drafts, versions, problems)``.

    Streams rows in (draft, number) order so 10,000s of versions stay cheap.
    ``check_text(text, format, content)`` says why a stored text does not parse to
    its version's content (None when it does); the store itself does not parse OKRs.
    A hash version 3 row whose meta hash verifies has the text it was saved with
    (checked then), so only each draft's head text (what the editor opens) and texts
    that fail their hash are parsed again: a 10,000-version check stays fast.
    ``current_only``: rows under an older hash version are problems (see
    :func:`_metadata_problem`); the chain heads are compared by ``store.integrity``.
    """
    problems: list[str] = []
    names = dict(conn.execute("SELECT id, name FROM drafts").fetchall())
    seen_drafts: set[int] = set()
    versions = 0
    previous: tuple[int, int, int, str] | None = None  # draft_id, id, number, hash
    heads = dict(conn.execute("SELECT draft_id, MAX(number) FROM versions GROUP BY draft_id"))
    rows = conn.execute(
        "SELECT draft_id, id, number, parent_id, parent_hash, hash, content, message, author,"
        " source, created_at, clarity, measurability, ambition, overall, hash_version, meta_hash,"
        " source_text, source_format FROM versions ORDER BY draft_id, number"
    )
    for row in rows:
        draft_id, vid, number, parent_id, parent_hash, digest, content = row[:7]
        versions += 1
        name = names.get(draft_id, f"#{draft_id}")
        where = f"draft '{name}' v{number}"
        if draft_id not in names:
            problems.append(f"{where}: belongs to a draft that does not exist")
        first = previous is None or previous[0] != draft_id
        seen_drafts.add(draft_id)
        if first:
            if number != 1:
                problems.append(f"{where}: history starts at v{number}, not v1")
            if number == 1 and (parent_id is not None or parent_hash is not None):
                problems.append(f"{where}: the first version has a parent")
        else:
            assert previous is not None
            if number != previous[2] + 1:
                problems.append(f"{where}: follows v{previous[2]} (versions missing)")
            if parent_id != previous[1] or parent_hash != previous[3]:
                problems.append(f"{where}: parent is not v{previous[2]}")
        if chain_hash(content, parent_hash) != digest:
            problems.append(f"{where}: hash does not match its content (modified after saving)")
        text = (row[17], row[18])
        problem = _metadata_problem(
            row[15], row[16], digest, row[7:11], _scores(row, 11), text, current_only=current_only
        )
        if problem:
            problems.append(f"{where}: {problem}")
        verified = problem is None and row[15] == HASH_VERSION
        if (
            text[0] is not None
            and check_text is not None
            and (not verified or heads.get(draft_id) == number)
        ):
            problem = check_text(text[0], text[1], content)
            if problem:
                problems.append(f"{where}: {problem}")
        try:
            OKRSet.model_validate(json.loads(content))
        except ValidationError as exc:
            problems.append(f"{where}: content is not a valid OKR set ({validation_message(exc)})")
        except ValueError as exc:
            problems.append(f"{where}: content is not a valid OKR set ({one_line(exc)})")
        previous = (draft_id, vid, number, digest)
    for draft_id, name in names.items():
        if draft_id not in seen_drafts:
            problems.append(f"draft '{name}': has no versions")
    return len(names), versions, problems
