"""The repositories a unit of work hands out: all SQL lives behind them.

Each repository is bound to the unit of work's connection (so to its transaction) and
speaks in the domain's records. Drafts and versions keep their SQL in ``repo``, cycles
in ``cycles``, reviews in ``reviews``; dismissals have theirs here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from assistant.domain.cycle_status import Checkin
from assistant.domain.drafts import DraftSummary, Version, VersionInfo
from assistant.model import Scores
from assistant.store import chain_heads, cycles, integrity, repo, reviews
from assistant.store.db import ConflictError


class DraftRepository:
    """Drafts by name: created on first save, soft-deleted, purged after retention."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def find(self, name: str) -> repo.DraftRow | None:
        return repo.find_draft(self.conn, name)

    def all(self) -> list[repo.DraftRow]:
        return repo.all_drafts(self.conn)

    def live_names(self) -> list[str]:
        return repo.live_names(self.conn)

    def create(self, name: str, created_at: str) -> repo.DraftRow:
        return repo.create_draft(self.conn, name, created_at)

    def summaries(self, *, deleted: bool = False) -> list[DraftSummary]:
        return repo.list_drafts(self.conn, deleted=deleted)

    def set_deleted(self, draft: repo.DraftRow, deleted_at: str | None) -> None:
        repo.set_deleted(self.conn, draft, deleted_at)

    def rename(self, draft: repo.DraftRow, new_name: str) -> None:
        repo.rename_draft(self.conn, draft, new_name)

    def purge(self, draft_ids: Iterable[int]) -> None:
        repo.purge_drafts(self.conn, draft_ids)

    def expired(self, days: int) -> list[tuple[int, str]]:
        return repo.expired_drafts(self.conn, days)

    def heads(self, draft_id: int) -> dict[str, tuple[int, str | None]]:
        """The recorded heads ``(length, hash)`` of a draft's ``versions``, ``cycles`` and
        ``reviews`` chains (those it has)."""
        found = {
            c: chain_heads.get(self.conn, c, draft_id) for c in ("versions", "cycles", "reviews")
        }
        return {chain: head for chain, head in found.items() if head is not None}


class VersionRepository:
    """A draft's append-only, hash-chained versions."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def head(self, draft_id: int) -> tuple[int, int, str] | None:
        """``(version id, number, chain hash)`` of the latest version, if any."""
        return repo.head_row(self.conn, draft_id)

    def head_source(self, draft_id: int) -> tuple[str, str | None, str | None] | None:
        return repo.head_source(self.conn, draft_id)

    def head_content(self, draft_id: int) -> str | None:
        return repo.head_content(self.conn, draft_id)

    def append(
        self,
        draft: repo.DraftRow,
        content_text: str,
        *,
        message: str,
        author: str,
        source: str,
        scores: Scores | None,
        created_at: str,
        expected_head: int,
        text: str | None = None,
        text_format: str | None = None,
    ) -> VersionInfo:
        """Append after version ``expected_head`` (0: the draft's first version); a
        ``ConflictError`` when the draft has moved on since the caller read it."""
        head = repo.head_row(self.conn, draft.id)
        if (head[1] if head else 0) != expected_head:
            raise ConflictError(
                f"draft '{draft.name}' is at v{head[1] if head else 0} now, not "
                f"v{expected_head}: someone saved in between; reload it and apply your "
                "change again"
            )
        return repo.append_version(
            self.conn,
            draft,
            content_text,
            message=message,
            author=author,
            source=source,
            scores=scores,
            created_at=created_at,
            text=text,
            text_format=text_format,
        )

    def count(self, draft_id: int) -> int:
        return repo.version_count(self.conn, draft_id)

    def get(self, draft: repo.DraftRow, number: int | None) -> Version | None:
        return repo.get_version(self.conn, draft, number)

    def history(self, draft: repo.DraftRow, limit: int | None = None) -> list[VersionInfo]:
        return repo.history(self.conn, draft, limit)

    def id_of(self, draft_id: int, number: int) -> int | None:
        return cycles.version_id(self.conn, draft_id, number)

    def backup_rows(self, draft_id: int) -> list[tuple[Any, ...]]:
        return repo.backup_rows(self.conn, draft_id)

    def insert_raw(
        self,
        draft: repo.DraftRow,
        info: VersionInfo,
        content_text: str,
        text: str | None = None,
        text_format: str | None = None,
    ) -> None:
        """A verified version from a backup, re-hashed under the current scheme."""
        repo.insert_raw_version(self.conn, draft, info, content_text, text, text_format)

    def chain_problems(
        self, check_text: repo.TextCheck | None = None, *, current_only: bool = False
    ) -> tuple[int, int, list[str]]:
        return repo.chain_problems(self.conn, check_text, current_only=current_only)


class CycleRepository:
    """Cycles (a launched plan), their check-ins, grades and retrospectives."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(
        self,
        *,
        draft_id: int,
        version_id: int,
        label: str,
        start: date,
        end: date,
        plan: dict[str, Any],
        findings: Sequence[tuple[str, str]],
        overall: int | None,
        launched_by: str,
        launched_at: str,
    ) -> int:
        return cycles.insert_cycle(
            self.conn,
            draft_id=draft_id,
            version_id=version_id,
            label=label,
            start=start,
            end=end,
            plan=plan,
            findings=findings,
            overall=overall,
            launched_by=launched_by,
            launched_at=launched_at,
        )

    def of_draft(self, draft_id: int) -> list[cycles.CycleRow]:
        return cycles.cycles_of(self.conn, draft_id)

    def open_for(self, draft_id: int) -> cycles.CycleRow | None:
        return cycles.open_cycle(self.conn, draft_id)

    def last_graded(self, draft_id: int) -> cycles.CycleRow | None:
        return cycles.last_graded(self.conn, draft_id)

    def all_open(self) -> list[cycles.CycleRow]:
        return cycles.all_open(self.conn)

    def add_checkin(
        self,
        cycle_id: int,
        checkin: Checkin,
        *,
        raw: str,
        author: str,
        created_at: str,
        provenance: str | None = None,
    ) -> int:
        """``provenance``: where ``okr sync`` read the value (None for typed check-ins)."""
        return cycles.insert_checkin(
            self.conn, cycle_id, checkin, raw=raw, author=author, created_at=created_at,
            provenance=provenance,
        )  # fmt: skip

    def checkins(self, cycle_id: int) -> list[Checkin]:
        return cycles.checkins(self.conn, cycle_id)

    def open_checkins(self) -> dict[int, list[Checkin]]:
        return cycles.open_checkins(self.conn)

    def checkin_rows(self, cycle_id: int) -> list[dict[str, Any]]:
        return cycles.checkin_rows(self.conn, cycle_id)

    def record_hashes(self, cycle_id: int) -> dict[str, Any]:
        """The stored hashes of a cycle, its grade and retrospectives, and its events
        chain's recorded head (backups)."""
        return cycles.record_hashes(self.conn, cycle_id)

    def add_grades(
        self,
        cycle_id: int,
        grades: dict[str, float | None],
        grade: float | None,
        *,
        graded_by: str,
        graded_at: str,
    ) -> None:
        cycles.insert_grades(
            self.conn, cycle_id, grades, grade, graded_by=graded_by, graded_at=graded_at
        )

    def kr_grades(self, cycle_id: int) -> dict[str, float | None]:
        return cycles.kr_grades(self.conn, cycle_id)

    def add_retro(
        self,
        cycle_id: int,
        *,
        went_well: Sequence[str],
        did_not: Sequence[str],
        change: Sequence[str],
        lessons: Sequence[dict[str, Any]],
        engine: str,
        summary: str | None,
        author: str,
        created_at: str,
    ) -> int:
        return cycles.insert_retro(
            self.conn,
            cycle_id,
            went_well=went_well,
            did_not=did_not,
            change=change,
            lessons=lessons,
            engine=engine,
            summary=summary,
            author=author,
            created_at=created_at,
        )

    def retros(self, cycle_id: int) -> list[cycles.RetroRow]:
        return cycles.retros(self.conn, cycle_id)

    def problems(self) -> tuple[int, int, list[str]]:
        return cycles.cycle_problems(self.conn)


class ReviewRepository:
    """Stored peer reviews and the changes accepted from them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def insert(
        self,
        *,
        draft_id: int,
        version_id: int,
        engine: str,
        personas: str,
        rounds: int,
        created_at: str,
        transcript: str,
    ) -> int:
        return reviews.insert_review(
            self.conn,
            draft_id=draft_id,
            version_id=version_id,
            engine=engine,
            personas=personas,
            rounds=rounds,
            created_at=created_at,
            transcript=transcript,
        )

    def of_draft(self, draft_id: int) -> list[reviews.ReviewRow]:
        return reviews.list_reviews(self.conn, draft_id)

    def get(self, review_id: int) -> reviews.ReviewRow | None:
        return reviews.get_review(self.conn, review_id)

    def accepted_changes(self, review_id: int) -> dict[int, int]:
        return reviews.accepted_changes(self.conn, review_id)

    def record_acceptance(
        self, review_id: int, change: int, version_id: int, created_at: str
    ) -> None:
        reviews.record_acceptance(self.conn, review_id, change, version_id, created_at)


class DismissalRepository:
    """Findings a user dismissed, by draft version and finding key."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, draft_id: int, version: int, key: str, created_at: str) -> None:
        self.conn.execute(
            "INSERT OR IGNORE INTO dismissals (draft_id, version, finding, created_at)"
            " VALUES (?, ?, ?, ?)",
            (draft_id, version, key, created_at),
        )

    def remove(self, draft_id: int, version: int, key: str | None = None) -> int:
        """Forget one dismissal (``key``) or all of a version's; how many went."""
        if key is None:
            cursor = self.conn.execute(
                "DELETE FROM dismissals WHERE draft_id = ? AND version = ?", (draft_id, version)
            )
        else:
            cursor = self.conn.execute(
                "DELETE FROM dismissals WHERE draft_id = ? AND version = ? AND finding = ?",
                (draft_id, version, key),
            )
        return cursor.rowcount

    def keys(self, draft_id: int, version: int) -> set[str]:
        rows = self.conn.execute(
            "SELECT finding FROM dismissals WHERE draft_id = ? AND version = ?",
            (draft_id, version),
        )
        return {str(row[0]) for row in rows}

    def copy(self, draft_id: int, old: int, new: int, created_at: str) -> int:
        """Carry version ``old``'s dismissals to ``new``; how many were copied."""
        if old == new:
            return 0
        cursor = self.conn.execute(
            "INSERT OR IGNORE INTO dismissals (draft_id, version, finding, created_at)"
            " SELECT draft_id, ?, finding, ? FROM dismissals WHERE draft_id = ? AND version = ?",
            (new, created_at, draft_id, old),
        )
        return cursor.rowcount


class HealthRepository:
    """What ``okr doctor`` asks SQLite about a database file (read only, never migrating)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def integrity(self) -> list[str]:
        """``PRAGMA integrity_check``'s lines (``["ok"]`` when healthy)."""
        return [str(row[0]) for row in self.conn.execute("PRAGMA integrity_check")]

    def hashed(self) -> bool:
        """Whether every record is under the one hash scheme (migration 0011 ran)."""
        return integrity.applied(self.conn)

    def record_problems(self) -> tuple[int, list[str]]:
        """``(reviews, problems)`` of every record that is not a version, and of every
        chain's tail against its recorded head (versions' included)."""
        return integrity.record_problems(self.conn)

    def broken_references(self) -> list[tuple[str, int, str]]:
        """``(table, rowid, parent table)`` of each row pointing to a missing row."""
        return [
            (str(table), int(rowid), str(parent))
            for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check")
        ]
