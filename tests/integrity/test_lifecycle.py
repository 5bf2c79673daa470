"""What okr itself does to stored records keeps every hash and head right: renames,
deletes and undeletes re-seal the draft row, a purge takes the draft's heads with it,
imports into an existing draft extend its chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.services import drafts
from assistant.store.store import Store
from tests.integrity.conftest import behind_its_back, okr_set


def test_rename_delete_undelete_keep_the_doctor_quiet(store: Store) -> None:
    drafts.rename(store, "Other", "Renamed")
    drafts.delete(store, "Renamed")
    assert drafts.doctor(store).problems == []
    drafts.undelete(store, "Renamed")
    assert drafts.doctor(store).problems == []


def test_a_purge_takes_the_drafts_heads_with_it(store: Store) -> None:
    drafts.delete(store, "Team", now=datetime.now(UTC) - timedelta(days=31))
    assert drafts.purge(store) == ["Team"]
    assert drafts.doctor(store).problems == []
    with behind_its_back(store) as conn:
        assert conn.execute("SELECT COUNT(*) FROM chain_heads WHERE draft_id = 1").fetchone() == (
            0,
        )
        assert conn.execute("SELECT COUNT(*) FROM checkins").fetchone() == (0,)


def test_a_longer_backup_extends_the_chains_of_an_existing_draft(
    store: Store, tmp_path: Path
) -> None:
    drafts.export_all(store, tmp_path / "b1")
    fresh = Store.in_home(tmp_path / "fresh")
    drafts.import_path(fresh, str(tmp_path / "b1"))
    drafts.save(store, "Team", okr_set(70), "v4", author="ana")
    drafts.export_all(store, tmp_path / "b2")
    added = drafts.import_path(fresh, str(tmp_path / "b2"))
    assert {(r.name, r.added) for r in added} == {("Team", 1), ("Other", 0)}
    assert drafts.doctor(fresh).problems == []
    assert [v.hash for v in drafts.history(fresh, "Team")] == [
        v.hash for v in drafts.history(store, "Team")
    ]
    fresh.close()
