"""Schema migrations for ``okr.db``: an ordered list of named steps.

``PRAGMA user_version`` holds how many steps a database has applied, and the
``schema_migrations`` table records their names, so ``okr doctor`` can tell when a
database was migrated by a build whose list differs from this one.

To change the schema, APPEND a ``Migration`` to ``MIGRATIONS`` (never edit or
reorder a step that has shipped: databases in the wild have already run it).
A step is SQL text (several statements are fine, triggers included) or a
function taking the connection; it runs inside the migration's transaction, so
it must not COMMIT. Number names like ``0004_critiques`` to keep the order readable.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from assistant.store import cycle_schema as _cycles
from assistant.store import integrity as _integrity
from assistant.store import llm_log as _llm_log
from assistant.store import reviews as _reviews


@dataclass(frozen=True)
class Migration:
    """One schema step; ``apply`` is SQL text or a callable run in the step's transaction."""

    name: str
    apply: str | Callable[[sqlite3.Connection], None]


_DRAFTS_AND_VERSIONS = """
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

-- One row per saved revision. A draft's history is linear: version n's parent is
-- version n-1, and hash = sha256(content || parent_hash) chains them like git.
CREATE TABLE versions (
    id             INTEGER PRIMARY KEY,
    draft_id       INTEGER NOT NULL REFERENCES drafts(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    parent_id      INTEGER REFERENCES versions(id),
    content        TEXT NOT NULL,
    hash           TEXT NOT NULL,
    parent_hash    TEXT,
    message        TEXT NOT NULL,
    author         TEXT NOT NULL,
    source         TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    clarity        INTEGER,
    measurability  INTEGER,
    ambition       INTEGER,
    overall        INTEGER
);

-- History, head lookup and "latest of every draft" all walk this index.
CREATE UNIQUE INDEX versions_draft_number ON versions (draft_id, number);
"""

_SOFT_DELETE = """
ALTER TABLE drafts ADD COLUMN deleted_at TEXT;
CREATE INDEX drafts_deleted_at ON drafts (deleted_at) WHERE deleted_at IS NOT NULL;
"""

# The database itself refuses to rewrite history: versions are never updated, and
# rows are only removed for drafts soft-deleted more than 30 days ago (``okr purge``).
_APPEND_ONLY = """
CREATE TRIGGER versions_no_update BEFORE UPDATE ON versions
BEGIN
    SELECT RAISE(ABORT, 'versions are append-only');
END;

CREATE TRIGGER versions_no_delete BEFORE DELETE ON versions
WHEN NOT EXISTS (
    SELECT 1 FROM drafts d
    WHERE d.id = OLD.draft_id AND d.deleted_at IS NOT NULL
      AND julianday(d.deleted_at) <= julianday('now', '-30 days')
)
BEGIN
    SELECT RAISE(ABORT, 'versions are append-only; only drafts deleted 30+ days ago are purged');
END;

CREATE TRIGGER drafts_no_delete BEFORE DELETE ON drafts
WHEN OLD.deleted_at IS NULL OR julianday(OLD.deleted_at) > julianday('now', '-30 days')
BEGIN
    SELECT RAISE(ABORT, 'drafts are only purged 30+ days after deletion');
END;

CREATE TRIGGER drafts_fixed_identity BEFORE UPDATE OF id, created_at ON drafts
BEGIN
    SELECT RAISE(ABORT, 'a draft''s id and creation time never change');
END;
"""

# Suggestions a user dismissed, per draft version (``assistant.services.dismissals``).
_DISMISSALS = """
CREATE TABLE dismissals (
    draft_id    INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    finding     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (draft_id, version, finding)
);
"""

# Which hashes a version carries: 1, the content chain only (rows saved before this
# migration keep it and verify as before); 2, also ``meta_hash`` over the chain hash,
# message, author, source, timestamp and scores (``store.repo.metadata_hash``).
_HASH_VERSION = """
ALTER TABLE versions ADD COLUMN hash_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE versions ADD COLUMN meta_hash TEXT;
"""

# The text a version was written as (YAML or Markdown, comments and layout included),
# next to its canonical content; NULL when the version only has the canonical form.
# Hash version 3 rows cover it with ``meta_hash`` (``store.repo.metadata_hash``).
_SOURCE_TEXT = """
ALTER TABLE versions ADD COLUMN source_text TEXT;
ALTER TABLE versions ADD COLUMN source_format TEXT;
"""

# Where a check-in's value came from when ``okr sync`` read it from a source (SPEC §9):
# the source as written (``${VAR}`` unexpanded), e.g. ``metrics.csv column activation:
# last of 12 rows``; NULL for typed check-ins. Its kind is in ``source`` (``sync:csv``).
_CHECKIN_PROVENANCE = """
ALTER TABLE checkins ADD COLUMN provenance TEXT;
"""

MIGRATIONS: list[Migration] = [
    Migration("0001_drafts_and_versions", _DRAFTS_AND_VERSIONS),
    Migration("0002_soft_delete", _SOFT_DELETE),
    Migration("0003_append_only_guards", _APPEND_ONLY),
    Migration("0004_dismissals", _DISMISSALS),
    Migration("0005_reviews", _reviews.REVIEWS_MIGRATION),
    Migration("0006_cycles", _cycles.CYCLES_MIGRATION),
    Migration("0007_version_hash_v2", _HASH_VERSION),
    Migration("0008_version_source_text", _SOURCE_TEXT),
    Migration("0009_llm_log", _llm_log.LLM_LOG_MIGRATION),
    Migration("0010_checkin_source", _CHECKIN_PROVENANCE),
    # Every stored record under one hash scheme, old rows verified once and re-hashed,
    # each chain's head recorded (``store.integrity``, ``store.hashing``).
    Migration(_integrity.MIGRATION_NAME, _integrity.migrate),
]

_BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
)
"""


class SchemaTooNew(Exception):
    """The database was written by a newer okr-coach than this one."""

    def __init__(self, found: int, known: int) -> None:
        self.found = found
        self.known = known
        super().__init__(f"schema version {found} is newer than this okr-coach knows ({known})")


def split_statements(sql: str) -> list[str]:
    """Split SQL text into complete statements (trigger bodies keep their inner ``;``).

    ``executescript`` would COMMIT the migration's transaction, so steps run
    statement by statement instead.
    """
    statements: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip() and not all(
        part.strip().startswith("--") for part in pending.strip().splitlines()
    ):
        raise ValueError(f"incomplete SQL statement in migration: {pending.strip()[:60]}")
    return statements


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def applied_names(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    """``(version, name)`` of each recorded step; empty for a brand-new database."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not exists:
        return []
    return [(int(v), str(n)) for v, n in conn.execute(
        "SELECT version, name FROM schema_migrations ORDER BY version"
    )]  # fmt: skip


def migrate(
    conn: sqlite3.Connection,
    migrations: Sequence[Migration] | None = None,
    target: int | None = None,
) -> int:
    """Apply pending steps up to ``target`` (default: all); returns the resulting version.

    Each step runs in its own ``BEGIN IMMEDIATE`` transaction and re-reads
    ``user_version`` once the write lock is held, so processes opening a new
    database at the same moment apply every step exactly once. ``conn`` must be in
    autocommit mode (``isolation_level=None``).
    """
    steps = list(MIGRATIONS if migrations is None else migrations)
    goal = len(steps) if target is None else target
    current = schema_version(conn)
    if current > len(steps):
        raise SchemaTooNew(current, len(steps))
    while current < goal:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(conn)
            if current >= goal:
                conn.execute("COMMIT")
                break
            step = steps[current]
            conn.execute(_BOOKKEEPING)
            if callable(step.apply):
                step.apply(conn)
            else:
                for statement in split_statements(step.apply):
                    conn.execute(statement)
            current += 1
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (current, step.name, datetime.now(UTC).isoformat()),
            )
            conn.execute(f"PRAGMA user_version = {current:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return current
