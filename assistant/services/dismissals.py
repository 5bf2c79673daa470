"""Suggestions a user dismissed, remembered per draft version.

The TUI hides a dismissed finding while the user works on that version, so the
same advice is not offered again and again. A finding is identified by its
source, code, target and quoted evidence: re-critiquing unchanged text yields the
same key, while an edit that changes the quoted words brings the advice back.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from assistant.errors import UsageError
from assistant.model import Finding
from assistant.store import repo
from assistant.store.db import db_path, open_db, transaction
from assistant.store.uow import UnitOfWork, joined

__all__ = ["carry_forward", "copy_dismissals", "dismiss", "dismissed", "finding_key", "undismiss"]


def finding_key(finding: Finding) -> str:
    """A stable id for one piece of advice: ``source:code:target:evidence-hash``."""
    digest = hashlib.sha256(finding.evidence.encode("utf-8")).hexdigest()[:12]
    return f"{finding.source}:{finding.code}:{finding.target}:{digest}"


def _draft_id(conn: sqlite3.Connection, name: str) -> int:
    draft = repo.find_draft(conn, name)
    if draft is None or draft.deleted_at is not None:
        raise UsageError(f"unknown draft '{name}' (see `okr drafts`)")
    return draft.id


def dismiss(home: Path | None, name: str, version: int, finding: Finding) -> str:
    """Remember that ``finding`` was dismissed on ``name@version``; returns its key."""
    key = finding_key(finding)
    with open_db(home) as conn, transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO dismissals (draft_id, version, finding, created_at)"
            " VALUES (?, ?, ?, ?)",
            (_draft_id(conn, name), version, key, repo.timestamp()),
        )
    return key


def undismiss(home: Path | None, name: str, version: int, finding: Finding | None = None) -> int:
    """Offer a dismissed finding again (all of the version's when ``finding`` is None)."""
    if not db_path(home).exists():
        return 0
    with open_db(home) as conn, transaction(conn):
        draft_id = _draft_id(conn, name)
        if finding is None:
            cursor = conn.execute(
                "DELETE FROM dismissals WHERE draft_id = ? AND version = ?", (draft_id, version)
            )
        else:
            cursor = conn.execute(
                "DELETE FROM dismissals WHERE draft_id = ? AND version = ? AND finding = ?",
                (draft_id, version, finding_key(finding)),
            )
        return cursor.rowcount


def dismissed(home: Path | None, name: str, version: int) -> set[str]:
    """The keys of the findings dismissed on ``name@version``."""
    if not db_path(home).exists():
        return set()
    with open_db(home) as conn:
        draft = repo.find_draft(conn, name)
        if draft is None:
            return set()
        rows = conn.execute(
            "SELECT finding FROM dismissals WHERE draft_id = ? AND version = ?",
            (draft.id, version),
        )
        return {str(row[0]) for row in rows}


def carry_forward(
    home: Path | None, name: str, old: int, new: int, *, uow: UnitOfWork | None = None
) -> int:
    """Keep a version's dismissals on the version saved from it (an edit or an accepted
    rewrite): advice whose evidence survived the change stays dismissed. With ``uow``
    this happens in the caller's transaction (next to the save of ``new``)."""
    if old == new:
        return 0
    with joined(home, uow) as work:
        return copy_dismissals(work.conn, _draft_id(work.conn, name), old, new)


def copy_dismissals(conn: sqlite3.Connection, draft_id: int, old: int, new: int) -> int:
    """Copy version ``old``'s dismissals to ``new`` inside the caller's transaction."""
    if old == new:
        return 0
    cursor = conn.execute(
        "INSERT OR IGNORE INTO dismissals (draft_id, version, finding, created_at)"
        " SELECT draft_id, ?, finding, ? FROM dismissals WHERE draft_id = ? AND version = ?",
        (new, repo.timestamp(), draft_id, old),
    )
    return cursor.rowcount
