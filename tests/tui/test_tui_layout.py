"""The editor's layout at 80x24 and narrower, and a panel that says when it is stale."""

from __future__ import annotations

from conftest import SIZE, notices, screen_text, seed, tui, wait_for
from textual.widgets import Button, ListView

from assistant.app import App
from assistant.services import drafts
from tui.screens.dialogs import PromptDialog
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel

LONG = (
    "Raise the share of new customers who finish onboarding within their first week "
    "from 40% to 75% by 30 Jun 2026, measured in the product analytics dashboard"
)


async def _open(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    await wait_for(pilot, lambda: editor.query_one(CritiquePanel).findings, what="findings")
    return editor


async def _switch_panes(core: App, size: tuple[int, int]) -> None:
    async with tui(core, target="cs", size=size) as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        area, panel = editor.editor, editor.panel
        await wait_for(pilot, lambda: area.region.width >= size[0] - 2, what="full width")
        assert not panel.display or panel.region.width == 0
        # The critique is not gone: its status is on the editor's border.
        await wait_for(pilot, lambda: "f2: findings" in screen_text(app), what="summary")
        await pilot.press("f2")
        await wait_for(pilot, lambda: "measurability" in screen_text(app), what="panel")
        assert panel.region.width >= size[0] - 2 and not area.region.width
        assert panel.query_one(ListView).has_focus
        await pilot.press("f2")
        await wait_for(pilot, lambda: area.has_focus and area.region.width > 0)


async def test_below_100_columns_editor_and_critique_are_panes_switched_by_f2(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    await _switch_panes(core, SIZE)
    await _switch_panes(core, (60, 24))
    async with tui(core, target="cs", size=(120, 30)) as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        await wait_for(pilot, lambda: editor.panel.region.width > 30, what="side by side")
        assert editor.editor.region.width > 30


async def test_a_long_key_result_stays_on_one_line_after_saving(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        area = editor.editor
        row = 4  # "  - Launch the new onboarding flow"
        area.replace(f"  - {LONG}", (row, 0), (row, len(area.document.get_line(row))))
        await wait_for(pilot, lambda: editor.dirty)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptDialog))
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 2)
        assert area.document.get_line(row) == f"  - {LONG}"
        assert (
            drafts.get_version(core.store, "cs").okr_set.objectives[0].key_results[0].text == LONG
        )


async def test_the_panel_is_stale_and_accept_off_while_the_text_does_not_parse(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.panel
        editor.editor.move_cursor((0, 0))
        await pilot.press("x", ":", " ", "[", "enter")
        await wait_for(pilot, lambda: panel.stale, what="stale")
        assert panel.query_one("#act-accept", Button).disabled
        await pilot.press("f2")
        await wait_for(pilot, lambda: "stale" in screen_text(app), what="marked stale")
        before = len(notices(app))
        await pilot.press("a")
        await pilot.press("d")
        assert drafts.get_version(core.store, "cs").number == 1
        assert not any("Dismissed" in n for n in notices(app)[before:])
        await pilot.press("f2")
        for _ in range(5):
            await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: not panel.stale, what="fresh again")
        assert not panel.query_one("#act-accept", Button).disabled
