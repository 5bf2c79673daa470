"""Nothing typed or decided in the TUI is lost (80x24): F2 back from the findings
types where the quote was instead of over it, a review change that adds a key result
adds one, a restore over unsaved edits offers to keep them, and a dismissal holds at
the next version while its target's text is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import screen_text, seed, tui, type_text, wait_for
from llm.fake_server import FakeOpenAI
from textual.widgets import Input, ListView

from assistant.app import App
from assistant.config import Settings
from assistant.services import dismissals, drafts
from tui.screens.dialogs import PromptDialog, RewriteDialog
from tui.screens.editor import EditorScreen
from tui.screens.history import HistoryScreen, RestoreEditsDialog
from tui.screens.review import ReviewScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem


async def _editor(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="editor")
    editor = app.screen
    panel = editor.query_one(CritiquePanel)
    await wait_for(pilot, lambda: len(panel.findings) > 0, what="rules findings")
    return editor


async def test_f2_back_to_the_text_types_at_the_quote_never_over_it(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        text = editor.editor
        await pilot.press("f2", "down")  # browse the findings: O1.KR1's quotes its text
        quote = "Launch the new onboarding flow"
        await wait_for(pilot, lambda: text.selected_text == quote, what="the quote selected")
        await pilot.press("f2")
        await wait_for(pilot, lambda: text.has_focus, what="back in the text")
        assert text.selected_text == ""
        await pilot.press("x")
        await wait_for(pilot, lambda: editor.dirty)
        assert "  - xLaunch the new onboarding flow\n" in text.text
        assert "xLaunch the new onboarding flow" in screen_text(app)


# --- a review change that adds a key result ------------------------------------------------

GUARDRAIL = "Keep NPS at 45 or above while revenue grows"


def _guardrail_review(body: dict[str, Any]) -> dict[str, Any]:
    """A review whose facilitator asks for a guardrail key result on O1 (the way models
    write it: the objective as target, the new key result as its "rewrite")."""
    text = next(str(m["content"]) for m in body["messages"] if m["role"] == "user")
    if text.startswith("Round 1"):
        point = {
            "target": "O1",
            "code": "LLM-NO-GUARDRAIL",
            "evidence": "Increase revenue",
            "point": "Nothing says what must not get worse while revenue is pushed.",
        }
        return {"points": [point], "questions": []}
    if text.startswith("Round 2"):
        return {"replies": []}
    change = {
        "target": "O1",
        "change": "Add a guardrail key result so revenue is not bought with unhappy customers.",
        "evidence": "Increase revenue",
        "rewrite": GUARDRAIL,
    }
    return {"agreements": [], "disagreements": [], "top_changes": [change], "open_questions": []}


async def test_accepting_a_review_change_that_adds_a_key_result_adds_one(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    with FakeOpenAI(answer=_guardrail_review) as server:
        settings = Settings(engine="llm")
        settings.llm.base_url = server.base_url
        core = build(settings)
        seed(core, "cs", weak_set)
        async with tui(core, target="cs") as pilot:
            app = pilot.app
            await _editor(pilot, app)
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="review")
            screen = app.screen
            await wait_for(pilot, lambda: screen.review is not None, what="the review's answer")
            shown = str(screen.query_one("#synthesis-text").render())
            assert f"new key result: {GUARDRAIL}" in shown
            await pilot.press("1")
            await wait_for(pilot, lambda: len(drafts.history(core.store, "cs")) == 2, what="v2")
            head = drafts.get_version(core.store, "cs").okr_set
            objective = head.objectives[0]
            assert objective.title == "Increase revenue by 20%"  # the title stays
            assert [kr.text for kr in objective.key_results] == [
                *(kr.text for kr in weak_set.objectives[0].key_results),
                GUARDRAIL,
            ]
            await wait_for(pilot, lambda: screen.review.accepted == {1: 2}, what="recorded")
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            await wait_for(pilot, lambda: app.screen.version == 2, what="the editor at v2")
            assert "title: Increase revenue by 20%" in app.screen.editor.text
            assert f"- {GUARDRAIL}" in app.screen.editor.text


# --- restoring a version under unsaved edits -------------------------------------------------

DATED = "Launch the new onboarding flow by 30 Jun 2026"
TYPED = " by 31 Mar 2026"


async def _restore_v1_over_edits(pilot, app, core: App, weak_set) -> EditorScreen:
    """The editor at v2 with an edit typed (unsaved), then r on v1 in the history."""
    editor = await _editor(pilot, app)
    assert editor.version == 2
    lines = editor.editor.text.split("\n")
    row = next(i for i, line in enumerate(lines) if "Significantly improve" in line)
    editor.editor.move_cursor((row, len(lines[row])))
    await type_text(pilot, TYPED)
    await wait_for(pilot, lambda: editor.dirty, what="unsaved")
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="history")
    history = app.screen
    await wait_for(pilot, lambda: len(history.versions) == 2, what="versions")
    await pilot.press("down", "r")
    await wait_for(pilot, lambda: isinstance(app.screen, RestoreEditsDialog), what="asked")
    shown = screen_text(app)
    assert "unsaved edits" in shown and "Keep my edits (k)" in shown and "New draft (n)" in shown
    return editor


def _two_versions(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    drafts.save(core.store, "cs", weak_set.with_text("O1.KR1", DATED), "dated", author="t")


async def test_restoring_under_unsaved_edits_keeps_them_on_the_restored_version(
    core: App, weak_set
) -> None:
    _two_versions(core, weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _restore_v1_over_edits(pilot, app, core, weak_set)
        typed = editor.editor.text
        await pilot.press("k")
        await wait_for(pilot, lambda: editor.version == 3, what="based on the restored v3")
        restored = drafts.get_version(core.store, "cs")
        assert (restored.number, restored.source) == (3, "restore")
        assert restored.okr_set.content() == weak_set.content()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor, what="back in the editor")
        assert editor.editor.text == typed and editor.dirty  # kept as typed, still unsaved
        assert "cs @ v3 ●" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog), what="message")
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 4, what="saved on v3")
        assert not editor.dirty
    saved = drafts.get_version(core.store, "cs")
    kr_texts = [kr.text for kr in saved.okr_set.objectives[0].key_results]
    assert kr_texts[1] == "Significantly improve customer satisfaction" + TYPED
    assert kr_texts[0] == DATED  # the text as typed (on v2's) is what was saved


async def test_restoring_under_unsaved_edits_can_save_them_as_a_new_draft(
    core: App, weak_set
) -> None:
    _two_versions(core, weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _restore_v1_over_edits(pilot, app, core, weak_set)
        typed = editor.editor.text
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog), what="name")
        assert app.screen.query_one(Input).value == "cs edits"
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 3, what="the restore loaded")
        assert not editor.dirty
        assert "Significantly improve customer satisfaction\n" in editor.editor.text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
    edits = drafts.get_version(core.store, "cs edits")
    assert edits.number == 1
    assert drafts.yaml_text(edits.okr_set, edits.text, edits.text_format) == typed
    assert drafts.get_version(core.store, "cs").okr_set.content() == weak_set.content()


async def test_cancelling_a_restore_under_unsaved_edits_changes_nothing(
    core: App, weak_set
) -> None:
    _two_versions(core, weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _restore_v1_over_edits(pilot, app, core, weak_set)
        typed = editor.editor.text
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen), what="closed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.editor.text == typed and editor.version == 2 and editor.dirty
    assert drafts.get_version(core.store, "cs").number == 2


# --- a dismissal at the next version ----------------------------------------------------------


async def test_a_dismissal_holds_at_the_next_version_while_its_target_reads_the_same(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        panel = editor.panel
        listing = panel.query_one(ListView)
        await pilot.press("f2")
        await wait_for(pilot, lambda: panel.selected is not None)
        kept = panel.selected.finding  # O1's OBJ-HAS-NUMBER: O1 is not touched below
        assert (kept.target, kept.code) == ("O1", "OBJ-HAS-NUMBER")
        await pilot.press("d")
        await wait_for(pilot, lambda: kept not in panel.findings, what="dismissed")
        listing.index = next(
            i
            for i, card in enumerate(listing.children)
            if isinstance(card, FindingItem)
            and (card.finding.target, card.finding.code) == ("O1.KR3", "KR-COMPOUND")
        )
        gone = panel.selected.finding  # on O1.KR3, which the review change rewrites
        await pilot.press("d")
        await wait_for(pilot, lambda: "2 dismissed" in screen_text(app), what="two dismissed")

        # A new version made elsewhere than the editor: a peer-review change on O1.KR3.
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen), what="review")
        review = app.screen
        await wait_for(pilot, lambda: review.review is not None, what="the review")
        assert review.review.synthesis.top_changes[1].target == "O1.KR3"
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        app.screen.query_one(Input).value = "Grow MRR from $50k to $80k by 30 Jun 2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: review.review.accepted == {2: 2}, what="accepted")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor and editor.version == 2, what="v2")
        await wait_for(pilot, lambda: panel.findings, what="findings of v2")
        shown = {(f.target, f.code) for f in panel.findings}
        assert ("O1", "OBJ-HAS-NUMBER") not in shown  # O1 reads the same: still dismissed
        assert "1 dismissed" in screen_text(app)
    key = core.finding_key
    assert dismissals.dismissed(core.store, "cs", 2) == {key(kept)}  # not O1.KR3's: it changed
    assert key(gone) in dismissals.dismissed(core.store, "cs", 1)
