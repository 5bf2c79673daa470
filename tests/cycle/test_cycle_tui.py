"""The TUI Cycle screen at 80×24: reachable from the drafts list and the editor; bars,
sparklines, check in a KR, grade, retro — through the same App use cases as the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static
from tui_pilot import SIZE, tui, wait_for

from assistant.app import App, bootstrap
from assistant.io import read_text
from assistant.services import cycle, drafts, retro
from tui.screens.cycle import CheckinDialog, CycleScreen, RetroDialog
from tui.screens.dialogs import ConfirmDialog
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen

PLAN = """name: Growth
cycle: 2024-Q1
objectives:
  - title: Make onboarding effortless
    type: aspirational
    key_results:
      - Raise week-1 activation from 32% to 50% by 31 Mar 2024
      - Cut time-to-first-dashboard from 3 days to 1 day
"""


@pytest.fixture
def core(okr_home: Path) -> Iterator[App]:
    """The App of the test's data home, as ``okr tui`` builds it."""
    app = bootstrap(okr_home)
    yield app
    app.close()


def _seed(core: App) -> None:
    drafts.save(core.store, "Growth", read_text(PLAN, "g.yaml")[0], "first", author="test")
    cycle.launch(core.store, "Growth")
    cycle.checkin(core.store, "Growth", [cycle.CheckinInput("O1.KR1", "38%", 6, on=date(2024, 1, 20)),
                                   cycle.CheckinInput("O1.KR1", "41%", 7, on=date(2024, 2, 10))])  # fmt: skip


def _text(widget: Static) -> str:
    return str(widget.render())


async def test_cycle_screen_from_the_drafts_list(core: App) -> None:
    _seed(core)
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen), what="cycle screen")
        screen = app.screen
        table = screen.query_one(DataTable)
        assert table.row_count == 2
        first = [str(c) for c in table.get_row_at(0)]
        assert first[0] == "O1.KR1" and "50%" in first[1] and "at-risk" not in first[0]
        assert first[4] and all(ch in "▁▂▃▄▅▆▇█" for ch in first[4])  # the sparkline
        assert "2024-Q1" in _text(screen.query_one("#cycle-head", Static))
        assert table.region.right <= SIZE[0] and table.region.bottom <= SIZE[1]

        # Check in the highlighted KR; a value in the wrong unit keeps the dialog open.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckinDialog), what="check-in dialog")
        dialog = app.screen
        dialog.query_one("#value", Input).value = "3 days"
        await pilot.click("#ok")
        assert isinstance(app.screen, CheckinDialog)
        assert "is in 'days'" in _text(dialog.query_one("#checkin-problem", Static))
        dialog.query_one("#value", Input).value = "45%"
        dialog.query_one("#confidence", Input).value = "8"
        dialog.query_one("#note", Input).value = "trial emails"
        dialog.query_one("#note", Input).focus()
        await pilot.press("enter")  # Enter in the last field submits
        await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen), what="back on the cycle")
        assert cycle.status(core.store, "Growth").key_results[0].value == 45

        # Grade (confirmed), then the retro's three questions.
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: cycle.status(core.store, "Growth").cycle.state == "graded")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RetroDialog), what="retro dialog")
        app.screen.query_one("#went_well", Input).value = "Weekly numbers"
        app.screen.query_one("#did_not", Input).value = "KR2 never updated; late start"
        await pilot.click("#ok")
        await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen), what="back after retro")
        shown = retro.show_retro(core.store, "Growth")
        assert shown.notes.did_not == ("KR2 never updated", "late start")
        assert "LESSON-NEVER-UPDATED" in {lesson.code for lesson in shown.lessons}
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))


async def test_cycle_screen_from_the_editor_offers_to_launch(core: App) -> None:
    drafts.save(core.store, "Growth", read_text(PLAN, "g.yaml")[0], "first", author="test")
    async with tui(core, target="Growth") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="editor")
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, CycleScreen), what="cycle screen")
        head = _text(app.screen.query_one("#cycle-head", Static))
        assert "2024-Q1" in head and "not launched yet" in head  # the set's cycle, read
        await pilot.press("l")
        # 2024-Q1 has ended: launching it asks first.
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="asks")
        await pilot.press("y")
        await wait_for(
            pilot, lambda: app.screen.query_one(DataTable).row_count == 2, what="launched"
        )
        assert cycle.status(core.store, "Growth").cycle.label == "2024-Q1"
