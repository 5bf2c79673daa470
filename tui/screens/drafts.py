"""The drafts in the store with their latest scores and last change."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header

from assistant.domain.drafts import DraftSummary
from assistant.errors import OKRError
from assistant.render import ago
from tui.safe import SafeStatic, literal
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog, PromptDialog
from tui.texts import overall_cell

EMPTY = Text.assemble(
    ("No drafts yet.\n\n", "bold"),
    ("n", "bold cyan"),
    "  start a draft from the template\n",
    ("a", "bold cyan"),
    "  new draft from an idea (the LLM drafts it)\n",
    ("g", "bold cyan"),
    "  new draft, guided: the coach's questions as a form\n",
    ("l", "bold cyan"),
    "  learn the framework and open an example as a draft\n",
    ("i", "bold cyan"),
    "  import an OKR file (YAML, Markdown, JSON, CSV)\n",
)


class DraftsScreen(OKRScreen[None]):
    """List, open, create, import and delete drafts."""

    BINDINGS = [
        Binding("enter", "open", "Open", show=False),
        Binding("o", "open", "Open"),
        Binding("n", "new", "New"),
        Binding("a", "new_draft('idea')", "New from an idea", show=False),
        Binding("g", "new_draft('guided')", "New: guided", show=False),
        Binding("i", "import", "Import"),
        Binding("d,delete", "delete", "Delete", show=False),
        Binding("h", "history", "History"),
        Binding("c", "cycle", "Cycle", show=False),
        Binding("l", "app.learn", "Learn"),
        Binding("s", "app.settings", "Settings", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[DraftSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="drafts-body"):
            yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
            yield SafeStatic(EMPTY, id="drafts-empty")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = "drafts"
        table = self.query_one(DataTable)
        table.add_column("Draft", key="name")
        table.add_column("Ver", key="versions")
        table.add_column("Score", key="score")
        table.add_column("Last change", key="change")
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(exclusive=True, group="drafts", exit_on_error=False)
    async def reload(self) -> None:
        """Re-read the drafts from the store, keeping the cursor on the same draft."""
        try:
            summaries = await self.core.drafts()
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            summaries = []
        self.show_drafts(summaries)

    def show_drafts(self, summaries: list[DraftSummary]) -> None:
        table = self.query_one(DataTable)
        current = self.selected_name()
        self.summaries = summaries
        table.clear()
        for summary in self.summaries:
            head = summary.head
            change = Text.assemble(
                (ago(head.created_at), "dim"),
                " ",
                literal(head.message),
                literal(f"  {head.source}", "dim"),
            )
            table.add_row(
                literal(summary.name, "bold"),
                Text(str(summary.versions), justify="right"),
                overall_cell(head.scores),
                change,
                key=summary.name,
            )
        names = [s.name for s in self.summaries]
        if current in names:
            table.move_cursor(row=names.index(current))
        self.query_one("#drafts-empty").display = not self.summaries
        table.display = bool(self.summaries)
        if self.summaries:
            table.focus()

    def selected_name(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.summaries or table.cursor_row is None:
            return None
        row = table.cursor_row
        return self.summaries[row].name if 0 <= row < len(self.summaries) else None

    @on(DataTable.RowSelected, "#drafts")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        name = self.selected_name()
        if name is None:
            self.app.bell()
            return
        self.okr_app.open_draft(name)

    def action_new(self) -> None:
        self.okr_app.new_from_template()

    def action_new_draft(self, how: str) -> None:
        """New draft → from an idea or → guided (tui/screens/new_draft.py)."""
        from tui.screens.new_draft import GuidedScreen, IdeaScreen

        self.app.push_screen(IdeaScreen() if how == "idea" else GuidedScreen())

    @work(group="import", exit_on_error=False)
    async def action_import(self) -> None:
        path = await self.app.push_screen_wait(
            # A value to complete (this folder), not a grey placeholder that cannot be used.
            PromptDialog("Import an OKR file (path, .yaml .md .csv .json)", f"{Path.cwd()}{os.sep}")
        )
        if path is None:
            return
        try:
            imported = await self.core.import_path(path)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error", timeout=8)
            return
        self.reload()
        names = ", ".join(i.name for i in imported)
        added = sum(i.added for i in imported)
        self.okr_app.say(f"Imported {names} ({added} new version(s))")
        if len(imported) == 1:
            self.okr_app.open_draft(imported[0].name)

    @work(group="delete", exit_on_error=False)
    async def action_delete(self) -> None:
        name = self.selected_name()
        if name is None:
            self.app.bell()
            return
        question = Text.assemble("Delete draft ", literal(name, "bold"), " and its history?")
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Delete")):
            return
        try:
            await self.core.delete(name)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            return
        self.okr_app.say(
            f"Deleted {name} (okr undelete {shlex.quote(name)} brings it back for 30 days)"
        )
        self.reload()

    def action_history(self) -> None:
        name = self.selected_name()
        if name is None:
            self.app.bell()
            return
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(name))

    def action_cycle(self) -> None:
        """The selected draft's cycle: status, check in, grade, retro (tui/screens/cycle.py)."""
        name = self.selected_name()
        if name is None:
            self.app.bell()
            return
        from tui.screens.cycle import CycleScreen

        self.app.push_screen(CycleScreen(name))
