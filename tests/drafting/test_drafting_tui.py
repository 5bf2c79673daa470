"""The TUI's "New draft → guided" (the interview as a form, checked as you type) and
"→ from an idea" (the LLM via the local fake endpoint), both landing in the editor."""

from __future__ import annotations

from pathlib import Path

from llm.fake_server import FakeOpenAI
from textual.widgets import Input, Static, TextArea
from tui_pilot import tui, wait_for

from assistant.app import App, bootstrap
from assistant.config import Settings
from assistant.services import drafts
from tui.screens.dialogs import PromptDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.new_draft import GuidedScreen, IdeaScreen


def shown(screen, widget_id: str) -> str:
    return str(screen.query_one(f"#{widget_id}", Static).render())


async def name_it(pilot, app, name: str) -> None:
    """The draft lands in the editor unsaved; the first ctrl+s names it and stores v1."""
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    assert editor.dirty and "unsaved" in str(editor.sub_title)
    assert name not in {d.name for d in drafts.list_drafts(app.core.store)}
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
    app.screen.query_one(Input).value = name
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen is editor and editor.outcome is None)
    assert not editor.dirty and editor.draft == name


async def test_guided_form_checks_each_answer_and_lands_in_the_editor(app: App) -> None:
    core = app  # the App of the data home (conftest)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, GuidedScreen))
        screen = app.screen
        values = {
            "objective": "Make onboarding effortless for new customers",
            "metric-1": "better onboarding",
            "baseline-1": "32%",
            "target-1": "50%",
            "deadline-1": "31 Mar 2026",
        }
        for widget_id, value in values.items():
            screen.query_one(f"#{widget_id}", Input).value = value
        await wait_for(pilot, lambda: "not a measure yet" in shown(screen, "check-1"))
        assert "'better onboarding' is not a measure yet: what would you count?" in shown(
            screen, "check-1"
        )
        screen.query_one("#metric-1", Input).value = "week-1 activation"
        row2 = {"metric-2": "median time to first dashboard", "baseline-2": "3 days",
                "target-2": "1", "deadline-2": "2026-03-31"}  # fmt: skip
        for widget_id, value in row2.items():
            screen.query_one(f"#{widget_id}", Input).value = value
        await wait_for(
            pilot, lambda: "Raise week-1 activation from 32% to 50%" in shown(screen, "check-1")
        )
        await wait_for(pilot, lambda: "overall 100/100" in shown(screen, "guided-preview"))
        assert "from 3 days to 1 day by 31 Mar 2026" in shown(screen, "check-2")
        await pilot.press("ctrl+s")
        await name_it(pilot, app, "onboarding")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert "Raise week-1 activation from 32% to 50% by 31 Mar 2026" in editor.editor.text
    version = drafts.get_version(core.store, "onboarding")
    assert (version.number, version.source) == (1, "draft:interview")


async def test_idea_screen_drafts_with_the_llm_and_lands_in_the_editor(
    okr_home: Path, fake: FakeOpenAI, settings: Settings
) -> None:
    fake.answer = lambda body: {
        "name": None,
        "objectives": [
            {
                "title": "Make onboarding effortless for new customers",
                "key_results": [
                    "Raise week-1 activation from 32% to 55% by [deadline]",
                    "Cut median time to first dashboard from [baseline] to [target] by [deadline]",
                ],
            }
        ],
        "questions": ["How long does the first dashboard take today?"],
    }
    core = bootstrap(okr_home, settings)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, IdeaScreen))
        screen = app.screen
        assert isinstance(screen, IdeaScreen)
        screen.query_one(TextArea).text = "We lose half of new users in week one; 32% activate."
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: screen.outcome is not None)
        preview = shown(screen, "idea-preview")
        assert "to [target]% by [deadline]" in preview  # 55 was never written: a placeholder
        assert "numbers you never wrote (55)" in preview
        await pilot.press("ctrl+s")
        await name_it(pilot, app, "from-idea")
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        assert "Raise week-1 activation from 32% to [target]%" in editor.editor.text
    version = drafts.get_version(core.store, "from-idea")
    core.close()
    assert (version.number, version.source) == (1, "draft:llm")
    assert len(fake.chat_requests()) == 1
