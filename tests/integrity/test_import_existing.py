"""Issue 22: importing a file whose set names a draft that exists does not silently make
the file the draft's new head. On a terminal okr asks (its next version / a new draft /
cancel); elsewhere it needs --as-version or --as-new NAME, else one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cli.drafts import backup as backup_cli
from assistant.services import drafts
from assistant.store.store import Store
from tests.integrity.conftest import okr

GROWTH = """name: Growth
objectives:
  - title: Delight new users
    key_results:
      - Raise activation from 30% to {pct}% by June
"""


@pytest.fixture
def files(okr_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "growth.yaml").write_text(GROWTH.format(pct=40), encoding="utf-8")
    assert okr("import", "growth.yaml").exit_code == 0  # a new draft: nothing to ask
    (tmp_path / "growth.yaml").write_text(GROWTH.format(pct=55), encoding="utf-8")
    return tmp_path


def _versions(home: Path, name: str = "Growth") -> list[int]:
    return [v.number for v in drafts.history(Store.in_home(home), name)]


def _names(home: Path) -> list[str]:
    return [d.name for d in drafts.list_drafts(Store.in_home(home))]


def test_without_a_terminal_it_needs_a_flag(files: Path, okr_home: Path) -> None:
    result = okr("import", "growth.yaml")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "okr: growth.yaml: draft 'Growth' already exists; pass --as-version to import the"
        " file as its next version, or --as-new Growth-2 for a new draft"
    ]
    assert _versions(okr_home) == [1]


def test_as_version_adds_the_next_version(files: Path, okr_home: Path) -> None:
    result = okr("import", "growth.yaml", "--as-version")
    assert result.exit_code == 0, result.output
    assert "Growth: 1 version added (existing draft)" in result.stdout
    assert _versions(okr_home) == [2, 1]
    assert drafts.get_version(Store.in_home(okr_home), "Growth").source == "import"


def test_as_new_makes_a_new_draft_and_refuses_a_taken_name(files: Path, okr_home: Path) -> None:
    result = okr("import", "growth.yaml", "--as-new", "Growth v2")
    assert result.exit_code == 0, result.output
    assert _names(okr_home) == ["Growth", "Growth v2"] and _versions(okr_home) == [1]
    taken = okr("import", "growth.yaml", "--as-new", "Growth")
    assert taken.exit_code == 2
    assert "draft 'Growth' already exists; --as-new needs a name no draft has" in taken.stderr
    assert okr("import", "growth.yaml", "--as-new", "X", "--as-version").exit_code == 2


def test_the_same_content_again_asks_nothing(files: Path, okr_home: Path) -> None:
    (files / "growth.yaml").write_text(GROWTH.format(pct=40), encoding="utf-8")
    result = okr("import", "growth.yaml")
    assert result.exit_code == 0, result.output
    assert "0 versions added (existing draft, 1 already present)" in result.stdout


def test_naming_the_draft_with_draft_is_an_answer(files: Path, okr_home: Path) -> None:
    assert okr("import", "growth.yaml", "--draft", "Growth").exit_code == 0
    assert _versions(okr_home) == [2, 1]


def test_a_file_of_several_sets_is_all_or_nothing(files: Path, okr_home: Path) -> None:
    (files / "team.yaml").write_text(
        "sets:\n  - name: Fresh\n    objectives: []\n  - name: Growth\n    objectives: []\n",
        encoding="utf-8",
    )
    result = okr("import", "team.yaml")
    assert result.exit_code == 2
    assert "pass --as-version to import the file as its next version" in result.stderr
    assert "--as-new" not in result.stderr  # a new draft takes a single set
    assert _names(okr_home) == ["Growth"]  # Fresh was not created either


@pytest.mark.parametrize(
    ("answers", "names", "versions"),
    [
        ("v\n", ["Growth"], [2, 1]),
        ("n\nGrowth copy\n", ["Growth", "Growth copy"], [1]),
        ("n\n\n", ["Growth", "Growth-2"], [1]),
        ("c\n", ["Growth"], [1]),
    ],
)
def test_on_a_terminal_it_asks(
    files: Path,
    okr_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    answers: str,
    names: list[str],
    versions: list[int],
) -> None:
    monkeypatch.setattr(backup_cli, "stdin_is_terminal", lambda: True)
    result = okr("import", "growth.yaml", input=answers)
    assert result.exit_code == 0, result.output
    assert "Draft 'Growth' already exists." in result.stderr
    assert _names(okr_home) == names and _versions(okr_home) == versions
    if answers == "c\n":
        assert "Nothing was imported." in result.stderr


def test_the_input_ending_before_an_answer_imports_nothing(
    files: Path, okr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_cli, "stdin_is_terminal", lambda: True)
    result = okr("import", "growth.yaml", input="")
    assert result.exit_code == 2
    assert _versions(okr_home) == [1]


async def test_the_use_case_reports_the_clash_for_a_dialog(files: Path, okr_home: Path) -> None:
    """The TUI's import dialog gets the same choice from the App."""
    from assistant.app import bootstrap
    from assistant.services.drafts.backup import ExistingDraftError

    app = bootstrap(okr_home)
    try:
        with pytest.raises(ExistingDraftError) as info:
            await app.import_path(str(files / "growth.yaml"))
        assert (info.value.names, info.value.suggestion, info.value.sets) == (
            ["Growth"],
            "Growth-2",
            1,
        )
        added = await app.import_path(str(files / "growth.yaml"), existing="version")
        assert [(r.name, r.added) for r in added] == [("Growth", 1)]
    finally:
        app.close()
