"""Importing and renaming from the drafts list at 80x24: the import dialog keeps the
path with the problem, expands ``~``, completes with Tab, and asks before adding a file
to a draft that exists; a renamed draft's set takes the new name."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import notices, screen_text, seed, tui, type_text, wait_for
from textual.widgets import Input

from assistant.app import App
from assistant.services import drafts
from tui.screens.dialogs import ConfirmDialog, ExistingDraftDialog, PathDialog, PromptDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen

TEAM = """name: Team
objectives:
  - title: Delight users
    key_results:
      - Raise NPS from 20 to 40 by 30 Jun 2026
"""


async def _import_dialog(pilot) -> PathDialog:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
    return app.screen


async def test_a_bad_path_keeps_the_dialog_and_what_was_typed(
    core: App, tmp_path: Path, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        dialog = await _import_dialog(pilot)
        field = dialog.query_one(Input)
        field.value = ""
        await type_text(pilot, str(tmp_path / "missing.yaml"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: "no such file" in screen_text(app), what="the problem")
        assert app.screen is dialog and field.value == str(tmp_path / "missing.yaml")
        # Typing on (to correct the path) reaches the field, never the list's keys.
        await type_text(pilot, "dd")
        assert app.screen is dialog and field.value.endswith("missing.yamldd")
        assert [d.name for d in drafts.list_drafts(core.store)] == ["cs"]


async def test_tilde_is_the_home_folder_and_tab_completes(
    core: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "okrs").mkdir()
    (tmp_path / "okrs" / "team-okrs.yaml").write_text(TEAM, encoding="utf-8")
    (tmp_path / "okrs" / "team-notes.md").write_text("# notes\n", encoding="utf-8")
    async with tui(core) as pilot:
        app = pilot.app
        dialog = await _import_dialog(pilot)
        field = dialog.query_one(Input)
        field.value = "~/ok"
        await pilot.press("tab")
        await wait_for(pilot, lambda: field.value == f"{tmp_path}/okrs/", what="the folder")
        await type_text(pilot, "te")
        await pilot.press("tab")
        await wait_for(pilot, lambda: field.value == f"{tmp_path}/okrs/team-")
        await wait_for(pilot, lambda: "team-notes.md" in screen_text(app), what="the matches")
        assert "team-okrs.yaml" in screen_text(app) and field.has_focus
        field.value = "~/okrs/team-okrs.yaml"  # ~ typed, as a person would
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="imported")
        assert app.screen.draft == "Team"


async def test_a_file_naming_an_existing_draft_asks_first(core: App, tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    async with tui(core) as pilot:
        app = pilot.app
        await _import_dialog(pilot)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="first import")
        await pilot.press("escape")
        path.write_text(TEAM.replace("20 to 40", "20 to 45"), encoding="utf-8")

        # Cancel: nothing imported.
        await _import_dialog(pilot)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExistingDraftDialog))
        shown = screen_text(app)
        assert "A draft named 'Team' exists" in shown and "New draft (n)" in shown
        assert "v New version of it" in shown.splitlines()[-1]  # its own keys
        await pilot.press("c")
        await wait_for(pilot, lambda: "Nothing was imported" in notices(app))
        assert len(drafts.history(core.store, "Team")) == 1

        # A new draft, under the free name it suggests.
        await _import_dialog(pilot)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExistingDraftDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog)
                       and not isinstance(app.screen, PathDialog))  # fmt: skip
        suggested = app.screen.query_one(Input).value
        assert suggested and suggested != "Team"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.draft == suggested
        await pilot.press("escape")
        assert len(drafts.history(core.store, "Team")) == 1

        # Its next version.
        await _import_dialog(pilot)
        app.screen.query_one(Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ExistingDraftDialog))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert len(drafts.history(core.store, "Team")) == 2
        assert "20 to 45" in drafts.get_version(core.store, "Team").okr_set.objectives[0]\
            .key_results[0].text  # fmt: skip


async def test_renaming_a_draft_renames_its_set(core: App, weak_set) -> None:
    weak_set.name = "Alpha"
    seed(core, "Alpha", weak_set)
    seed(core, "Beta", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "Beta" in screen_text(app))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        field = app.screen.query_one(Input)
        assert field.value == "Alpha"
        field.value = "Beta"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "exists already" in screen_text(app), what="refused")
        field.value = "Growth team"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Growth team" in screen_text(app), what="renamed")
        assert any("Renamed Alpha to Growth team" in n for n in notices(app))
    names = [d.name for d in drafts.list_drafts(core.store)]
    assert sorted(names) == ["Beta", "Growth team"]
    renamed = drafts.get_version(core.store, "Growth team")
    assert renamed.okr_set.name == "Growth team" and renamed.number == 2


async def test_esc_on_a_typed_path_asks_before_throwing_it_away(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        dialog = await _import_dialog(pilot)
        await pilot.press("escape")  # nothing typed yet: it just closes
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        dialog = await _import_dialog(pilot)
        await type_text(pilot, "okrs/team.yaml")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is dialog)
        assert dialog.query_one(Input).value.endswith("okrs/team.yaml")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
