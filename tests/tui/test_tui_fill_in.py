"""Offline accept that accepts: rewrites with blanks and the template's KRs are filled in."""

from __future__ import annotations

import re

from conftest import screen_text, seed, tui, wait_for
from textual.widgets import Button, Input, ListView

from assistant.app import App
from assistant.services import drafts
from tui.app import template_set
from tui.screen_text import delta_text
from tui.screens.dialogs import RewriteDialog
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem


async def _open(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    await wait_for(pilot, lambda: editor.query_one(CritiquePanel).findings, what="findings")
    return editor


def _highlight(panel: CritiquePanel, code: str, target: str) -> FindingItem:
    listing = panel.query_one(ListView)
    for index, child in enumerate(listing.children):
        if isinstance(child, FindingItem) and (child.finding.code, child.finding.target) == (
            code,
            target,
        ):
            listing.index = index
            return child
    raise AssertionError(f"no {code} on {target}")


async def test_a_rewrite_with_blanks_says_fill_in_and_opens_at_the_first_blank(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.panel
        await pilot.press("f2")
        item = _highlight(panel, "KR-NO-DEADLINE", "O1.KR1")
        await wait_for(pilot, lambda: panel.selected is item)
        accept = panel.query_one("#act-accept", Button)
        await wait_for(pilot, lambda: "Fill in" in str(accept.label), what="Fill in label")
        await wait_for(pilot, lambda: "Fill in (a)" in screen_text(app), what="on screen")
        card_delta = item.suggestion.delta
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        field = app.screen.query_one(Input)
        assert field.selected_text == "[deadline]"
        # The dialog's number is the card's: blanks only claim no gain (no number on either),
        # and once filled in, the whole set's change.
        shown = delta_text(card_delta).plain

        def said() -> str:
            return str(app.screen.query_one("#delta").render())

        await wait_for(
            pilot,
            lambda: f"score change if accepted: {shown} (the whole set" in said(),
            what="the card's delta in the dialog",
        )
        assert "whole set" in screen_text(app)
        await pilot.press(*"30 Jun 2026")
        await wait_for(
            pilot,
            lambda: re.search(r"score change if accepted: [+-]\d+", said()),
            what="the filled-in rewrite's delta",
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 2)
        kr = drafts.get_version(core.store, "cs").okr_set.objectives[0].key_results[0]
        assert kr.text == "Launch the new onboarding flow by 30 Jun 2026"


async def test_the_templates_blank_key_results_are_a_guided_fill_in(core: App) -> None:
    seed(core, "t", template_set())
    async with tui(core, target="t") as pilot:
        app = pilot.app
        editor = await _open(pilot, app)
        panel = editor.panel
        await pilot.press("f2")
        item = _highlight(panel, "KR-PLACEHOLDER", "O1.KR2")
        await wait_for(pilot, lambda: panel.selected is item)
        assert item.suggestion is not None and not item.suggestion.ready
        assert "Fill in" in str(panel.query_one("#act-accept", Button).label)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        dialog = app.screen
        field = dialog.query_one(Input)
        assert field.selected_text == "[baseline]"
        await pilot.press(*"9")
        # [target] is still a blank: accepting is refused until it is filled in.
        await pilot.press("enter")
        await wait_for(pilot, lambda: "fill in [target]" in screen_text(app))
        assert app.screen is dialog
        field.value = field.value.replace("[target]", "4")
        await pilot.press("enter")
        await wait_for(pilot, lambda: editor.version == 2)
        kr = drafts.get_version(core.store, "t").okr_set.objectives[0].key_results[1]
        assert kr.text == "Cut median time to first dashboard from 9 days to 4 days"
