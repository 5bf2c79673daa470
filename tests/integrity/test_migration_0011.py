"""Migration 0011: every older row verified once and re-hashed under the current scheme;
one that fails stays under its old scheme, so ``okr doctor`` keeps naming it."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from types import SimpleNamespace

import pytest

from assistant.domain.cycle import plan_for
from assistant.services import drafts
from assistant.store.hashing import canonical_json, chain_hash, metadata_hash
from assistant.store.migrations import MIGRATIONS, migrate
from assistant.store.store import Store
from tests.integrity.conftest import behind_its_back, okr_set

STAMP = "2026-01-0{n}T09:00:00.000000+00:00"
SCORES = SimpleNamespace(clarity=3, measurability=3, ambition=3, overall=60)


def _old_database(home: Path) -> None:
    """What a build that knew migrations 0001-0010 leaves: versions of hash version 1 and
    2 (v3's message edited after it was saved), a graded cycle, a review."""
    home.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(home / "okr.db", isolation_level=None)) as conn:
        assert migrate(conn, target=10) == 10
        conn.execute(
            "INSERT INTO drafts (name, created_at) VALUES ('Team', ?)", (STAMP.format(n=1),)
        )
        parent = None
        for n, pct in ((1, 40), (2, 45), (3, 50)):
            content = canonical_json(okr_set(pct).content())
            digest = chain_hash(content, parent)
            version = 1 if n == 1 else 2
            meta = None
            if version == 2:
                meta = metadata_hash(
                    digest, message=f"v{n}", author="ana", source="manual",
                    created_at=STAMP.format(n=n), scores=SCORES,
                )  # fmt: skip
            conn.execute(
                "INSERT INTO versions (draft_id, number, parent_id, content, hash, parent_hash,"
                " message, author, source, created_at, clarity, measurability, ambition,"
                " overall, hash_version, meta_hash) VALUES (1, ?, ?, ?, ?, ?, ?, 'ana',"
                " 'manual', ?, 3, 3, 3, 60, ?, ?)",
                (n, n - 1 or None, content, digest, parent, f"v{n}", STAMP.format(n=n), version,
                 meta),
            )  # fmt: skip
            parent = digest
        guard = "SELECT sql FROM sqlite_master WHERE name = 'versions_no_update'"
        (sql,) = conn.execute(guard).fetchone()
        conn.execute("DROP TRIGGER versions_no_update")
        conn.execute("UPDATE versions SET message = 'Approved by the CEO' WHERE number = 3")
        conn.execute(sql)
        plan = canonical_json(plan_for(okr_set(40)).as_json())
        conn.execute(
            "INSERT INTO cycles (draft_id, version_id, label, start_date, end_date, plan,"
            " findings, overall, launched_by, launched_at) VALUES (1, 1, '2026-Q1',"
            " '2026-01-01', '2026-03-31', ?, '[]', 60, 'ana', '2026-01-01')",
            (plan,),
        )
        for day, value in ((10, 31.0), (20, 35.0)):
            conn.execute(
                "INSERT INTO checkins (cycle_id, kr, on_date, value, raw, confidence, note,"
                " source, author, created_at) VALUES (1, 'O1.KR1', ?, ?, ?, 5, '', 'cli',"
                " 'ana', ?)",
                (f"2026-02-{day}", value, f"{value:g}%", f"2026-02-{day}T09:00:00+00:00"),
            )
        conn.execute("INSERT INTO kr_grades VALUES (1, 'O1.KR1', 0.5), (1, 'O1.KR2', 0.2)")
        conn.execute("INSERT INTO cycle_grades VALUES (1, 0.35, 'ana', '2026-04-01')")
        conn.execute(
            "INSERT INTO retros (cycle_id, went_well, did_not, change, lessons, engine,"
            " author, created_at) VALUES (1, '[\"a\"]', '[]', '[]', '[]', 'rules', 'ana', '2026-04-02')"
        )
        conn.execute(
            "INSERT INTO reviews (draft_id, version_id, engine, personas, rounds, created_at,"
            " transcript) VALUES (1, 2, 'rules', 'cfo', 1, '2026-01-05', '{}')"
        )
        conn.execute("INSERT INTO review_acceptances VALUES (1, 1, 3, '2026-01-06')")


@pytest.fixture
def migrated(okr_home: Path) -> Store:
    _old_database(okr_home)
    store = Store.in_home(okr_home)
    assert [d.name for d in drafts.list_drafts(store)] == ["Team"]  # opening migrates
    return store


def test_old_rows_are_verified_once_and_rehashed(migrated: Store) -> None:
    with migrated.unit_of_work(write=False) as uow:
        conn = uow.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        versions = conn.execute("SELECT number, hash_version FROM versions ORDER BY number")
        assert versions.fetchall() == [(1, 3), (2, 3), (3, 2)]  # v3 failed its check
        for table in ("drafts", "cycles", "checkins", "cycle_grades", "retros", "reviews",
                      "review_acceptances"):  # fmt: skip
            found = conn.execute(f"SELECT DISTINCT hash_version FROM {table}").fetchall()
            assert found == [(3,)], table
    # The edited v3 is still named, and nothing else is.
    assert drafts.doctor(migrated).problems == [
        "draft 'Team' v3: message, author, source, time or scores do not match the version's"
        " hash (modified after saving)"
    ]


def test_the_append_only_guards_are_back_after_the_migration(migrated: Store) -> None:
    with migrated.unit_of_work() as uow:
        for sql in ("UPDATE versions SET message = 'x'", "UPDATE checkins SET value = 1",
                    "UPDATE cycles SET label = 'x'", "UPDATE retros SET engine = 'x'",
                    "UPDATE cycle_grades SET grade = 1"):  # fmt: skip
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                uow.conn.execute(sql)


def test_the_migration_records_every_chain_head(migrated: Store) -> None:
    """A check-in removed after the upgrade shows, though nothing links after it."""
    with behind_its_back(migrated) as conn:
        conn.execute("DELETE FROM retros")
    problems = drafts.doctor(migrated).problems
    assert any(
        "2026-Q1: 4 check-in, grade or retrospective(s) recorded but 3" in p for p in problems
    )


def test_new_records_chain_onto_migrated_ones(migrated: Store) -> None:
    drafts.save(migrated, "Team", okr_set(70), "after the upgrade", author="ana")
    problems = drafts.doctor(migrated).problems
    assert len(problems) == 1 and problems[0].startswith("draft 'Team' v3:")


@pytest.mark.parametrize(
    "table", ["drafts", "cycles", "checkins", "cycle_grades", "retros", "reviews",
              "review_acceptances"],
)  # fmt: skip
def test_setting_a_record_back_to_an_older_scheme_is_flagged(migrated: Store, table: str) -> None:
    with behind_its_back(migrated) as conn:
        conn.execute(f"UPDATE {table} SET hash_version = 1")
    problems = drafts.doctor(migrated).problems
    assert any("hash version 1 is not the current scheme (3)" in p for p in problems), problems


def test_setting_user_version_back_does_not_switch_the_checks_off(migrated: Store) -> None:
    with behind_its_back(migrated) as conn:
        conn.execute("PRAGMA user_version = 10")
        conn.execute("UPDATE checkins SET value = 99")
    problems = drafts.doctor(migrated).problems
    assert any("check-in 1 (O1.KR1 on 2026-02-10): does not match its hash" in p for p in problems)


def test_rows_that_do_not_read_as_their_type_do_not_stop_the_migration(okr_home: Path) -> None:
    _old_database(okr_home)
    with closing(sqlite3.connect(okr_home / "okr.db", isolation_level=None)) as conn:
        for table in ("cycles", "checkins"):
            conn.execute(f"DROP TRIGGER {table}_no_update")
        conn.execute("UPDATE cycles SET plan = '{'")
        conn.execute("UPDATE checkins SET value = 'lots' WHERE id = 2")
    store = Store.in_home(okr_home)
    assert [d.name for d in drafts.list_drafts(store)] == ["Team"]  # migrated, usable
    problems = drafts.doctor(store).problems
    assert any("cycle 2026-Q1: unreadable plan or dates" in p for p in problems), problems
