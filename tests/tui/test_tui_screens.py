"""Every screen opens at 80x24 and does its job: drafts, learn, settings, palette."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import notices, screen_text, seed, tui, wait_for
from textual.widgets import Input, RadioButton, Select, TabbedContent

from assistant.app import App
from assistant.config import load_settings
from assistant.errors import UsageError
from assistant.model import KeyResult, Objective, OKRSet
from assistant.rubric.critic import critique_set
from assistant.services import drafts
from tui.screens.dialogs import ConfirmDialog, PromptDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.history import HistoryScreen
from tui.screens.learn import LearnScreen
from tui.screens.settings import SettingsScreen

HOSTILE = OKRSet(
    name="[bold]Ops[/]",
    objectives=[
        Objective(
            title="Make [red]support[/red] effortless",
            key_results=[
                KeyResult(text="Grow [bold]NPS[/] from 20 to 40 by 30 Jun 2026"),
                KeyResult(text="Improve [link=https://evil.example]the docs[/link]"),
            ],
        )
    ],
)


async def test_drafts_screen_lists_scores_and_last_change(core: App, weak_set) -> None:
    seed(core, "alpha", weak_set, "first cut")
    seed(core, "beta", weak_set, "first cut")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await wait_for(pilot, lambda: "beta" in screen_text(app), what="the drafts")
        shown = screen_text(app)
        score = str(critique_set(weak_set).scores.overall)
        for expected in ("alpha", "beta", score, "first cut", "just now"):
            assert expected in shown
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.draft == "beta"


async def test_new_draft_from_template(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one(Input).value = "Q1 platform"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert "Make onboarding effortless for new customers" in app.screen.editor.text
    version = drafts.get_version(core.store, "Q1 platform")
    assert (version.number, version.source) == (1, "import")
    assert version.okr_set.cycle == "2026-Q1"


async def test_new_draft_refuses_an_existing_name(core: App, weak_set) -> None:
    seed(core, "taken", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one(Input).value = "taken"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "exists already" in screen_text(app))
        assert isinstance(app.screen, PromptDialog)
    assert len(drafts.history(core.store, "taken")) == 1


async def test_import_a_file_and_a_bad_file(core: App, tmp_path: Path) -> None:
    good = tmp_path / "team.yaml"
    good.write_text(
        "name: Team\nobjectives:\n  - title: Delight users\n    key_results:\n"
        "      - Raise NPS from 20 to 40 by 30 Jun 2026\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [oops\n", encoding="utf-8")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        dialog = app.screen
        dialog.query_one(Input).value = str(bad)
        await pilot.press("enter")
        # The problem is said in the dialog, which keeps the path to correct.
        await wait_for(pilot, lambda: "invalid YAML" in screen_text(app), what="the problem")
        assert app.screen is dialog and dialog.query_one(Input).value == str(bad)
        assert f"{bad.name}:" in screen_text(app) and app.is_running

        dialog.query_one(Input).value = str(good)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        assert app.screen.draft == "Team"
    assert drafts.get_version(core.store, "Team").source == "import"


async def test_delete_asks_for_confirmation(core: App, weak_set) -> None:
    seed(core, "doomed", weak_set)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert [d.name for d in drafts.list_drafts(core.store)] == ["doomed"]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: "No drafts yet" in screen_text(app))
    assert drafts.list_drafts(core.store) == []
    assert [d.name for d in drafts.list_drafts(core.store, deleted=True)] == ["doomed"]


async def test_learn_screen_primer_and_examples(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen))
        shown = screen_text(app)
        assert "GOOD" in shown and "Make onboarding effortless" in shown
        await pilot.press("down", "down", "down")
        await wait_for(pilot, lambda: "WEAK" in screen_text(app))
        assert "Launch the new onboarding flow" in screen_text(app)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.screen.query_one(TabbedContent).active == "primer")
        await wait_for(pilot, lambda: "key result" in screen_text(app).lower())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))


async def test_settings_are_saved_and_the_key_is_masked(
    core: App, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-1234567890abcd")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        screen = app.screen
        shown = screen_text(app)
        assert "sk-…abcd" in shown and "1234567890" not in shown
        screen.query_one("#engine", Select).value = "rules"
        screen.query_one("#model", Input).value = "gpt-4.1-mini"
        screen.query_one("#base-url", Input).value = "http://localhost:8080/v1"
        screen.query_one("#style-questions", RadioButton).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    saved = load_settings()
    assert (saved.engine, saved.style) == ("rules", "questions")
    assert (saved.llm.model, saved.llm.base_url) == ("gpt-4.1-mini", "http://localhost:8080/v1")
    config = (home / "config.toml").read_text(encoding="utf-8")
    assert "sk-test" not in config
    assert app.settings.engine == "rules"


async def test_engine_rules_turns_the_coach_off(build: Callable[..., App], weak_set) -> None:
    settings = load_settings()
    settings.engine = "rules"
    core = build(settings)
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("'rules'" in n for n in notices(app)))
        assert not app.screen.query_one("CritiquePanel").is_busy


async def test_markup_in_okr_text_renders_literally(core: App) -> None:
    seed(core, "[bold]Ops[/]", HOSTILE)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert "[bold]Ops[/]" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        await wait_for(pilot, lambda: editor.query_one("CritiquePanel").findings)
        editor.query_one("#findings").focus()
        await pilot.press("down", "down", "down")
        await wait_for(pilot, lambda: "docs[/link]" in screen_text(app), what="the KR2 card")
        shown = screen_text(app)
        assert "[bold]Ops[/]" in shown  # the title bar
        assert "[link=https://evil.example]the" in shown and "docs[/link]" in shown
        editor.editor.move_cursor((4, 6))
        await wait_for(pilot, lambda: "O1.KR2" in screen_text(app))
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        assert "[bold]Ops[/]" in screen_text(app)


async def test_command_palette_offers_the_app_commands(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Save version", "Ask the coach", "History", "Learn", "Settings"} <= titles
        await pilot.press("ctrl+p")
        await pilot.press(*"history")
        await wait_for(pilot, lambda: "History" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))


async def test_open_target_imports_files_and_rejects_unknown_names(
    core: App, tmp_path: Path, weak_set
) -> None:
    """``okr tui FILE|DRAFT``: the App's ``open_target`` use case."""
    seed(core, "cs", weak_set)
    assert await core.open_target("cs") == "cs"
    path = tmp_path / "okrs.yaml"
    path.write_text(
        "objectives:\n- title: Delight users\n  key_results:\n  - Raise NPS from 20 to 40\n",
        encoding="utf-8",
    )
    assert await core.open_target(str(path)) == "okrs"
    assert await core.open_target(str(path)) == "okrs"  # unchanged: no second version
    assert len(drafts.history(core.store, "okrs")) == 1
    with pytest.raises(UsageError, match="no such file or draft"):
        await core.open_target("nope")
