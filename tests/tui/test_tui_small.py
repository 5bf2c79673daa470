"""The small ones at 80x24: undelete hints, the import path, Learn's o, Settings, template."""

from __future__ import annotations

from pathlib import Path

from conftest import notices, screen_text, seed, tui, wait_for
from textual.widgets import Input, RadioButton

from assistant.app import App
from assistant.services import drafts
from tui.screens.dialogs import ConfirmDialog, PromptDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.learn import LearnScreen
from tui.screens.settings import SettingsScreen


async def test_deleting_a_name_with_spaces_quotes_it_in_the_undelete_hint(
    core: App, weak_set
) -> None:
    seed(core, "Team Q3 plan", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: any("undelete" in n for n in notices(app)))
        assert any("okr undelete 'Team Q3 plan'" in n for n in notices(app)), notices(app)


async def test_the_import_dialog_starts_with_a_usable_path(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        value = app.screen.query_one(Input).value
        assert value and Path(value).is_dir()


async def test_o_on_the_primer_tab_does_not_open_the_hidden_selection(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen))
        await pilot.press("p")
        await pilot.press("o")
        await wait_for(pilot, lambda: any("Examples tab" in n for n in notices(app)))
        assert isinstance(app.screen, LearnScreen)
        assert drafts.list_drafts(core.store) == []


async def test_settings_names_the_selected_style_and_save_is_on_screen(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        assert "Save (ctrl+s)" in screen_text(app)
        app.screen.query_one("#style").focus()  # scrolls the form down to the styles
        await wait_for(
            pilot,
            lambda: any(
                "Balanced" in line and "selected" in line for line in screen_text(app).splitlines()
            ),
            what="the selected style named",
        )
        assert "Save (ctrl+s)" in screen_text(app)
        app.screen.query_one("#style-questions", RadioButton).value = True
        await wait_for(
            pilot,
            lambda: any(
                "Ask questions" in line and "selected" in line
                for line in screen_text(app).splitlines()
            ),
            what="the new selection named",
        )
        assert not any(
            "Balanced" in line and "selected" in line for line in screen_text(app).splitlines()
        )


async def test_a_draft_from_the_template_takes_the_drafts_name(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one(Input).value = "Platform team"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert drafts.get_version(core.store, "Platform team").okr_set.name == "Platform team"
        assert "name: Platform team" in app.screen.editor.text
