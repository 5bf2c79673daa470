"""Item 9 of issue 11: a version's message, author, source, time and scores are as
tamper-evident as its content; old rows verify as before; imported scores are
recomputed, never trusted."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store.db import connect
from assistant.store.store import Store

META = "message, author, source, time or scores do not match the version's hash"


def behind_its_back(store: Store) -> closing[sqlite3.Connection]:
    """A connection of another program (autocommit, not through the store)."""
    return closing(connect(store.path))


def _set(kr: str) -> OKRSet:
    return OKRSet(
        name="Team",
        objectives=[Objective(title="Delight new users", key_results=[KeyResult(text=kr)])],
    )


def _two(store: Store) -> None:
    drafts.save(store, "Team", _set("Raise activation from 30% to 40% by June"), "v1", author="a")
    drafts.save(store, "Team", _set("Raise activation from 30% to 50% by June"), "v2", author="b")


@pytest.mark.parametrize(
    "edit",
    [
        "message = 'Approved by the CEO'",
        "author = 'ceo'",
        "source = 'review'",
        "created_at = '2020-01-01T00:00:00.000000+00:00'",
        "overall = 99",
        "clarity = clarity - 1",
    ],
)
def test_doctor_flags_edited_metadata(store: Store, edit: str) -> None:
    _two(store)
    assert drafts.doctor(store).ok
    with behind_its_back(store) as conn:
        conn.execute("DROP TRIGGER versions_no_update")
        conn.execute(f"UPDATE versions SET {edit} WHERE number = 2")
    report = drafts.doctor(store)
    assert report.problems == [f"draft 'Team' v2: {META} (modified after saving)"]


def test_rows_set_back_to_hash_version_1_are_flagged_not_trusted(store: Store) -> None:
    """Issue 22: no downgrade. Migration 0011 re-hashed every older row, so a row under
    hash version 1 now is itself a problem, and its content is still verified."""
    _two(store)
    with behind_its_back(store) as conn:  # what migration 0007 leaves on an older database
        conn.execute("DROP TRIGGER versions_no_update")
        conn.execute("UPDATE versions SET hash_version = 1, meta_hash = NULL, message = 'old'")
    older = "hash version 1 is older than the current scheme (3)"
    problems = drafts.doctor(store).problems
    assert len(problems) == 2 and all(older in p for p in problems)
    with behind_its_back(store) as conn:
        conn.execute("UPDATE versions SET content = replace(content, '50%', '90%')")
    assert "draft 'Team' v2: hash does not match its content (modified after saving)" in (
        drafts.doctor(store).problems
    )


def _backup(store: Store, tmp_path: Path) -> Path:
    _two(store)
    drafts.export_all(store, tmp_path / "b")
    return tmp_path / "b" / "team.json"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("message", "Signed off"),
        ("author", "ceo"),
        ("source", "review"),
        ("created_at", "2020-01-01T00:00:00.000000+00:00"),
        ("scores", {"clarity": 5, "measurability": 5, "ambition": 5, "overall": 100}),
    ],
)
def test_import_refuses_a_backup_with_edited_metadata(
    store: Store, tmp_path: Path, field: str, value: object
) -> None:
    path = _backup(store, tmp_path)
    document = json.loads(path.read_text())
    document["versions"][1][field] = value
    path.write_text(json.dumps(document))
    fresh = Store.in_home(tmp_path / "fresh")
    with pytest.raises(InputError, match=f"v2: {META}"):
        drafts.import_path(fresh, str(tmp_path / "b"))
    assert drafts.list_drafts(fresh) == []


def test_a_clean_backup_imports_and_verifies(store: Store, tmp_path: Path) -> None:
    _backup(store, tmp_path)
    fresh = Store.in_home(tmp_path / "fresh")
    drafts.import_path(fresh, str(tmp_path / "b"))
    assert drafts.doctor(fresh).ok
    theirs = drafts.history(store, "Team")
    mine = drafts.history(fresh, "Team")
    assert [v.hash for v in mine] == [v.hash for v in theirs]
    assert [v.scores for v in mine] == [v.scores for v in theirs]


def test_imported_scores_are_recomputed(store: Store, tmp_path: Path) -> None:
    """An old-style backup (no meta hash) with made-up scores gets the real ones."""
    path = _backup(store, tmp_path)
    document = json.loads(path.read_text())
    document["format_version"] = 1  # as written before backups carried heads
    manifest = tmp_path / "b" / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"format_version": 2', '"format_version": 1'))
    for entry in document["versions"]:
        entry.pop("hash_version", None)
        entry.pop("meta_hash", None)
        entry["scores"] = {"clarity": 5, "measurability": 5, "ambition": 5, "overall": 100}
    path.write_text(json.dumps(document))
    fresh = Store.in_home(tmp_path / "fresh")
    drafts.import_path(fresh, str(tmp_path / "b"))
    real = [v.scores for v in drafts.history(store, "Team")]
    assert [v.scores for v in drafts.history(fresh, "Team")] == real
    assert all(s is not None and s.overall < 100 for s in real)
    assert drafts.doctor(fresh).ok
