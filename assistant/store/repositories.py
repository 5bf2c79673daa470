"""The repositories a unit of work hands out: all SQL lives behind them.

Each repository is bound to the unit of work's connection (so to its transaction) and
speaks in the domain's records. Drafts and versions keep their SQL in ``repo``, cycles
in ``cycles``, reviews in ``reviews``: a repository names those functions as its methods
(``on_connection``), each called with its connection, so their signatures are written
once. Dismissals have their SQL here; a method with logic of its own is written out.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from assistant.domain.drafts import VersionInfo
from assistant.model import Scores
from assistant.store import chain_heads, cycles, integrity, repo, reviews
from assistant.store.db import ConflictError

P = ParamSpec("P")
R = TypeVar("R")


class Repository:
    """Bound to one connection: the unit of work's (so to its transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn


def on_connection(
    fn: Callable[Concatenate[sqlite3.Connection, P], R],
) -> Callable[Concatenate[Any, P], R]:
    """A store function as a repository method: called with the repository's connection,
    with the function's own parameters, types and docstring."""

    @functools.wraps(fn)
    def method(self: Repository, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return fn(self.conn, *args, **kwargs)

    return method


class DraftRepository(Repository):
    """Drafts by name: created on first save, soft-deleted, purged after retention."""

    find = on_connection(repo.find_draft)
    all = on_connection(repo.all_drafts)
    live_names = on_connection(repo.live_names)
    create = on_connection(repo.create_draft)
    summaries = on_connection(repo.list_drafts)
    set_deleted = on_connection(repo.set_deleted)
    rename = on_connection(repo.rename_draft)
    purge = on_connection(repo.purge_drafts)
    expired = on_connection(repo.expired_drafts)

    def heads(self, draft_id: int) -> dict[str, tuple[int, str | None]]:
        """The recorded heads ``(length, hash)`` of a draft's ``versions``, ``cycles`` and
        ``reviews`` chains (those it has)."""
        found = {
            c: chain_heads.get(self.conn, c, draft_id) for c in ("versions", "cycles", "reviews")
        }
        return {chain: head for chain, head in found.items() if head is not None}


class VersionRepository(Repository):
    """A draft's append-only, hash-chained versions."""

    head = on_connection(repo.head_row)  # (version id, number, chain hash) of the latest
    head_source = on_connection(repo.head_source)
    head_content = on_connection(repo.head_content)

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

    count = on_connection(repo.version_count)
    get = on_connection(repo.get_version)
    history = on_connection(repo.history)
    id_of = on_connection(repo.version_id)
    backup_rows = on_connection(repo.backup_rows)
    insert_raw = on_connection(repo.insert_raw_version)  # a verified version from a backup
    chain_problems = on_connection(repo.chain_problems)


class CycleRepository(Repository):
    """Cycles (a launched plan), their check-ins, grades and retrospectives."""

    insert = on_connection(cycles.insert_cycle)
    of_draft = on_connection(cycles.cycles_of)
    open_for = on_connection(cycles.open_cycle)
    last_graded = on_connection(cycles.last_graded)
    all_open = on_connection(cycles.all_open)
    add_checkin = on_connection(cycles.insert_checkin)
    checkins = on_connection(cycles.checkins)
    open_checkins = on_connection(cycles.open_checkins)
    checkin_rows = on_connection(cycles.checkin_rows)
    record_hashes = on_connection(cycles.record_hashes)
    add_grades = on_connection(cycles.insert_grades)
    kr_grades = on_connection(cycles.kr_grades)
    add_retro = on_connection(cycles.insert_retro)
    retros = on_connection(cycles.retros)
    problems = on_connection(cycles.cycle_problems)


class ReviewRepository(Repository):
    """Stored peer reviews and the changes accepted from them."""

    insert = on_connection(reviews.insert_review)
    of_draft = on_connection(reviews.list_reviews)
    get = on_connection(reviews.get_review)
    accepted_changes = on_connection(reviews.accepted_changes)
    record_acceptance = on_connection(reviews.record_acceptance)


class DismissalRepository(Repository):
    """Findings a user dismissed, by draft version and finding key."""

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


class HealthRepository(Repository):
    """What ``okr doctor`` asks SQLite about a database file (read only, never migrating)."""

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
