"""The editor: live hints, structure keys, explicit saves, leaving, dismissals."""

from __future__ import annotations

from conftest import notices, screen_text, seed, tui, wait_for
from textual.widgets import Input, ListView

from assistant.app import App
from assistant.services import dismissals, drafts
from tui.screens.dialogs import PromptDialog, UnsavedDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem


async def _open(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    await wait_for(pilot, lambda: editor.query_one(CritiquePanel).findings, what="findings")
    return editor


def _hint(app) -> str:
    return str(app.screen.query_one("#hint").render())


async def test_live_hints_follow_typing_and_parse_errors_show_inline(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        area = editor.editor
        # Cursor on KR1 ("Launch the new onboarding flow"): its first finding is the hint.
        area.move_cursor((4, 4))
        await wait_for(pilot, lambda: "O1.KR1" in _hint(app), what="KR1 hint")
        assert "KR-NO-NUMBER" in _hint(app)

        # Break the YAML: the one-line parse error replaces the hint.
        area.move_cursor((0, 0))
        await pilot.press("x", ":", " ", "[", "enter")
        await wait_for(pilot, lambda: "invalid YAML" in _hint(app), what="parse error")
        assert "cs:" in _hint(app) and "\n" not in _hint(app).strip()
        await wait_for(pilot, lambda: "fix the error" in screen_text(app), what="panel status")
        assert "fix the error" in screen_text(app)

        # Undo: the hints come back, and typing has not saved anything.
        for _ in range(5):
            await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: editor.hints.error is None, what="parses again")
        assert not editor.dirty
        assert len(drafts.history(core.store, "cs")) == 1


async def test_typing_a_measurable_kr_updates_scores_without_saving(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        before = editor.hints.critique.scores.measurability
        # ctrl+n adds a key result line under the one at the cursor, ready to type.
        editor.editor.move_cursor((6, 4))
        await pilot.press("ctrl+n")
        await pilot.press(*"Cut ")
        editor.editor.insert("churn from 9% to 5% by 30 Jun 2026")
        await wait_for(
            pilot,
            lambda: (
                editor.hints.okr_set is not None
                and len(editor.hints.okr_set.objectives[0].key_results) == 4
            ),
            what="new KR parsed",
        )
        assert editor.hints.okr_set.objectives[0].key_results[3].text == (
            "Cut churn from 9% to 5% by 30 Jun 2026"
        )
        assert editor.hints.critique.scores.measurability >= before
        assert editor.dirty and "●" in editor.sub_title
        assert len(drafts.history(core.store, "cs")) == 1

        # Explicit save: asks for a message, then a new version.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        assert app.screen.query_one(Input).value == "Edit O1"
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 2)
        latest = drafts.history(core.store, "cs")[0]
        assert (latest.number, latest.source, latest.message) == (2, "manual", "Edit O1")
        assert not editor.dirty


async def test_move_and_delete_key_results_with_keys(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)

        def krs() -> list[str]:
            okr_set = editor.hints.okr_set
            return [kr.text for kr in okr_set.objectives[0].key_results] if okr_set else []

        original = krs()
        editor.editor.move_cursor((6, 4))  # KR3
        await pilot.press("alt+up")
        await wait_for(pilot, lambda: krs() == [original[0], original[2], original[1]])
        assert editor.editor.cursor_location[0] == 5  # the cursor moved with the KR
        await pilot.press("alt+down")
        await wait_for(pilot, lambda: krs() == original)
        editor.editor.move_cursor((4, 4))  # KR1
        await pilot.press("alt+d")
        await wait_for(pilot, lambda: krs() == original[1:])
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: krs() == original)
        await pilot.press("ctrl+o")
        await pilot.press(*"Keep ")
        editor.editor.insert("every customer we win")
        await wait_for(
            pilot,
            lambda: editor.hints.okr_set is not None and len(editor.hints.okr_set.objectives) == 2,
        )
        assert editor.hints.okr_set.objectives[1].title == "Keep every customer we win"


async def test_leaving_with_unsaved_changes_asks(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        editor.editor.move_cursor((2, 9))
        # Esc right after typing, before the debounced hints ran, still asks.
        await pilot.press(*" fast", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("escape")  # cancel: stay, edits kept
        await wait_for(pilot, lambda: app.screen is editor)
        assert "fast" in editor.editor.text

        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("s")  # save, then leave
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert drafts.get_version(core.store, "cs").number == 2
        assert "fast" in drafts.get_version(core.store, "cs").okr_set.objectives[0].title

        # ctrl+q with unsaved edits asks too; discarding quits.
        await pilot.press("o")
        editor = await _open(pilot, app)
        await pilot.press("z")
        await wait_for(pilot, lambda: editor.dirty)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running, what="quit")
    assert drafts.get_version(core.store, "cs").number == 2


async def test_dismissed_suggestion_is_remembered_for_that_version(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.query_one(CritiquePanel)
        listing = panel.query_one(ListView)
        listing.focus()
        await wait_for(pilot, lambda: listing.has_focus and panel.selected is not None)
        target = panel.selected.finding
        count = len(panel.findings)
        await pilot.press("d")
        await wait_for(pilot, lambda: len(panel.findings) == count - 1, what="hidden")
        assert dismissals.finding_key(target) not in {
            dismissals.finding_key(f) for f in panel.findings
        }
        assert dismissals.dismissed(core.store, "cs", 1) == {dismissals.finding_key(target)}
        assert "1 dismissed" in screen_text(app)

    # A new session on the same version still hides it; u brings it back.
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.query_one(CritiquePanel)
        assert len(panel.findings) == count - 1
        panel.query_one(ListView).focus()
        await pilot.press("u")
        await wait_for(pilot, lambda: len(panel.findings) == count)
    assert dismissals.dismissed(core.store, "cs", 1) == set()


async def test_accepting_needs_a_saved_text_and_a_fresh_head(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.query_one(CritiquePanel)
        # Unsaved edits: accepting asks to save first.
        editor.editor.move_cursor((2, 9))
        await pilot.press("x")
        await wait_for(pilot, lambda: editor.dirty and "unsaved" in screen_text(app))
        panel.query_one(ListView).focus()
        await pilot.press("a")
        await wait_for(pilot, lambda: any("Save your edits first" in n for n in notices(app)))
        await pilot.press("f2", "ctrl+z")
        await wait_for(pilot, lambda: not editor.dirty)

        # Someone else saves meanwhile: the accept is refused, nothing is overwritten.
        other = weak_set.model_copy(deep=True)
        other.name = "Renamed elsewhere"
        drafts.save(core.store, "cs", other, "from another window", author="other")
        panel.query_one(ListView).focus()
        listing = panel.query_one(ListView)
        listing.index = next(
            i
            for i, item in enumerate(listing.children)
            if isinstance(item, FindingItem) and item.finding.code == "KR-NO-DEADLINE"
        )
        await pilot.press("e")
        await wait_for(pilot, lambda: app.screen is not editor)
        app.screen.query_one(Input).value = "Launch the new onboarding flow by 31 Mar 2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("someone saved in between" in n for n in notices(app)))
        assert [v.number for v in drafts.history(core.store, "cs")] == [2, 1]


async def test_panel_follows_edits_inside_a_key_result(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.query_one(CritiquePanel)

        def headings() -> list[str]:
            return [item.heading.plain for item in panel.query("GroupItem")]

        assert "O1.KR2 Significantly improve customer satisfaction" in headings()
        editor.editor.move_cursor((5, len("  - Significantly improve customer satisfaction")))
        editor.editor.insert(" scores")
        await wait_for(
            pilot,
            lambda: "O1.KR2 Significantly improve customer satisfaction scores" in headings(),
            what="heading updated",
        )
        vague = [f for f in panel.findings if f.code == "KR-VAGUE"]
        assert [f.evidence for f in vague] == ["Significantly"]


async def test_the_mouse_selects_and_dismisses_a_finding(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.query_one(CritiquePanel)
        count = len(panel.findings)
        first = panel.query(FindingItem).first()
        await pilot.press("f2")  # at 80 columns the critique is its own pane
        await wait_for(pilot, lambda: panel.display and first.region.height > 0)
        assert await pilot.click(first)
        await wait_for(pilot, lambda: panel.selected is first)
        assert await pilot.click("#act-dismiss")
        await wait_for(pilot, lambda: len(panel.findings) == count - 1)
        assert len(dismissals.dismissed(core.store, "cs", 1)) == 1
