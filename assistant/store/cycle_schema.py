"""The schema of cycles, check-ins, grades and retrospectives (a migration of ``okr.db``).

Kept apart from ``store.cycles`` so that opening the database imports no domain code.
Append-only, enforced by triggers: nothing is updated; rows are deleted only when their
draft is purged; a graded cycle takes no more check-ins or grades; one open cycle per draft.
"""

from __future__ import annotations

# The condition under which a row may be removed: its draft was soft-deleted 30+ days ago
# (``okr purge``); ``{cycle}`` is the SQL naming the row's cycle id.
_PURGED = """
EXISTS (
    SELECT 1 FROM cycles c JOIN drafts d ON d.id = c.draft_id
    WHERE c.id = {cycle} AND d.deleted_at IS NOT NULL
      AND julianday(d.deleted_at) <= julianday('now', '-30 days')
)"""


def _guards(table: str, cycle: str) -> str:
    # A row whose cycle is already gone is being removed by the cascade of a cycle delete
    # that this same guard allowed on ``cycles``; any other delete needs a purged draft.
    alive = "1" if table == "cycles" else f"EXISTS (SELECT 1 FROM cycles WHERE id = {cycle})"
    return f"""
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} are append-only');
END;

CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
WHEN {alive} AND NOT {_PURGED.format(cycle=cycle)}
BEGIN
    SELECT RAISE(ABORT, '{table} are append-only; only drafts deleted 30+ days ago are purged');
END;
"""


CYCLES_MIGRATION = (
    """
CREATE TABLE cycles (
    id           INTEGER PRIMARY KEY,
    draft_id     INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version_id   INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    label        TEXT NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    plan         TEXT NOT NULL,
    findings     TEXT NOT NULL,
    overall      INTEGER,
    launched_by  TEXT NOT NULL,
    launched_at  TEXT NOT NULL,
    CHECK (end_date >= start_date)
);
CREATE INDEX cycles_draft ON cycles (draft_id, id);

CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    kr          TEXT NOT NULL,
    on_date     TEXT NOT NULL,
    value       REAL NOT NULL,
    raw         TEXT NOT NULL,
    confidence  INTEGER CHECK (confidence IS NULL OR confidence BETWEEN 0 AND 10),
    note        TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX checkins_cycle ON checkins (cycle_id, kr, on_date, id);

CREATE TABLE kr_grades (
    cycle_id  INTEGER NOT NULL REFERENCES cycles(id) ON DELETE CASCADE,
    kr        TEXT NOT NULL,
    grade     REAL CHECK (grade IS NULL OR grade BETWEEN 0 AND 1),
    PRIMARY KEY (cycle_id, kr)
);

-- The row that closes a cycle; written after its kr_grades.
CREATE TABLE cycle_grades (
    cycle_id   INTEGER PRIMARY KEY REFERENCES cycles(id) ON DELETE CASCADE,
    grade      REAL CHECK (grade IS NULL OR grade BETWEEN 0 AND 1),
    graded_by  TEXT NOT NULL,
    graded_at  TEXT NOT NULL
);

CREATE TABLE retros (
    id          INTEGER PRIMARY KEY,
    cycle_id    INTEGER NOT NULL REFERENCES cycle_grades(cycle_id) ON DELETE CASCADE,
    went_well   TEXT NOT NULL,
    did_not     TEXT NOT NULL,
    change      TEXT NOT NULL,
    lessons     TEXT NOT NULL,
    engine      TEXT NOT NULL,
    summary     TEXT,
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX retros_cycle ON retros (cycle_id, id);

CREATE TRIGGER cycles_one_open BEFORE INSERT ON cycles
WHEN EXISTS (
    SELECT 1 FROM cycles c WHERE c.draft_id = NEW.draft_id
      AND NOT EXISTS (SELECT 1 FROM cycle_grades g WHERE g.cycle_id = c.id)
)
BEGIN
    SELECT RAISE(ABORT, 'a draft has at most one open cycle');
END;

CREATE TRIGGER checkins_open_cycle BEFORE INSERT ON checkins
WHEN EXISTS (SELECT 1 FROM cycle_grades g WHERE g.cycle_id = NEW.cycle_id)
BEGIN
    SELECT RAISE(ABORT, 'the cycle is graded (closed): no more check-ins');
END;

CREATE TRIGGER kr_grades_open_cycle BEFORE INSERT ON kr_grades
WHEN EXISTS (SELECT 1 FROM cycle_grades g WHERE g.cycle_id = NEW.cycle_id)
BEGIN
    SELECT RAISE(ABORT, 'the cycle is graded (closed): its grades are final');
END;
"""
    + _guards("cycles", "OLD.id")
    + _guards("checkins", "OLD.cycle_id")
    + _guards("kr_grades", "OLD.cycle_id")
    + _guards("cycle_grades", "OLD.cycle_id")
    + _guards("retros", "OLD.cycle_id")
)
