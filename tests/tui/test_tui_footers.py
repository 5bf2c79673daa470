"""Each screen's footer shows the keys that act there now (at 80x24): a key that cannot
act leaves the footer and, pressed, says why in one line (never only the bell); a dialog
shows its own keys; every key is in the footer or the command palette."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import notices, screen_text, seed, tui, type_text, wait_for
from textual.app import App as TextualApp
from textual.widgets import DataTable, Input

from assistant.app import App
from tui.screens.dialogs import ConfirmDialog, PathDialog, PromptDialog
from tui.screens.drafts import NO_DRAFT, DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.history import HistoryScreen
from tui.screens.learn import LearnScreen
from tui.screens.new_draft import GuidedScreen, IdeaScreen
from tui.screens.settings import SettingsScreen


@pytest.fixture
def bells(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every bell the app rings (none is the only answer a key may get)."""
    rung: list[int] = []
    monkeypatch.setattr(TextualApp, "bell", lambda self: rung.append(1))
    yield rung


def footer(app: TextualApp) -> str:
    return screen_text(app).splitlines()[-1]


def undiscoverable(app: TextualApp) -> list[str]:
    """The keys acting on the screen now that are neither in its footer (as drawn) nor
    in the command palette, with their description; and a footer cut short."""
    screen = app.screen
    line = footer(app)
    palette = app.COMMAND_PALETTE_BINDING in screen.active_bindings  # not in dialogs
    cut = palette and not line.rstrip().endswith("^p palette")
    problems = [f"footer cut: {line!r}"] if cut else []
    commands = {command.title for command in app.get_system_commands(screen)}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not active.enabled or key == app.COMMAND_PALETTE_BINDING:
            continue
        if not binding.description:
            problems.append(f"{key}: no description")
        elif binding.show:
            label = binding.group.description if binding.group else binding.description
            if label not in line:
                problems.append(f"{key} {label!r} not in the footer {line!r}")
        elif binding.description not in commands and "Help" not in binding.description:
            problems.append(f"{key} {binding.description!r} neither in footer nor palette")
    return problems


async def test_an_empty_list_shows_no_key_that_needs_a_draft(core: App, bells) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "No drafts yet" in screen_text(app))
        line = footer(app)
        assert "New" in line and "Import" in line and "Idea" in line and "Guided" in line
        for needs_a_draft in ("Open", "History", "Cycle"):
            assert needs_a_draft not in line, line
        assert undiscoverable(app) == []
        for key in ("o", "h", "c", "d", "r"):
            await pilot.press(key)
        await wait_for(pilot, lambda: notices(app).count(NO_DRAFT) == 5, what="five reasons")
        assert isinstance(app.screen, DraftsScreen) and bells == []


async def test_a_list_of_drafts_shows_its_keys_and_the_palette_the_others(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "Open" in footer(app), what="the draft's keys")
        line = footer(app)
        for shown in ("o Open", "n New", "a Idea", "g Guided", "i Import", "c Cycle", "h History"):
            assert shown in line, line
        assert undiscoverable(app) == []
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "key r" in commands["Rename the draft"].help
        assert "key d" in commands["Delete the draft"].help
        # A command runs what its key does.
        await commands["Rename the draft"].callback()
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog), what="rename")
        assert app.screen.query_one(Input).value == "cs"


async def test_dialogs_show_their_own_keys(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "Open" in footer(app))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await wait_for(pilot, lambda: "y Yes" in footer(app), what="the dialog's footer")
        assert "n No" in footer(app) and "Open" not in footer(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        await wait_for(pilot, lambda: "tab Complete" in footer(app), what="the path's keys")
        assert "esc Cancel" in footer(app) and "Import" not in footer(app)
        assert undiscoverable(app) == []


async def test_from_an_idea_without_a_key_shows_no_key_that_cannot_act(core: App, bells) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaScreen))
        await wait_for(pilot, lambda: "esc Back" in footer(app))
        assert "Draft it" not in footer(app) and "Open in editor" not in footer(app)
        assert "works offline" in screen_text(app)  # the screen says why, up front
        await type_text(pilot, "Make onboarding effortless")
        await pilot.press("ctrl+g", "ctrl+s")
        await wait_for(pilot, lambda: len(notices(app)) == 2, what="two reasons")
        assert "OPENAI_API_KEY" in notices(app)[0] and "ctrl+g drafts" in notices(app)[1]
        assert bells == [] and undiscoverable(app) == []

        # Esc asks before the typed idea is thrown away.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaScreen))
        assert "Make onboarding effortless" in app.screen.idea
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))


async def test_the_guided_form_asks_before_throwing_answers_away(core: App, bells) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedScreen))
        form = app.screen
        await wait_for(pilot, lambda: "esc Back" in footer(app))
        assert "Open in editor" not in footer(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any("at least one key result" in n for n in notices(app)))
        await type_text(pilot, "Make onboarding effortless")
        form.query_one("#metric-1", Input).value = "week-1 activation"
        await wait_for(pilot, lambda: "Open in editor" in footer(app), what="ctrl+s acts now")

        # Ctrl-q (and the palette's Drafts) ask too, like Esc.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#objective", Input).value == "Make onboarding effortless"
        app.action_drafts()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert bells == []


async def test_learn_shows_the_tab_keys_that_act(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen))
        await wait_for(pilot, lambda: "Open as draft" in footer(app))
        assert "Primer" in footer(app) and "Examples" not in footer(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: "Examples" in footer(app), what="the other tab's key")
        assert "Open as draft" not in footer(app) and "p Primer" not in footer(app)
        assert undiscoverable(app) == []


async def test_history_offers_restore_only_on_an_older_version(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    weak_set.objectives[0].title = "Grow revenue from new customers"
    seed(core, "cs", weak_set, "second")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: "Open" in footer(app))
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 2, what="two versions")
        await wait_for(pilot, lambda: "Mark for diff" in footer(app))
        assert "Restore" not in footer(app)  # v2 is the latest
        await pilot.press("r")
        await wait_for(pilot, lambda: any("latest version already" in n for n in notices(app)))
        await pilot.press("down")
        await wait_for(pilot, lambda: "Restore" in footer(app), what="restore for v1")
        assert undiscoverable(app) == []


async def test_the_editor_hides_the_coach_without_a_key(core: App, weak_set, bells) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await wait_for(pilot, lambda: "Save" in footer(app))
        assert "Coach" not in footer(app) and "f2 Findings" in footer(app)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("OPENAI_API_KEY" in n for n in notices(app)))
        assert bells == [] and undiscoverable(app) == []


async def test_settings_ask_before_throwing_a_change_away(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await pilot.press("escape")  # nothing changed: back at once
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        settings = app.screen
        settings.query_one("#model", Input).value = "gpt-4.1-mini"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is settings)
        assert settings.query_one("#model", Input).value == "gpt-4.1-mini"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
