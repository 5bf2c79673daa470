"""The hash chain and the append-only guarantees enforced by the database itself."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store.db import connect
from assistant.store.repo import canonical_json
from assistant.store.store import Store


def behind_its_back(store: Store) -> sqlite3.Connection:
    """A connection of another program (autocommit, not through the store)."""
    return connect(store.path)


def _set(kr: str) -> OKRSet:
    return OKRSet(
        name="Team",
        cycle="2026-Q1",
        objectives=[Objective(title="Delight new users", key_results=[KeyResult(text=kr)])],
    )


def _three_versions(store: Store) -> None:
    for i, pct in enumerate((40, 45, 50), start=1):
        drafts.save(
            store, "Team", _set(f"Raise activation from 30% to {pct}%"), f"v{i}", author="a"
        )


def test_hash_is_sha256_of_canonical_content_plus_parent_hash(store: Store) -> None:
    _three_versions(store)
    versions = list(reversed(drafts.history(store, "Team")))
    parent = ""
    for info in versions:
        content = drafts.get_version(store, "Team", info.number).okr_set.content()
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert info.hash == hashlib.sha256((text + parent).encode()).hexdigest()
        assert info.parent_hash == (parent or None)
        parent = info.hash


def test_canonical_json_ignores_key_order_and_keeps_unicode() -> None:
    assert (
        canonical_json({"b": 1, "a": "é"})
        == canonical_json({"a": "é", "b": 1})
        == '{"a":"é","b":1}'
    )


def test_versions_cannot_be_updated_or_deleted(store: Store) -> None:
    _three_versions(store)
    with closing(behind_its_back(store)) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE versions SET content = '{}' WHERE number = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM versions WHERE number = 3")
        with pytest.raises(sqlite3.IntegrityError, match="purged"):
            conn.execute("DELETE FROM drafts")
    assert [v.number for v in drafts.history(store, "Team")] == [3, 2, 1]


def test_recently_deleted_drafts_cannot_be_purged_even_by_sql(store: Store) -> None:
    _three_versions(store)
    drafts.delete(store, "Team", now=datetime.now(UTC) - timedelta(days=29))
    with closing(behind_its_back(store)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM versions")
    assert drafts.purge(store) == []


def test_doctor_finds_content_edited_behind_its_back(store: Store) -> None:
    _three_versions(store)
    assert drafts.doctor(store).ok
    with closing(behind_its_back(store)) as conn:
        conn.execute("DROP TRIGGER versions_no_update")
        conn.execute(
            "UPDATE versions SET content = replace(content, '45%', '95%') WHERE number = 2"
        )
    report = drafts.doctor(store)
    assert not report.ok
    assert report.problems == [
        "draft 'Team' v2: hash does not match its content (modified after saving)"
    ]


def test_doctor_finds_a_missing_version(store: Store) -> None:
    _three_versions(store)
    with closing(behind_its_back(store)) as conn:
        conn.execute("DROP TRIGGER versions_no_delete")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM versions WHERE number = 2")
    problems = drafts.doctor(store).problems
    assert any("v3: follows v1 (versions missing)" in p for p in problems)
    assert any("v3: parent is not v1" in p for p in problems)
