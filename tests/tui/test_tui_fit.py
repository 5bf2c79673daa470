"""Every screen at 80x24 shows what matters, cut with an ellipsis only where the full
text is a key away: the drafts list, the history, the review's cards, Settings, the F4
dialog and the help (and the drafts list at 120x40)."""

from __future__ import annotations

from conftest import SIZE, screen_text, seed, tui, wait_for
from textual.containers import HorizontalScroll
from textual.widgets import DataTable

from assistant.app import App
from tui.screens.drafts import DraftsScreen
from tui.screens.editor import EditorScreen
from tui.screens.editor_new import AlternativesDialog
from tui.screens.help import HelpScreen
from tui.screens.history import HistoryScreen
from tui.screens.review import ReviewScreen
from tui.screens.settings import SettingsScreen
from tui.widgets.critique_panel import CritiquePanel

NAME = "Customer success team, EMEA"
MESSAGE = "Imported from the planning sheet of the customer success team"


def lines(app) -> list[str]:
    return screen_text(app).splitlines()


async def _drafts(core: App, weak_set, size: tuple[int, int]) -> list[str]:
    seed(core, NAME, weak_set, MESSAGE)
    async with tui(core, size=size) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="the draft")
        await wait_for(pilot, lambda: "(manual)" in screen_text(app), what="the detail")
        assert table.virtual_size.width <= table.size.width, "the table scrolls sideways"
        return lines(app)


async def test_the_drafts_list_cuts_the_last_change_and_shows_it_in_full_below(
    core: App, weak_set
) -> None:
    shown = await _drafts(core, weak_set, SIZE)
    row = next(line for line in shown if line.lstrip().startswith("Customer"))
    assert row.rstrip().endswith("…") and "just now" in row
    detail = " ".join(line.strip() for line in shown[-4:-1])
    assert NAME in detail and MESSAGE in detail


async def test_the_drafts_list_at_120x40_needs_no_ellipsis(core: App, weak_set) -> None:
    shown = await _drafts(core, weak_set, (120, 40))
    row = next(line for line in shown if line.lstrip().startswith("Customer"))
    assert NAME in row and MESSAGE in row and "…" not in row


async def test_the_history_gives_the_diff_the_rows_the_table_does_not_need(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    weak_set.objectives[0].title = "Grow revenue from new customers"
    seed(core, "cs", weak_set, "second")
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await wait_for(pilot, lambda: "cs" in screen_text(app))
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(app.screen, HistoryScreen))
        screen = app.screen
        await wait_for(pilot, lambda: "Grow revenue" in screen_text(app), what="the diff")
        table = screen.query_one("#versions")
        diff = screen.query_one("#diff-scroll")
        assert table.size.height <= 1 + 2 + 1  # the header and two rows
        assert diff.size.height >= 12


async def test_review_cards_say_how_many_more_and_tab_brings_them(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
        review = app.screen
        await wait_for(pilot, lambda: review.review is not None, timeout=30, what="the review")
        await wait_for(pilot, lambda: "1 of 5" in screen_text(app), what="the cards")
        assert "3 more reviewers →" in " ".join(screen_text(app).split())  # wrapped
        seats = review.query_one("#review-seats", HorizontalScroll)
        third = review.query_one("#seat-2")
        assert not seats.region.contains_region(third.region)
        await pilot.press("tab", "tab", "tab")
        await wait_for(pilot, lambda: "3 of 5" in screen_text(app), what="the third card")
        assert "1 2 3 Accept change" in lines(app)[-1]


async def test_settings_show_the_coaching_style_and_save_without_scrolling(core: App) -> None:
    async with tui(core) as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, DraftsScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        await wait_for(pilot, lambda: "Coaching style" in screen_text(app), what="the style")
        shown = screen_text(app)
        for expected in (
            "Engine",
            "Model",
            "Base URL",
            "API key",
            "Ask questions",
            "Balanced",
            "Suggest rewrites",
            "Save (ctrl+s)",
            "^s Save",
        ):
            assert expected in shown, expected  # fmt: skip


async def test_the_alternatives_dialog_dims_the_editor_and_shows_its_keys(
    core: App, weak_set
) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        await wait_for(pilot, lambda: editor.query_one(CritiquePanel).findings)
        editor.editor.move_cursor((4, 6))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, AlternativesDialog))
        await wait_for(pilot, lambda: "esc Keep the text" in lines(app)[-1], what="its keys")
        shown = screen_text(app)
        assert "objectives:" in shown and "Alternatives for O1.KR1" in shown
        assert "^s Save" not in shown  # the editor's keys do nothing while it is open


async def test_the_help_has_its_own_footer_and_names_the_findings_list(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: "esc Close" in lines(app)[-1], what="its footer")
        help_text = str(app.screen.query_one("#help-keys").render())
        assert "Findings list" in help_text and "FindingsList" not in help_text


async def test_no_finding_no_action_buttons_and_another_version_starts_at_the_top(
    core: App, weak_set
) -> None:
    """Accept/Edit/Dismiss show only when there is a finding to act on; loading another
    version (after a restore from the history) shows its findings from the first one."""
    from pathlib import Path

    from assistant.io import read_path

    strong = read_path(str(Path(__file__).resolve().parents[2] / "examples" / "strong.yaml"))[0]
    seed(core, "cs", weak_set)
    seed(core, "cs", strong, "second")
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        editor = app.screen
        panel = editor.query_one(CritiquePanel)
        actions = panel.query_one("#panel-actions")
        await wait_for(pilot, lambda: "0 findings" in screen_text(app), what="no finding")
        assert not actions.display and "Accept (a)" not in screen_text(app)
        await core.restore("cs", 1)  # as the history's restore does, then back to the editor
        editor.reload_if_moved()
        await wait_for(pilot, lambda: panel.findings, what="the weak version's findings")
        await wait_for(pilot, lambda: actions.display, what="the buttons")
        listing = panel.query_one("#findings")
        assert listing.scroll_y == 0 and listing.index is not None
