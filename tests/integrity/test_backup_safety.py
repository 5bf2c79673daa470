"""Issue 22 items 1 and 2: ``okr import`` reads only plain files inside the backup folder
named by its manifest, under a size cap, and refuses a truncated or edited backup — one
line, exit 2, nothing imported."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from assistant.services import drafts
from assistant.store.store import Store
from tests.integrity.conftest import okr


@pytest.fixture
def backup(store: Store, tmp_path: Path) -> Path:
    """An ``okr export --all`` of the seeded home."""
    folder = tmp_path / "backup"
    assert okr("export", "--all", str(folder)).exit_code == 0
    return folder


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "fresh"
    monkeypatch.setenv("OKR_HOME", str(home))
    return home


def refused(target: Path, home: Path, expected: str) -> str:
    """Import ``target``: exit 2, one line on stderr holding ``expected``, nothing stored."""
    result = okr("import", str(target))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert drafts.list_drafts(Store.in_home(home), deleted=False) == []
    assert drafts.list_drafts(Store.in_home(home), deleted=True) == []
    return lines[0]


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _name_in_manifest(folder: Path, name: str) -> None:
    index = _manifest(folder)
    index["drafts"][0]["file"] = name
    (folder / "manifest.json").write_text(json.dumps(index))


def _edit(path: Path, change) -> None:
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")


# --- a clean backup ---------------------------------------------------------------------------


def test_a_clean_backup_restores_every_record_and_verifies(backup: Path, fresh: Path) -> None:
    result = okr("import", str(backup))
    assert result.exit_code == 0, result.output
    assert okr("doctor").exit_code == 0
    document = json.loads((backup / "team.json").read_text())
    assert document["format_version"] == 2
    assert document["heads"]["versions"]["length"] == 3
    cycles = document["cycles"]
    assert [len(c["checkins"]) for c in cycles] == [3, 2]
    assert cycles[1]["checkins"][0]["provenance"] == "metrics.csv column activation"
    # Re-exported from the new home, the records hash the same.
    again = fresh.parent / "again"
    assert okr("export", "--all", str(again)).exit_code == 0
    restored = json.loads((again / "team.json").read_text())
    assert restored["heads"] == document["heads"]
    assert [c["head"] for c in restored["cycles"]] == [c["head"] for c in cycles]


# --- what the manifest may name ---------------------------------------------------------------


def test_a_manifest_naming_a_file_outside_the_folder_is_refused(backup: Path, fresh: Path) -> None:
    outside = backup.parent / "outside.json"
    outside.write_text((backup / "team.json").read_text())
    _name_in_manifest(backup, "../outside.json")
    refused(backup, fresh, "names '../outside.json', a path")


@pytest.mark.parametrize("name", ["/dev/zero", "/etc/passwd", "C:\\okr\\team.json", "~/x.json"])
def test_a_manifest_naming_an_absolute_path_is_refused(
    backup: Path, fresh: Path, name: str
) -> None:
    _name_in_manifest(backup, name)
    line = refused(backup, fresh, "an absolute path")
    assert "manifest.json" in line


def test_a_symlink_inside_the_folder_is_not_followed(backup: Path, fresh: Path) -> None:
    real = backup.parent / "elsewhere.json"
    (backup / "team.json").rename(real)
    (backup / "team.json").symlink_to(real)
    refused(backup, fresh, "team.json: is a symbolic link")
    (backup / "team.json").unlink()
    (backup / "team.json").symlink_to("/dev/zero")
    refused(backup, fresh, "team.json: is a symbolic link")


def test_a_fifo_is_refused_without_waiting_for_a_writer(backup: Path, fresh: Path) -> None:
    (backup / "team.json").unlink()
    os.mkfifo(backup / "team.json")
    refused(backup, fresh, "team.json: is a FIFO")


def test_a_folder_without_a_manifest_refuses_links_too(backup: Path, fresh: Path) -> None:
    (backup / "manifest.json").unlink()
    (backup / "zero.json").symlink_to("/dev/zero")
    refused(backup, fresh, "zero.json: is a symbolic link")


def test_a_file_over_the_size_cap_is_refused_unread(backup: Path, fresh: Path) -> None:
    with (backup / "team.json").open("r+b") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: no 51 MB written
    refused(backup, fresh, "over the 50 MB a backup file may be")


# --- truncated and edited backups -------------------------------------------------------------


def test_a_backup_whose_last_version_was_removed_is_refused(backup: Path, fresh: Path) -> None:
    _edit(backup / "team.json", lambda d: d["versions"].pop())
    refused(backup / "team.json", fresh, "truncated or edited")  # the file alone
    refused(backup, fresh, "truncated or edited")  # with its manifest


def test_a_truncation_with_its_heads_rewritten_is_caught_by_the_manifest(
    backup: Path, fresh: Path
) -> None:
    def cut(document: dict) -> None:
        document["versions"].pop()
        last = document["versions"][-1]
        document["heads"]["versions"] = {"length": last["number"], "hash": last["hash"]}
        document["cycles"].pop()  # the cycle launched from the removed version
        document["heads"]["cycles"] = {"length": 1, "hash": document["cycles"][0]["hash"]}

    _edit(backup / "team.json", cut)
    refused(backup, fresh, "truncated or edited")


def test_an_edited_backup_is_refused(backup: Path, fresh: Path) -> None:
    _edit(backup / "team.json", lambda d: d["versions"][1].update(message="Signed off"))
    refused(backup, fresh, "v2: message, author, source")


def test_a_byte_edit_the_chains_do_not_cover_fails_the_checksum(backup: Path, fresh: Path) -> None:
    path = backup / "team.json"
    path.write_text(path.read_text().replace('"format_version": 2', '"format_version":   2'))
    refused(backup, fresh, "does not match the manifest's SHA-256")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["cycles"][0]["checkins"][1].update(value=99.0),
         "draft 'Team' cycle 1 check-in 2: does not match its hash"),
        (lambda d: d["cycles"][0]["checkins"][1].update(on_date="2026-01-02"),
         "draft 'Team' cycle 1 check-in 2: does not match its hash"),
        (lambda d: d["cycles"][0]["checkins"].pop(1),
         "draft 'Team' cycle 1 check-in 2: does not match its hash"),
        (lambda d: d["cycles"][1]["checkins"].pop(),
         "draft 'Team' cycle 2: holds 1 check-in(s), grade and retrospective(s) but its head"),
        (lambda d: d["cycles"][0]["grade"]["key_results"].update({"O1.KR2": 1.0}),
         "draft 'Team' cycle 1 grade: does not match its hash"),
        (lambda d: d["cycles"][0]["retros"][0].update(went_well=["All of it"]),
         "draft 'Team' cycle 1 retrospective 1: does not match its hash"),
        (lambda d: d["cycles"][1].update(end="2027-01-01"),
         "draft 'Team' cycle 2: does not match its hash"),
        (lambda d: d["cycles"].pop(),
         "draft 'Team' holds 1 cycle(s) but its head records 2"),
    ],
)  # fmt: skip
def test_a_backup_whose_cycles_were_edited_is_refused(
    backup: Path, fresh: Path, change, expected: str
) -> None:
    _edit(backup / "team.json", change)
    refused(backup / "team.json", fresh, expected)
    refused(backup, fresh, expected)


# --- hostile JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "okr-coach-draft", "x": ' + "9" * 5000 + "}", "invalid JSON"),
        ('{"format": "okr-coach-draft", "name": "\\ud800"}', "lone surrogate"),
        ('{"format": "okr-coach-draft", "x": NaN}', "invalid JSON"),
        ('{"format": "okr-coach-draft", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "invalid JSON"),
        ('{"format": "okr-coach-draft"', "invalid JSON"),
        (b'{"format": "okr-coach-draft", "name": "\xff"}', "not UTF-8"),
    ],
)  # fmt: skip
def test_hostile_json_in_a_backup_is_one_line(
    tmp_path: Path, fresh: Path, text: str | bytes, expected: str
) -> None:
    path = tmp_path / "draft.json"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    refused(path, fresh, expected)


def test_an_old_format_1_backup_still_imports(
    backup: Path, fresh: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def old(document: dict) -> None:
        document["format_version"] = 1
        del document["heads"]
        for cycle in document["cycles"]:
            cycle.pop("hash")
            cycle.pop("head")

    _edit(backup / "team.json", old)
    index = _manifest(backup)
    index["format_version"] = 1
    for entry in index["drafts"]:
        entry.pop("sha256")
        entry.pop("heads")
    (backup / "manifest.json").write_text(json.dumps(index))
    result = okr("import", str(backup))
    assert result.exit_code == 0, result.output
    assert okr("doctor").exit_code == 0
    # ... and its manifest still catches a removed last version.
    _edit(backup / "team.json", lambda d: d["versions"].pop())
    home = fresh.parent / "other"
    monkeypatch.setenv("OKR_HOME", str(home))
    refused(backup, home, "the manifest records 3 version(s) but the file holds 2")
