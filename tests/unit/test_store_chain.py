"""The hash chain and the append-only guarantees enforced by the database itself."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store import open_db
from assistant.store.repo import canonical_json


def _set(kr: str) -> OKRSet:
    return OKRSet(
        name="Team",
        cycle="2026-Q1",
        objectives=[Objective(title="Delight new users", key_results=[KeyResult(text=kr)])],
    )


def _three_versions(home: Path) -> None:
    for i, pct in enumerate((40, 45, 50), start=1):
        drafts.save(home, "Team", _set(f"Raise activation from 30% to {pct}%"), f"v{i}", author="a")


def test_hash_is_sha256_of_canonical_content_plus_parent_hash(okr_home: Path) -> None:
    _three_versions(okr_home)
    versions = list(reversed(drafts.history(okr_home, "Team")))
    parent = ""
    for info in versions:
        content = drafts.get_version(okr_home, "Team", info.number).okr_set.content()
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


def test_versions_cannot_be_updated_or_deleted(okr_home: Path) -> None:
    _three_versions(okr_home)
    with open_db(okr_home) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("UPDATE versions SET content = '{}' WHERE number = 2")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("DELETE FROM versions WHERE number = 3")
        with pytest.raises(sqlite3.IntegrityError, match="purged"):
            conn.execute("DELETE FROM drafts")
    assert [v.number for v in drafts.history(okr_home, "Team")] == [3, 2, 1]


def test_recently_deleted_drafts_cannot_be_purged_even_by_sql(okr_home: Path) -> None:
    _three_versions(okr_home)
    drafts.delete(okr_home, "Team", now=datetime.now(UTC) - timedelta(days=29))
    with open_db(okr_home) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("DELETE FROM versions")
    assert drafts.purge(okr_home) == []


def test_doctor_finds_content_edited_behind_its_back(okr_home: Path) -> None:
    _three_versions(okr_home)
    assert drafts.doctor(okr_home).ok
    with open_db(okr_home) as conn:
        conn.execute("DROP TRIGGER versions_no_update")
        conn.execute(
            "UPDATE versions SET content = replace(content, '45%', '95%') WHERE number = 2"
        )
    report = drafts.doctor(okr_home)
    assert not report.ok
    assert report.problems == [
        "draft 'Team' v2: hash does not match its content (modified after saving)"
    ]


def test_doctor_finds_a_missing_version(okr_home: Path) -> None:
    _three_versions(okr_home)
    with open_db(okr_home) as conn:
        conn.execute("DROP TRIGGER versions_no_delete")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute("DELETE FROM versions WHERE number = 2")
    problems = drafts.doctor(okr_home).problems
    assert any("v3: follows v1 (versions missing)" in p for p in problems)
    assert any("v3: parent is not v1" in p for p in problems)
