"""The editor's layout at 80x24 and narrower, and a panel that says when it is stale."""

from __future__ import annotations

from pathlib import Path

from conftest import SIZE, notices, screen_text, seed, wait_for
from textual.widgets import Button, ListView

from assistant.services import drafts
from tui.app import create_app
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


async def _switch_panes(home: Path, size: tuple[int, int]) -> None:
    app = create_app(home, target="cs")
    async with app.run_test(size=size) as pilot:
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
    home: Path, weak_set
) -> None:
    seed(home, "cs", weak_set)
    await _switch_panes(home, SIZE)
    await _switch_panes(home, (60, 24))
    app = create_app(home, target="cs")
    async with app.run_test(size=(120, 30)) as pilot:
        editor = await _open(pilot, app)
        await wait_for(pilot, lambda: editor.panel.region.width > 30, what="side by side")
        assert editor.editor.region.width > 30


async def test_a_long_key_result_stays_on_one_line_after_saving(home: Path, weak_set) -> None:
    seed(home, "cs", weak_set)
    app = create_app(home, target="cs")
    async with app.run_test(size=SIZE) as pilot:
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
        assert drafts.get_version(home, "cs").okr_set.objectives[0].key_results[0].text == LONG


async def test_the_panel_is_stale_and_accept_off_while_the_text_does_not_parse(
    home: Path, weak_set
) -> None:
    seed(home, "cs", weak_set)
    app = create_app(home, target="cs")
    async with app.run_test(size=SIZE) as pilot:
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
        assert drafts.get_version(home, "cs").number == 1
        assert not any("Dismissed" in n for n in notices(app)[before:])
        await pilot.press("f2")
        for _ in range(5):
            await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: not panel.stale, what="fresh again")
        assert not panel.query_one("#act-accept", Button).disabled
