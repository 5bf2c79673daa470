"""New drafts land in the editor unsaved; f4 offers alternative wordings of one KR
(a fake improve function stands in for the LLM: no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from conftest import notices, screen_text, seed, tui, wait_for
from textual.widgets import Input, OptionList

from assistant.app import App
from assistant.config import Settings
from assistant.domain.drafting import Improvement
from assistant.model import OKRSet, Rewrite, Scores
from assistant.services import drafting, drafting_llm, drafts
from tui.screens.dialogs import PromptDialog, UnsavedDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.editor_new import AlternativesDialog
from tui.screens.help import HelpScreen
from tui.screens.new_draft import GuidedScreen

GUIDED = {
    "objective": "Make onboarding effortless for new customers",
    "metric-1": "week-1 activation",
    "baseline-1": "32%",
    "target-1": "50%",
    "deadline-1": "31 Mar 2026",
}


def llm_settings() -> Settings:
    settings = Settings()
    settings.llm.base_url = "http://127.0.0.1:9/v1"  # local: "can be asked", never is
    return settings


async def guided_draft(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    await pilot.press("g")
    await wait_for(pilot, lambda: isinstance(app.screen, GuidedScreen))
    for widget_id, value in GUIDED.items():
        app.screen.query_one(f"#{widget_id}", Input).value = value
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    assert isinstance(editor, EditorScreen)
    return editor


async def test_guided_draft_is_unsaved_until_named_and_esc_asks(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        editor = await guided_draft(pilot, app)
        assert "Raise week-1 activation from 32% to 50% by 31 Mar 2026" in editor.editor.text
        assert editor.dirty and "unsaved" in str(editor.sub_title)
        assert drafts.list_drafts(core.store) == []
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("s")  # save: the name is asked, then v1 is stored and we leave
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        app.screen.query_one(Input).value = "onboarding"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    version = drafts.get_version(core.store, "onboarding")
    assert (version.number, version.source) == (1, "draft:interview")


async def test_discarding_an_unsaved_draft_stores_nothing(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await guided_draft(pilot, app)
        await pilot.press("ctrl+r")  # history is about stored versions: not yet
        await wait_for(pilot, lambda: any("save the new draft first" in n for n in notices(app)))
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
    assert drafts.list_drafts(core.store) == []


def fake_improvement(okr_set: OKRSet, kr_id: str) -> Improvement:
    def rewrite(text: str, delta: int, overall: int) -> Rewrite:
        return Rewrite(
            text=text,
            score_delta=delta,
            scores=Scores(clarity=3, measurability=3, ambition=3, overall=overall),
        )

    return Improvement(
        target=kr_id,
        text=okr_set.target_text(kr_id),
        scores=None,
        rewrites=(  # not sorted: the dialog sorts by score
            rewrite("Raise activation from [baseline] to [target] by [deadline]", 4, 70),
            rewrite("Raise week-1 activation of new users to [target] by [deadline]", 9, 85),
            rewrite("Onboard [target] new teams by [deadline]", -2, 50),
        ),
        engine="llm",
    )


async def open_on_kr(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    assert isinstance(editor, EditorScreen)
    row = editor.editor.text.split("\n").index(
        next(line for line in editor.editor.text.split("\n") if "Launch the new" in line)
    )
    editor.editor.move_cursor((row, 4))
    await wait_for(pilot, lambda: editor.hints.target_at(row) == "O1.KR1")
    return editor


async def test_alternatives_sorted_by_score_and_the_chosen_one_goes_into_the_text(
    build: Callable[..., App], weak_set: OKRSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    async def fake(okr_set: OKRSet, kr_id: str, settings: Settings, **_: object) -> Improvement:
        asked.append(kr_id)
        return fake_improvement(okr_set, kr_id)

    monkeypatch.setattr(drafting, "improve_kr", fake)
    core = build(llm_settings())
    seed(core, "weak", weak_set)
    async with tui(core, target="weak") as pilot:
        app = pilot.app
        editor = await open_on_kr(pilot, app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, AlternativesDialog))
        dialog = app.screen
        assert isinstance(dialog, AlternativesDialog)
        assert [r.score_delta for r in dialog.rewrites] == [9, 4, -2]
        text = screen_text(app)
        assert "+9" in text and "(85/100)" in text and "Alternatives for O1.KR1" in text
        options = dialog.query_one(OptionList)
        await wait_for(pilot, lambda: options.highlighted == 0)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.screen is editor)
        await wait_for(pilot, lambda: "Raise activation from [baseline]" in editor.editor.text)
        assert "Launch the new onboarding flow" not in editor.editor.text
        assert "Grow MRR to $80k" in editor.editor.text  # the rest of the text is kept
        await wait_for(pilot, lambda: editor.dirty)
    assert asked == ["O1.KR1"]
    assert drafts.get_version(core.store, "weak").number == 1  # unsaved until ctrl+s


async def test_esc_cancels_the_alternatives_request(
    build: Callable[..., App], weak_set: OKRSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = asyncio.Event()

    async def hanging(okr_set: OKRSet, kr_id: str, settings: Settings, **_: object) -> Improvement:
        started.set()
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    monkeypatch.setattr(drafting, "improve_kr", hanging)
    core = build(llm_settings())
    seed(core, "weak", weak_set)
    async with tui(core, target="weak") as pilot:
        app = pilot.app
        editor = await open_on_kr(pilot, app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: started.is_set() and editor.panel.is_busy)
        await pilot.press("escape")
        await wait_for(pilot, lambda: "Alternatives cancelled" in notices(app))
        assert app.screen is editor and not editor.panel.is_busy


async def test_rules_engine_offers_the_rules_rewrites(
    build: Callable[..., App], weak_set: OKRSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def no_llm(*_: object, **__: object) -> Improvement:
        raise AssertionError("the rules engine never asks the LLM")

    monkeypatch.setattr(drafting_llm, "improve", no_llm)
    settings = llm_settings()
    settings.engine = "rules"
    core = build(settings)
    seed(core, "weak", weak_set)
    async with tui(core, target="weak") as pilot:
        app = pilot.app
        editor = await open_on_kr(pilot, app)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, AlternativesDialog))
        assert "(rules)" in screen_text(app)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: "Launch the new onboarding flow by [deadline]" in editor.editor.text
        )


async def test_help_lists_the_alternatives_key(core: App, weak_set: OKRSet) -> None:
    seed(core, "weak", weak_set)
    async with tui(core, target="weak") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: "Alternatives for this KR" in screen_text(app))
