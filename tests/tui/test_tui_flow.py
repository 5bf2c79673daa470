"""The main flow a user goes through, end to end in a headless app at 80x24."""

from __future__ import annotations

from conftest import screen_text, seed, tui, wait_for
from textual.widgets import DataTable, Input, ListView

from assistant.app import App
from assistant.rubric.critic import critique_set
from assistant.services import drafts
from assistant.services.learn import example
from tui.screens.dialogs import ConfirmDialog, PromptDialog, RewriteDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.history import HistoryScreen
from tui.screens.learn import LearnScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem


def _highlight(panel: CritiquePanel, code: str, target: str) -> None:
    listing = panel.query_one(ListView)
    for index, child in enumerate(listing.children):
        if (
            isinstance(child, FindingItem)
            and child.finding.code == code
            and child.finding.target == target
        ):
            listing.index = index
            return
    raise AssertionError(f"no {code} on {target} in the panel")


async def test_open_example_critique_accept_diff_restore(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        assert "No drafts yet" in screen_text(app)

        # Learn → the weak example → open it as a new draft.
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LearnScreen))
        learn = app.screen
        examples = learn.query_one("#example-list", ListView)
        examples.index = next(
            i for i, item in enumerate(examples.children) if item.example.slug == "weak-first-draft"
        )
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        assert app.screen.query_one(Input).value == "Customer Success (draft)"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        assert [type(s).__name__ for s in app.screen_stack][-2:] == ["DraftsScreen", "EditorScreen"]

        # The rules critique is there: scores and grouped findings.
        panel = editor.query_one(CritiquePanel)
        await wait_for(pilot, lambda: len(panel.findings) >= 5, what="findings")
        await pilot.press("f2")  # at 80 columns the critique is its own pane
        await wait_for(pilot, lambda: "measurability" in screen_text(app), what="the panel")
        shown = screen_text(app)
        weak = critique_set(example("weak-first-draft").okr_set).scores.overall
        assert f"{weak}/100" in shown and "measurability" in shown
        assert {f.code for f in panel.findings} >= {"KR-ACTIVITY", "KR-VAGUE", "OBJ-HAS-NUMBER"}

        # Accept the deadline suggestion for KR2: it has a blank, so the rewrite dialog
        # opens with the text to fill in.
        _highlight(panel, "KR-NO-DEADLINE", "O1.KR2")
        await wait_for(
            pilot, lambda: panel.selected and panel.selected.finding.code == "KR-NO-DEADLINE"
        )
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        field = app.screen.query_one(Input)
        assert field.value == "Significantly improve customer satisfaction by [deadline]"
        field.value = "Raise CSAT from 72% to 85% by 30 Jun 2026"
        await wait_for(pilot, lambda: "score change if accepted: +" in screen_text(app))
        assert "score change if accepted: +" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 2, what="v2")

        versions = drafts.history(core.store, "Customer Success (draft)")
        assert [(v.number, v.source) for v in versions] == [(2, "accept:rules"), (1, "import")]
        assert versions[0].scores.overall > versions[1].scores.overall
        head = drafts.get_version(core.store, "Customer Success (draft)")
        assert (
            head.okr_set.objectives[0].key_results[1].text
            == "Raise CSAT from 72% to 85% by 30 Jun 2026"
        )
        assert "Raise CSAT from 72% to 85%" in editor.editor.text
        assert not editor.dirty

        # History: trend, the diff of v1 → v2, then restore v1 as v3.
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        shown = screen_text(app)
        assert "accept:rules" in shown and f"{weak} → " in shown
        assert "Significantly improve customer satisfaction" in shown  # the old text, in the diff
        assert "Raise CSAT from 72% to 85%" in shown

        history.query_one(DataTable).move_cursor(row=1)  # v1
        await wait_for(pilot, lambda: history.selected() and history.selected().number == 1)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: len(drafts.history(core.store, "Customer Success (draft)")) == 3
        )
        latest = drafts.history(core.store, "Customer Success (draft)")[0]
        assert (latest.number, latest.source, latest.message) == (3, "restore", "Restore v1")

        # Back in the editor, the restored text is loaded.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await wait_for(pilot, lambda: editor.version == 3)
        assert "Significantly improve customer satisfaction" in editor.editor.text


async def test_diff_of_any_two_versions(core: App, weak_set) -> None:
    seed(core, "team", weak_set)
    second = weak_set.model_copy(deep=True)
    second.objectives[0].title = "Win back customers who churned"
    seed(core, "team", second, "new title")
    third = second.model_copy(deep=True)
    third.objectives[0].key_results.pop()
    seed(core, "team", third, "drop a KR")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        history = app.screen
        table = history.query_one(DataTable)
        # Default: the highlighted version (v3) against its parent.
        assert "v2 → v3" in screen_text(app)
        # Mark v3, move to v1: the diff is v1 → v3 with both changes.
        await pilot.press("m")
        table.move_cursor(row=2)
        await wait_for(pilot, lambda: "v1 → v3" in screen_text(app), what="the v1 → v3 diff")
        shown = screen_text(app)
        assert "v1 → v3" in shown
        assert "Win back customers who churned" in shown
        assert "- O1.KR3" in shown  # the dropped key result
