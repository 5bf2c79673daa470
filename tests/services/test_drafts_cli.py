"""The drafts commands as a user runs them (CliRunner, OKR_HOME in tmp_path)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.cli.drafts import COMMANDS, sparkline
from assistant.io import read_text
from assistant.render import ago
from assistant.services import drafts
from assistant.store.store import Store

V1 = """name: Growth
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - Improve activation
      - Cut time-to-first-dashboard from 3 days to 1 day
"""
V2 = V1.replace("Improve activation", "Raise week-1 activation from 32% to 50%")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Ana")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    opened = Store.in_home(home)
    yield opened
    opened.close()


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def save_two(tmp: Path = Path(".")) -> None:
    (tmp / "growth.yaml").write_text(V1)
    assert run("save", "growth.yaml", "-m", "First draft").exit_code == 0
    (tmp / "growth.yaml").write_text(V2)
    assert (
        run("save", "growth.yaml", "-m", "Measurable activation", "--author", "Li").exit_code == 0
    )


def test_save_reports_version_and_score_change(home: Path) -> None:
    Path("growth.yaml").write_text(V1)
    first = run("save", "growth.yaml", "-m", "First draft")
    assert first.exit_code == 0
    assert "Saved Growth v1 (new draft)" in first.stdout
    Path("growth.yaml").write_text(V2)
    second = run("save", "growth.yaml", "-m", "Better")
    assert "Saved Growth v2" in second.stdout
    assert "(+" in second.stdout  # the overall score went up
    same = run("save", "growth.yaml", "-m", "Again")
    assert same.exit_code == 0 and "Nothing changed" in same.stdout
    assert (home / "okr.db").exists()


def test_save_names_the_draft_from_file_stem_or_option(home: Path, store: Store) -> None:
    Path("q1-plan.yaml").write_text(
        "objectives:\n  - title: Grow\n    key_results: [Sign 5 logos]\n"
    )
    assert run("save", "q1-plan.yaml", "-m", "x").exit_code == 0
    assert run("save", "q1-plan.yaml", "--draft", "Custom", "-m", "x").exit_code == 0
    assert [d.name for d in drafts.list_drafts(store)] == ["Custom", "q1-plan"]
    assert drafts.get_version(store, "Custom").author == "Ana"


def test_save_requires_a_message_and_one_set(home: Path, store: Store) -> None:
    Path("growth.yaml").write_text(V1)
    assert run("save", "growth.yaml").exit_code == 2
    Path("team.yaml").write_text(
        "sets:\n  - name: A\n    objectives: []\n  - name: B\n    objectives: []\n"
    )
    result = run("save", "team.yaml", "-m", "x")
    assert result.exit_code == 2
    assert "holds 2 sets; pick one with --set N" in result.stderr
    assert run("save", "team.yaml", "--set", "2", "-m", "x").exit_code == 0
    assert [d.name for d in drafts.list_drafts(store)] == ["B"]


def test_bad_input_file_is_one_line_and_saves_nothing(home: Path) -> None:
    Path("bad.yaml").write_text("objectives:\n  - title: [unclosed\n")
    result = run("save", "bad.yaml", "-m", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("bad.yaml:") and len(result.stderr.splitlines()) == 1
    assert not (home / "okr.db").exists()


def test_drafts_lists_versions_score_and_last_change(home: Path, store: Store) -> None:
    empty = run("drafts")
    assert empty.exit_code == 0 and "No drafts yet" in empty.stdout
    save_two()
    result = run("drafts")
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "Growth" in line)
    score = drafts.get_version(store, "Growth").scores
    assert score is not None
    assert " 2 " in row and f" {score.overall} " in row and "just now by Li" in row
    data = json.loads(run("drafts", "--json").stdout)
    assert [(d["name"], d["versions"]) for d in data["drafts"]] == [("Growth", 2)]
    assert data["drafts"][0]["head"]["scores"]["overall"] == score.overall


def test_log_shows_scores_trend_and_limits(home: Path) -> None:
    save_two()
    result = run("log", "Growth")
    assert result.exit_code == 0
    out = result.stdout
    assert out.index("Measurable") < out.index("First draft")  # newest first
    assert "Overall trend (oldest → newest):" in out
    assert "↑" in out  # measurability went up at v2
    limited = run("log", "Growth", "--limit", "1")
    assert "First draft" not in limited.stdout and "latest 1 of 2 versions" in limited.stdout
    data = json.loads(run("log", "Growth", "--json", "--all").stdout)
    assert [v["number"] for v in data["history"]] == [2, 1]
    assert data["history"][0]["source"] == "manual"
    assert set(data["history"][0]["scores"]) == {"clarity", "measurability", "ambition", "overall"}


def test_show_prints_a_version_as_yaml_that_reads_back(home: Path) -> None:
    save_two()
    latest = run("show", "Growth")
    assert latest.exit_code == 0
    assert latest.stdout.startswith("# Growth v2 (")
    assert read_text(latest.stdout, "x.yaml")[0].content() == read_text(V2, "v.yaml")[0].content()
    old = run("show", "Growth@1")
    assert read_text(old.stdout, "x.yaml")[0].content() == read_text(V1, "v.yaml")[0].content()


def test_diff_shows_changed_kr_with_dimension_deltas(home: Path) -> None:
    save_two()
    result = run("diff", "Growth", "1", "2")
    assert result.exit_code == 0
    out = result.stdout
    assert "Growth v1 → v2" in out
    assert "- O1.KR1 Improve activation" in out
    assert "+ O1.KR1 Raise week-1 activation from 32% to 50%" in out
    assert "measurability +" in out
    assert "(1 key result unchanged)" in out
    data = json.loads(run("diff", "Growth", "1", "--json").stdout)
    assert data["new"]["number"] == 2 and data["objectives"][0]["kind"] == "changed"


def test_restore_creates_a_new_version(home: Path, store: Store) -> None:
    save_two()
    result = run("restore", "Growth", "1", "-m", "Back to basics")
    assert result.exit_code == 0 and "Restored v1 as Growth v3" in result.stdout
    version = drafts.get_version(store, "Growth")
    assert version.message == "Back to basics" and version.source == "restore"
    assert version.okr_set.content() == drafts.get_version(store, "Growth", 1).okr_set.content()


def test_export_formats_files_and_full_backup(home: Path, tmp_path: Path) -> None:
    save_two()
    md = run("export", "Growth@1", "--format", "md")
    assert md.exit_code == 0 and md.stdout.startswith("# Growth")
    assert run("export", "Growth", "-o", "out.json").exit_code == 0
    assert read_text(Path("out.json").read_text(), "out.json")[0].name == "Growth"
    backup = run("export", "--all", "bk")
    assert backup.exit_code == 0 and "Backed up 1 draft to bk" in backup.stdout
    assert json.loads(Path("bk/manifest.json").read_text())["drafts"][0]["versions"] == 2
    assert run("export").exit_code == 2
    assert run("export", "Growth", "--all", "bk").exit_code == 2


def test_import_restores_a_backup_into_a_new_home(
    home: Path, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_two()
    assert run("export", "--all", "bk").exit_code == 0
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "other"))
    result = run("import", "bk")
    assert result.exit_code == 0 and "Growth: 2 versions added (new draft)" in result.stdout
    again = run("import", "bk")
    assert "0 versions added (existing draft, 2 already present)" in again.stdout
    other = Store.in_home(tmp_path / "other")
    assert [v.hash for v in drafts.history(other, "Growth")] == [
        v.hash for v in drafts.history(store, "Growth")
    ]
    other.close()


def test_delete_asks_and_undelete_brings_it_back(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_two()
    monkeypatch.setattr("assistant.cli.drafts.lifecycle.stdin_is_terminal", lambda: True)
    declined = run("delete", "Growth", input="n\n")
    assert declined.exit_code == 0 and "Aborted" not in declined.output
    assert "Kept 'Growth'." in declined.output
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth"]
    accepted = run("delete", "Growth", input="y\n")
    assert accepted.exit_code == 0 and "okr undelete Growth" in accepted.stdout
    assert "No drafts yet" in run("drafts").stdout
    assert "Growth" in run("drafts", "--deleted").stdout
    gone = run("log", "Growth")
    assert gone.exit_code == 2 and "okr undelete Growth" in gone.stderr
    assert run("undelete", "Growth").exit_code == 0
    assert run("log", "Growth").exit_code == 0
    assert run("delete", "Growth", "--yes").exit_code == 0


def test_purge_only_removes_drafts_deleted_30_days_ago(
    home: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_two()
    monkeypatch.setattr("assistant.cli.drafts.lifecycle.stdin_is_terminal", lambda: True)
    Path("old.yaml").write_text("name: Old\nobjectives: []\n")
    run("save", "old.yaml", "-m", "x")
    drafts.delete(store, "Old", now=datetime.now(UTC) - timedelta(days=40))
    run("delete", "Growth", "--yes")
    assert "Would remove 1 draft for good: Old" in run("purge", "--dry-run").stdout
    declined = run("purge", input="n\n")  # an answer, not a failure: exit 0, nothing gone
    assert declined.exit_code == 0 and "Nothing removed." in declined.stdout
    assert {d.name for d in drafts.list_drafts(store, deleted=True)} == {"Growth", "Old"}
    assert run("purge", "--yes").exit_code == 0
    assert [d.name for d in drafts.list_drafts(store, deleted=True)] == ["Growth"]
    assert "Nothing to purge" in run("purge").stdout


def test_rename_moves_the_history_and_the_set_name_follows(home: Path, store: Store) -> None:
    save_two()
    result = run("rename", "Growth", "Growth 2026-Q1")
    assert result.exit_code == 0
    assert "Renamed 'Growth' to 'Growth 2026-Q1' (v3: Rename to Growth 2026-Q1)." in result.stdout
    log = json.loads(run("log", "Growth 2026-Q1", "--json").stdout)
    assert [v["message"] for v in log["history"]] == [
        "Rename to Growth 2026-Q1",
        "Measurable activation",
        "First draft",
    ]
    assert log["history"][0]["author"] == "Ana"
    shown = run("show", "Growth 2026-Q1")
    assert shown.stdout.startswith("# Growth 2026-Q1 v3 (")
    assert read_text(shown.stdout, "x.yaml")[0].name == "Growth 2026-Q1"
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth 2026-Q1"]

    Path("other.yaml").write_text("name: Other\nobjectives: []\n")
    assert run("save", "other.yaml", "-m", "x").exit_code == 0
    for args, message in (
        (("Other", "Growth 2026-Q1"), "okr: the name 'Growth 2026-Q1' is taken by a draft"),
        (("Growth", "New"), "okr: unknown draft 'Growth'"),
        (("Other", "Other@2"), "okr: draft name 'Other@2' ends like a version reference (@N)"),
    ):
        refused = run("rename", *args)
        assert refused.exit_code == 2, args
        assert refused.stderr.startswith(message) and len(refused.stderr.splitlines()) == 1
        assert "--draft" not in refused.stderr  # rename takes no --draft
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth 2026-Q1", "Other"]


def test_unknown_draft_or_version_is_one_line_exit_2(home: Path) -> None:
    save_two()
    for args in (
        ("log", "Nope"),
        ("show", "Nope"),
        ("show", "Growth@9"),
        ("diff", "Growth", "1", "9"),
        ("restore", "Growth", "9"),
        ("export", "Nope@1"),
        ("delete", "Nope", "--yes"),
        ("undelete", "Growth"),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "has no version 9 (it has v1–v2)" in run("show", "Growth@9").stderr


def test_doctor_reports_a_healthy_database_and_exit_codes(home: Path) -> None:
    fresh = run("doctor")
    assert fresh.exit_code == 0 and "No drafts database yet" in fresh.stdout
    save_two()
    ok = run("doctor")
    assert ok.exit_code == 0 and "every hash chain verifies" in ok.stdout
    data = json.loads(run("doctor", "--json").stdout)
    assert data["ok"] and data["versions"] == 2 and data["integrity"] == "ok"


def test_every_command_has_help_with_examples(home: Path) -> None:
    for command in COMMANDS:
        result = run(command.name or "", "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.stdout, command.name


def test_okr_help_does_not_load_the_store() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from assistant.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output;"
        "print(any(m.startswith(('assistant.store', 'sqlite3')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sparkline_and_relative_times() -> None:
    assert sparkline([0, 50, 100]) == "▁▄█"
    now = datetime(2026, 1, 10, 12, tzinfo=UTC)
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(now - timedelta(days=1, hours=1), now) == "1 day ago"


def test_long_listings_switch_to_a_compact_layout_with_the_same_rows(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.cli.drafts.tables as cli_tables

    save_two()
    monkeypatch.setattr(cli_tables, "TABLE_MAX_ROWS", 0)
    log = run("log", "Growth").stdout.splitlines()
    assert log[1].split() == ["v", "When", "Author", "Source", "Message", "C", "M", "A", "Overall"]
    assert log[2].split()[:5] == ["2", "just", "now", "Li", "manual"]
    assert "Measurable activation" in log[2] and "First draft" in log[3]
    listing = run("drafts").stdout.splitlines()
    assert listing[0] == "Drafts (1)" and listing[2].split()[:2] == ["Growth", "2"]
    assert not any("┃" in line for line in log + listing)
