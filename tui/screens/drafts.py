"""The drafts in the store with their latest scores and last change.

At 80 columns the last change is cut with an ellipsis; the line under the table shows
the highlighted draft's in full. Keys that need a draft leave the footer while the list
is empty (pressing one says so).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header

from assistant.domain.commands import okr_command
from assistant.domain.drafts import DraftSummary, ImportedDraft
from assistant.errors import OKRError, one_line
from assistant.render import ago
from tui.safe import SafeStatic, literal
from tui.screen_text import overall_cell
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog, ExistingDraftDialog, PathDialog, PromptDialog

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
    "  import an OKR file (YAML, Markdown, JSON, CSV)\n\n",
    ("s", "bold cyan"),
    " settings · ",
    ("f1", "bold cyan"),
    " every key · ",
    ("ctrl+p", "bold cyan"),
    " every command · ",
    ("q", "bold cyan"),
    " quit",
)
NO_DRAFT = "No draft to act on yet: n starts one from the template, i imports a file"
OPEN = "Open the highlighted draft in the editor"
NEEDS_DRAFT = {"open", "rename", "delete", "history", "cycle"}
CELL_PADDING = 2  # DataTable: one column of padding each side of a cell


@runtime_checkable
class ExistingDrafts(Protocol):
    """The App's refusal to import a file into drafts that exist (``import_path``'s
    ``ExistingDraftError``), known by its shape: the TUI never imports services."""

    path: str
    names: list[str]
    suggestion: str
    sets: int


def cut(text: Text, width: int) -> Text:
    """``text`` on one line of at most ``width`` cells, an ellipsis where it was cut."""
    text = text.copy()
    text.truncate(max(width, 1), overflow="ellipsis")
    return text


class DraftsScreen(OKRScreen[None]):
    """List, open, create, import, rename and delete drafts."""

    BINDINGS = [
        # The footer has room for these at 80 columns; the others are in the palette.
        Binding("enter", "open", "Open", show=False, tooltip=OPEN),
        Binding("o", "open", "Open", tooltip=OPEN),
        Binding("n", "new", "New", tooltip="New draft from the template"),
        Binding("a", "new_draft('idea')", "Idea", tooltip="New draft from an idea (the LLM drafts it)"),
        Binding("g", "new_draft('guided')", "Guided",
                tooltip="New draft, guided: the coach's questions (offline)"),
        Binding("i", "import", "Import",
                tooltip="Import an OKR file or a backup"),
        Binding("c", "cycle", "Cycle", tooltip="The draft's cycle: check in, sync, grade, retro"),
        Binding("h", "history", "History", tooltip="The draft's versions: score trend, diff, restore"),
        Binding("r", "rename", "Rename the draft", show=False,
                tooltip="Rename the draft (and its set's name:)"),
        Binding("d,delete", "delete", "Delete the draft", show=False,
                tooltip="Delete the draft (asks; undelete within 30 days)"),
        Binding("l", "app.learn", "Learn", show=False,
                tooltip="Learn: the OKR primer, good and weak examples"),
        Binding("s", "app.settings", "Settings", show=False,
                tooltip="Settings: engine, model, base URL, coaching style"),
        Binding("q", "app.quit", "Quit", show=False),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[DraftSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="drafts-body"):
            yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
            yield SafeStatic("", id="drafts-detail")
            yield SafeStatic(EMPTY, id="drafts-empty")
        yield Footer(compact=True)

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

    def on_resize(self) -> None:
        if self.summaries:
            self.show_drafts(self.summaries)

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        if action in NEEDS_DRAFT and self.selected_name() is None:
            return NO_DRAFT
        return None

    @work(exclusive=True, group="drafts", exit_on_error=False)
    async def reload(self, select: str | None = None) -> None:
        """Re-read the drafts from the store, keeping the cursor on the same draft (or
        moving it to ``select``)."""
        try:
            summaries = await self.core.drafts()
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            summaries = []
        self.show_drafts(summaries, select)

    def _widths(self, summaries: list[DraftSummary]) -> tuple[int, int]:
        """The name's and the last change's widths: the table fits the screen's width."""
        table = self.query_one(DataTable)
        room = (table.size.width or self.size.width - 2) - 1  # a scrollbar may come
        fixed = len("Ver") + len("Score") + 3 * CELL_PADDING
        longest = max((len(s.name) for s in summaries), default=5)
        name = max(min(longest, (room - fixed) // 3), min(longest, 12), 5)
        return name, max(room - fixed - name - CELL_PADDING, 10)

    def show_drafts(self, summaries: list[DraftSummary], select: str | None = None) -> None:
        table = self.query_one(DataTable)
        current = select or self.selected_name()
        self.summaries = summaries
        name_width, change_width = self._widths(summaries)
        table.clear()
        for summary in self.summaries:
            table.add_row(
                cut(literal(summary.name, "bold"), name_width),
                Text(str(summary.versions), justify="right"),
                overall_cell(summary.head.scores),
                cut(self._change(summary), change_width),
                key=summary.name,
            )
        names = [s.name for s in self.summaries]
        if current in names:
            table.move_cursor(row=names.index(current))
        self.query_one("#drafts-empty").display = not self.summaries
        table.display = bool(self.summaries)
        self.query_one("#drafts-detail").display = bool(self.summaries)
        if self.summaries:
            table.focus()
        self._detail()
        self.refresh_bindings()

    @staticmethod
    def _change(summary: DraftSummary) -> Text:
        """When and what (where it came from is in the line below the table)."""
        head = summary.head
        return Text.assemble((ago(head.created_at), "dim"), " ", literal(head.message))

    def _detail(self) -> None:
        """The highlighted draft's name and last change in full (the table cuts them)."""
        name = self.selected_name()
        summary = next((s for s in self.summaries if s.name == name), None)
        detail = self.query_one("#drafts-detail", SafeStatic)
        if summary is None:
            detail.update("")
            return
        head = summary.head
        versions = f"{summary.versions} version{'s' if summary.versions != 1 else ''}"
        detail.update(
            Text.assemble(
                literal(summary.name, "bold"),
                f" · {versions} · v{head.number} ",
                (ago(head.created_at), "dim"),
                ": ",
                literal(head.message),
                literal(f" ({head.source})", "dim"),
            )
        )

    @on(DataTable.RowHighlighted, "#drafts")
    def _highlighted(self) -> None:
        self._detail()

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
        if name is not None:
            self.okr_app.open_draft(name)

    def action_new(self) -> None:
        self.okr_app.new_from_template()

    def action_new_draft(self, how: str) -> None:
        """New draft → from an idea or → guided (tui/screens/new_draft.py)."""
        from tui.screens.new_draft import GuidedScreen, IdeaScreen

        self.app.push_screen(IdeaScreen() if how == "idea" else GuidedScreen())

    # --- import ------------------------------------------------------------------------------

    @work(group="import", exit_on_error=False)
    async def action_import(self) -> None:
        """Ask for a path and import it; the dialog stays open with the path and the
        problem when it fails, and asks when the file names a draft that exists."""
        imported: list[ImportedDraft] = []
        cancelled: list[bool] = []

        async def attempt(path: str) -> str | None:
            try:
                result = await self._import(path)
            except OKRError as exc:
                return one_line(exc)
            if result is None:
                cancelled.append(True)
            else:
                imported[:] = result
            return None

        path = await self.app.push_screen_wait(
            PathDialog(
                "Import an OKR file (.yaml .md .csv .json) or a backup · Tab completes",
                # A value to complete (this folder), not a grey placeholder that cannot be used.
                f"{Path.cwd()}{os.sep}",
                submit=attempt,
            )
        )
        if path is None:
            return
        if cancelled or not imported:
            self.okr_app.say("Nothing was imported")
            return
        names = ", ".join(i.name for i in imported)
        added = sum(i.added for i in imported)
        self.reload(select=imported[0].name)
        self.okr_app.say(f"Imported {names} ({added} new version{'s' if added != 1 else ''})")
        if len(imported) == 1:
            self.okr_app.open_draft(imported[0].name)

    async def _import(self, path: str) -> list[ImportedDraft] | None:
        """Import ``path``; into a draft that exists only once the user said how (None:
        they cancelled)."""
        try:
            return await self.core.import_path(path)
        except OKRError as exc:
            if not isinstance(exc, ExistingDrafts):
                raise
            existing = exc
        choice = await self.app.push_screen_wait(
            ExistingDraftDialog(path, existing.names, single=existing.sets == 1)
        )
        if choice == "version":
            return await self.core.import_path(path, existing="version")
        if choice != "new":
            return None
        check = await self.okr_app.name_check()
        name = await self.app.push_screen_wait(
            PromptDialog("Name of the new draft", existing.suggestion, validate=check)
        )
        if name is None:
            return None
        return await self.core.import_path(path, as_new=name)

    # --- rename and delete -------------------------------------------------------------------

    @work(group="rename", exit_on_error=False)
    async def action_rename(self) -> None:
        """A new name for the draft, history kept; the set's ``name:`` follows."""
        old = self.selected_name()
        if old is None:
            return
        check = await self.okr_app.name_check(keep=old)
        new = await self.app.push_screen_wait(
            PromptDialog(f"Rename '{old}' to", old, validate=check)
        )
        if new is None or new == old:
            return
        try:
            await self.core.rename(old, new)
        except OKRError as exc:
            self.okr_app.say(one_line(exc), severity="error", timeout=8)
            return
        self.okr_app.say(f"Renamed {old} to {new} (the set's name too)")
        self.reload(select=new)

    @work(group="delete", exit_on_error=False)
    async def action_delete(self) -> None:
        name = self.selected_name()
        if name is None:
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
            f"Deleted {name} ({okr_command('undelete', name)} brings it back for 30 days)"
        )
        self.reload()

    def action_history(self) -> None:
        name = self.selected_name()
        if name is None:
            return
        from tui.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(name))

    def action_cycle(self) -> None:
        """The selected draft's cycle: status, check in, grade, retro (tui/screens/cycle.py)."""
        name = self.selected_name()
        if name is None:
            return
        from tui.screens.cycle import CycleScreen

        self.app.push_screen(CycleScreen(name))
