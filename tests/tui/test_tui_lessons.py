"""The TUI critique of a later draft of the same name shows what the last graded cycle
taught: ``LESSON-…`` cards (source ``lessons``) in the editor's critique panel at 80x24."""

from __future__ import annotations

from conftest import tui, wait_for

from assistant.app import App
from assistant.io import read_text
from assistant.services import cycle, drafts
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem

PLAN = """name: Growth
cycle: 2024-Q1
objectives:
  - title: Make onboarding effortless
    type: committed
    key_results:
      - Raise week-1 activation from 32% to 50% by 31 Mar 2024
      - Cut time-to-first-dashboard from 3 days to 1 day
"""


def _graded_then_next(core: App) -> None:
    """v1 launched and graded with no check-in (never updated, commitments missed); v2 is
    the next cycle's draft of the same name."""
    okr_set = read_text(PLAN, "g.yaml")[0]
    drafts.save(core.store, "Growth", okr_set, "first", author="test")
    cycle.launch(core.store, "Growth")
    cycle.grade(core.store, "Growth")
    nxt = read_text(PLAN.replace("2024-Q1", "2024-Q2").replace("31 Mar", "30 Jun"), "g.yaml")[0]
    drafts.save(core.store, "Growth", nxt, "next cycle", author="test")


def _lesson_items(app) -> list[FindingItem]:
    return [
        item
        for item in app.screen.query(FindingItem)
        if item.finding.source == "lessons" and item.finding.code.startswith("LESSON-")
    ]


async def test_next_version_shows_lesson_cards(core: App) -> None:
    _graded_then_next(core)
    async with tui(core, target="Growth") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="editor")
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        await wait_for(pilot, lambda: _lesson_items(app), what="a LESSON- card")
        codes = {item.finding.code for item in _lesson_items(app)}
        assert "LESSON-NEVER-UPDATED" in codes
        assert any(f.source == "lessons" for f in screen.current_findings())
        assert all(f.source == "lessons" for f in screen.lesson_findings())
        assert screen.query_one(CritiquePanel).findings  # the rules cards are still there
        assert "LESSON-" in str(_lesson_items(app)[0].card)


async def test_a_first_cycle_draft_has_no_lesson_cards(core: App) -> None:
    drafts.save(core.store, "Growth", read_text(PLAN, "g.yaml")[0], "first", author="test")
    async with tui(core, target="Growth") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen), what="editor")
        screen = app.screen
        assert isinstance(screen, EditorScreen)
        await wait_for(pilot, lambda: screen.hints.critique is not None, what="rules critique")
        lessons_read = [w for w in app.workers if w.group == "lessons"]
        await wait_for(pilot, lambda: all(w.is_finished for w in lessons_read), what="lessons")
        assert not _lesson_items(app)
        assert screen.lesson_findings() == []
