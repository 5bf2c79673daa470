"""Schema migrations: ordered named steps tracked by PRAGMA user_version."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store import StoreError
from assistant.store.db import connect
from assistant.store.migrations import (
    MIGRATIONS,
    Migration,
    applied_names,
    migrate,
    schema_version,
    split_statements,
)
from assistant.store.repo import chain_hash
from assistant.store.store import Store


def _set(kr: str = "Raise activation from 30% to 45% by 2026-03-31") -> OKRSet:
    return OKRSet(
        name="Team",
        objectives=[Objective(title="Delight new users", key_results=[KeyResult(text=kr)])],
    )


def test_fresh_database_gets_every_step_in_wal_mode(store: Store) -> None:
    with store.unit_of_work(write=False) as uow:
        conn = uow.conn
        assert schema_version(conn) == len(MIGRATIONS)
        assert [name for _, name in applied_names(conn)] == [m.name for m in MIGRATIONS]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migration_names_are_unique_and_ordered() -> None:
    names = [m.name for m in MIGRATIONS]
    assert len(set(names)) == len(names)
    assert names == sorted(names)


def test_old_schema_database_is_migrated_keeping_its_data(store: Store) -> None:
    # A database written by a build that only knew the first step.
    path = store.path
    conn = connect(path)
    assert migrate(conn, target=1) == 1
    content = '{"name":"Old","objectives":[]}'
    digest = chain_hash(content, None)
    conn.execute(
        "INSERT INTO drafts (name, created_at) VALUES ('Old', '2025-01-01T00:00:00+00:00')"
    )
    conn.execute(
        "INSERT INTO versions (draft_id, number, content, hash, message, author, source,"
        " created_at, clarity, measurability, ambition, overall)"
        " VALUES (1, 1, ?, ?, 'first', 'ana', 'manual', '2025-01-01T00:00:00+00:00', 1, 1, 1, 10)",
        (content, digest),
    )
    columns = {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
    assert "deleted_at" not in columns
    conn.close()

    listed = drafts.list_drafts(store)  # opening migrates

    assert [(d.name, d.versions, d.head.hash) for d in listed] == [("Old", 1, digest)]
    with store.unit_of_work() as uow:
        conn = uow.conn
        assert schema_version(conn) == len(MIGRATIONS)
        assert "deleted_at" in {row[1] for row in conn.execute("PRAGMA table_info(drafts)")}
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE versions SET message = 'rewritten'")
    assert drafts.doctor(store).ok
    saved = drafts.save(store, "Old", _set(), "second", author="ana")
    assert saved.version.number == 2 and saved.version.parent_hash == digest


def test_appended_migration_runs_once_on_an_existing_database(store: Store) -> None:
    drafts.save(store, "Team", _set(), "first", author="ana")
    extra = [*MIGRATIONS, Migration("9999_test_cache", "CREATE TABLE test_cache (k TEXT);")]
    conn = connect(store.path)
    try:
        assert migrate(conn, extra) == len(extra)
        assert migrate(conn, extra) == len(extra)  # idempotent
        assert applied_names(conn)[-1] == (len(extra), "9999_test_cache")
        assert conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == 1
    finally:
        conn.close()


def test_failing_step_rolls_back_and_keeps_the_previous_version(okr_home: Path) -> None:
    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("boom")

    conn = connect(Store.in_home(okr_home).path)
    try:
        with pytest.raises(RuntimeError):
            migrate(conn, [*MIGRATIONS, Migration("9999_broken", broken)])
        assert schema_version(conn) == len(MIGRATIONS)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "half_done" not in tables
    finally:
        conn.close()


def test_database_from_a_newer_okr_is_refused_in_one_line(okr_home: Path) -> None:
    older = Store.in_home(okr_home)
    with older.unit_of_work() as uow:  # a newer okr-coach has migrated it further
        uow.conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    older.close()
    with pytest.raises(StoreError) as info:
        drafts.list_drafts(Store.in_home(okr_home))
    message = str(info.value)
    assert "newer than this okr-coach" in message and "\n" not in message


def test_split_statements_keeps_trigger_bodies_whole() -> None:
    sql = """
    CREATE TABLE t (x);
    CREATE TRIGGER g BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'no'); SELECT 1; END;
    -- a comment
    """
    statements = split_statements(sql)
    assert len(statements) == 2
    assert statements[1].endswith("END;")


def test_nothing_is_created_at_import_or_by_reading(tmp_path: Path) -> None:
    home = tmp_path / "home"
    code = (
        "import assistant.cli, assistant.services.drafts as d, pathlib, sys;"
        "from assistant.store.store import Store;"
        "h = pathlib.Path(sys.argv[1]); print(d.list_drafts(Store.in_home(h))); print(h.exists())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["[]", "False"]
