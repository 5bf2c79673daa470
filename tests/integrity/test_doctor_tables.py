"""Issue 22: ``okr doctor`` catches an edit to any stored table, made by another program
with the append-only triggers dropped: a changed, deleted or inserted row of each
table makes it exit non-zero with a line naming what is wrong."""

from __future__ import annotations

import pytest

from assistant.store.hashing import chain_hash, metadata_hash
from assistant.store.store import Store
from tests.integrity.conftest import behind_its_back, flat, okr

Q1 = "draft 'Team' cycle 2026-Q1"
Q2 = "draft 'Team' cycle 2026-Q2"
FORGED = "INSERT a well-formed v4 (the tamperer computes its hashes)"

CASES = [
    # drafts
    ("drafts", "UPDATE drafts SET name = 'Renamed' WHERE name = 'Other'",
     "draft 'Renamed': its name, creation or deletion time do not match its hash"),
    ("drafts", "UPDATE drafts SET created_at = '2020-01-01T00:00:00+00:00' WHERE name = 'Team'",
     "draft 'Team': its name, creation or deletion time do not match its hash"),
    ("drafts", "UPDATE drafts SET deleted_at = '2020-01-01T00:00:00+00:00' WHERE name = 'Team'",
     "draft 'Team': its name, creation or deletion time do not match its hash"),
    ("drafts", "DELETE FROM drafts WHERE name = 'Other'",
     "draft '#2' v1: belongs to a draft that does not exist"),
    ("drafts", "INSERT INTO drafts (name, created_at) VALUES ('Ghost', '2026-01-01')",
     "draft 'Ghost': has no versions"),
    # versions
    ("versions", "UPDATE versions SET message = 'Approved by the CEO' WHERE number = 2"
     " AND draft_id = 1", "draft 'Team' v2: message, author, source"),
    ("versions", "DELETE FROM versions WHERE number = 3 AND draft_id = 1",
     "draft 'Team': 3 version(s) recorded but 2 stored: the last one(s) were deleted"),
    ("versions", "UPDATE versions SET hash_version = 1 WHERE number = 2 AND draft_id = 1",
     "draft 'Team' v2: hash version 1 is older than the current scheme (3)"),
    ("versions", FORGED, "draft 'Team': 4 version(s) stored but 3 recorded"),
    # cycles
    ("cycles", "UPDATE cycles SET end_date = '2026-12-31' WHERE label = '2026-Q1'",
     f"{Q1}: does not match its hash"),
    ("cycles", "DELETE FROM cycles WHERE label = '2026-Q2'",
     "draft 'Team': 2 cycle(s) recorded but 1 stored: the last one(s) were deleted"),
    ("cycles", "INSERT INTO cycles (draft_id, version_id, label, start_date, end_date, plan,"
     " findings, overall, launched_by, launched_at) SELECT 2, 4, '2027-Q1', start_date,"
     " end_date, plan, findings, overall, launched_by, launched_at FROM cycles WHERE id = 1",
     "draft 'Other' cycle 2027-Q1: does not match its hash"),
    ("cycles", "UPDATE cycles SET plan = 'not json' WHERE id = 1",
     f"{Q1}: does not match its hash"),
    # checkins
    ("checkins", "UPDATE checkins SET value = x'00ff' WHERE id = 1",
     f"{Q1} check-in 1 (O1.KR1 on 2026-02-10): does not match its hash"),
    ("checkins", "UPDATE checkins SET value = 45 WHERE id = 2",
     f"{Q1} check-in 2 (O1.KR1 on 2026-02-20): does not match its hash"),
    ("checkins", "UPDATE checkins SET on_date = '2026-01-02' WHERE id = 3",
     f"{Q1} check-in 3 (O1.KR1 on 2026-01-02): does not match its hash"),
    ("checkins", "DELETE FROM checkins WHERE id = 2",
     f"{Q1} check-in 2 (O1.KR1 on 2026-02-28): does not link to the record before it"),
    ("checkins", "DELETE FROM checkins WHERE id = 2",
     f"{Q1}: 5 check-in, grade or retrospective(s) recorded but 4 stored: some before the"
     " last were deleted"),
    ("checkins", "DELETE FROM checkins WHERE id = 5",
     f"{Q2}: 2 check-in, grade or retrospective(s) recorded but 1 stored"),
    ("checkins", "INSERT INTO checkins (cycle_id, kr, on_date, value, raw, confidence, note,"
     " source, author, created_at) VALUES (2, 'O1.KR1', '2026-05-01', 50, '50', 9, '',"
     " 'cli', 'eve', '2026-05-01T00:00:00+00:00')",
     f"{Q2} check-in 3 (O1.KR1 on 2026-05-01): does not match its hash"),
    # kr_grades
    ("kr_grades", "UPDATE kr_grades SET grade = 1.0 WHERE kr = 'O1.KR2'",
     f"{Q1} grade (with its KR grades): does not match its hash"),
    ("kr_grades", "DELETE FROM kr_grades WHERE kr = 'O1.KR2'",
     f"{Q1} grade (with its KR grades): does not match its hash"),
    ("kr_grades", "INSERT INTO kr_grades (cycle_id, kr, grade) VALUES (2, 'O1.KR1', 1.0)",
     f"{Q2}: KR grades are stored without the grade that closes the cycle"),
    # cycle_grades
    ("cycle_grades", "UPDATE cycle_grades SET graded_by = 'ceo'",
     f"{Q1} grade (with its KR grades): does not match its hash"),
    ("cycle_grades", "DELETE FROM cycle_grades",
     f"{Q1}: 5 check-in, grade or retrospective(s) recorded but 4 stored"),
    ("cycle_grades", "INSERT INTO cycle_grades (cycle_id, grade, graded_by, graded_at)"
     " VALUES (2, 1.0, 'eve', '2026-05-01T00:00:00+00:00')",
     f"{Q2} grade (with its KR grades): does not match its hash"),
    # retros
    ("retros", "UPDATE retros SET went_well = '[\"Everything\"]'",
     f"{Q1} retrospective 1: does not match its hash"),
    ("retros", "DELETE FROM retros",
     f"{Q1}: 5 check-in, grade or retrospective(s) recorded but 4 stored"),
    ("retros", "INSERT INTO retros (cycle_id, went_well, did_not, change, lessons, engine,"
     " author, created_at) VALUES (1, '[]', '[]', '[]', '[]', 'rules', 'eve', '2027')",
     f"{Q1} retrospective 2: does not match its hash"),
    # reviews
    ("reviews", "UPDATE reviews SET transcript = '{}'",
     "draft 'Team' review 1: does not match its hash"),
    ("reviews", "DELETE FROM reviews",
     "draft 'Team': a chain of 1 review(s) is recorded but none is stored"),
    ("reviews", "INSERT INTO reviews (draft_id, version_id, engine, personas, rounds,"
     " created_at, transcript) VALUES (1, 3, 'llm', 'cfo', 1, '2027', '{}')",
     "draft 'Team' review 2: does not match its hash"),
    # review_acceptances
    ("review_acceptances", "UPDATE review_acceptances SET version_id = 2",
     "review 1 accepted change 1: does not match its hash"),
    ("review_acceptances", "DELETE FROM review_acceptances",
     "draft 'Team' review 1: a chain of 1 accepted change(s) is recorded but none is stored"),
    ("review_acceptances", "INSERT INTO review_acceptances (review_id, change, version_id,"
     " created_at) VALUES (1, 2, 3, '2027')", "review 1 accepted change 2: does not match its hash"),
    ("review_acceptances", "UPDATE review_acceptances SET row_hash = 'not hex'",
     "review 1 accepted change 1: does not match its hash"),
    # chain_heads: the heads themselves
    ("chain_heads", "UPDATE chain_heads SET length = 2, head = NULL WHERE chain = 'versions'"
     " AND owner = 1", "draft 'Team': 3 version(s) stored but 2 recorded"),
    ("chain_heads", "DELETE FROM chain_heads WHERE chain = 'events' AND owner = 2",
     f"{Q2}: 2 check-in, grade or retrospective(s) stored but no chain head recorded"),
    ("chain_heads", "INSERT INTO chain_heads VALUES ('cycles', 2, 2, 1, 'ab')",
     "draft 'Other': a chain of 1 cycle(s) is recorded but none is stored"),
]  # fmt: skip


def _forge_version(conn) -> None:
    """A tamperer who computes the hashes: a well-formed v4 that the chain accepts."""
    content, parent = conn.execute(
        "SELECT content, hash FROM versions WHERE draft_id = 1 AND number = 3"
    ).fetchone()
    digest = chain_hash(content, parent)
    stamp = "2026-05-01T00:00:00.000000+00:00"
    meta = metadata_hash(
        digest, message="forged", author="eve", source="manual", created_at=stamp,
        scores=None, hash_version=3,
    )  # fmt: skip
    conn.execute(
        "INSERT INTO versions (draft_id, number, parent_id, content, hash, parent_hash, message,"
        " author, source, created_at, hash_version, meta_hash) VALUES (1, 4, 3, ?, ?, ?,"
        " 'forged', 'eve', 'manual', ?, 3, ?)",
        (content, digest, parent, stamp, meta),
    )


@pytest.mark.parametrize(
    ("table", "sql", "expected"), CASES, ids=[f"{c[0]}-{c[1].split()[0]}" for c in CASES]
)
def test_doctor_names_an_edit_behind_its_back(
    store: Store, table: str, sql: str, expected: str
) -> None:
    with behind_its_back(store) as conn:
        if sql == FORGED:
            _forge_version(conn)
        else:
            assert conn.execute(sql).rowcount >= 1, f"{table}: the edit changed nothing"
    result = okr("doctor")
    assert result.exit_code == 1
    assert expected in flat(result.stdout), result.stdout


def test_every_stored_table_is_covered(store: Store) -> None:
    """A new table is a decision: hashed (add its cases above) or deliberately not."""
    unhashed = {"dismissals", "llm_log", "schema_migrations"}  # see the README
    with behind_its_back(store) as conn:
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    covered = {c[0] for c in CASES}
    assert tables - unhashed == covered
    for table in covered:
        assert {c[1].split()[0] for c in CASES if c[0] == table} == {"UPDATE", "DELETE", "INSERT"}


def test_a_clean_database_passes(store: Store) -> None:
    result = okr("doctor")
    assert result.exit_code == 0, result.stdout
    assert "every hash chain verifies" in result.stdout
