"""A draft's versions: message, source, score trend; diff any two; restore one.

Opened from the editor, a restore while it holds unsaved edits asks what becomes of
them: kept (the text stays as typed, based on the restored version, and a save stacks
on it), saved as a new draft first, or the restore cancelled. Nothing typed is lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Footer, Header

from assistant.domain.drafts import VersionInfo
from assistant.errors import OKRError
from assistant.render import ago
from assistant.render.diff import diff_renderable
from tui.safe import SafeStatic, literal
from tui.screen_text import overall_cell, score_sparkline, trend_text
from tui.screens.base import OKRScreen
from tui.screens.dialogs import BUTTON_KEYS, ConfirmDialog

if TYPE_CHECKING:
    from tui.screens.editor import EditorScreen


class RestoreEditsDialog(ModalScreen[str]):
    """Restoring under the editor's unsaved edits: ``keep`` them (on the restored
    version), save them as a new ``draft`` first, or ``cancel`` the restore."""

    BINDINGS = [
        Binding("k", "choose('keep')", "Keep my edits"),
        Binding("n", "choose('draft')", "Save them as a new draft"),
        Binding("escape,c", "choose('cancel')", "Cancel"),
        *BUTTON_KEYS,
    ]

    def __init__(self, number: int, base: int) -> None:
        super().__init__(classes="dialog-screen")
        self.number, self.base = number, base

    def compose(self) -> ComposeResult:
        question = Text.assemble(
            "Restore ",
            (f"v{self.number}", "bold"),
            f" as a new version? The editor has unsaved edits (on v{self.base}): keep them "
            "on top of the restored version, or save them as a new draft first?",
        )
        with Vertical(classes="dialog"):
            yield SafeStatic(question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep my edits (k)", variant="primary", id="keep", compact=True)
                yield Button("New draft (n)", id="draft", compact=True)
                yield Button("Cancel (c)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.mount(Footer())  # the dialog's own keys, not the history's
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class HistoryScreen(OKRScreen[None]):
    """Newest first. The diff shows the highlighted version against the marked one
    (m marks; by default the version before it)."""

    BINDINGS = [
        Binding("m,space", "mark", "Mark for diff",
                tooltip="Mark this version to diff against"),
        Binding("r", "restore", "Restore",
                tooltip="Restore this version as a new one (history kept)"),
        Binding("escape,q", "back", "Back"),
    ]  # fmt: skip

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Keys that cannot act on the highlighted version leave the footer (and say why)."""
        info = self.selected() if self.is_mounted else None
        if action in ("mark", "restore") and info is None:
            return "No version to act on"
        if action == "restore" and info is not None and self.versions[0].number == info.number:
            return f"v{info.number} is the latest version already: highlight an older one"
        return None

    def __init__(self, draft: str, *, editor: EditorScreen | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.editor = editor  # the editor it was opened from: its unsaved edits count
        self.versions: list[VersionInfo] = []
        self.marked: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="history-body"):
            with Horizontal(id="trend-row"):
                yield SafeStatic("", id="trend-label")
                yield SafeStatic("", id="trend")
            yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="diff-scroll"):
                yield SafeStatic("", id="diff")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = f"{self.draft} · history"
        table = self.query_one(DataTable)
        for label, key in (
            ("", "mark"),
            ("Ver", "v"),
            ("When", "when"),
            ("Score", "score"),
            ("Source", "source"),
            ("Message", "message"),
        ):
            table.add_column(label, key=key)
        self.reload()
        table.focus()

    @work(exclusive=True, group="history", exit_on_error=False)
    async def reload(self, row: int | None = None) -> None:
        """Re-read the versions (the cursor stays on its row, or moves to ``row``)."""
        try:
            versions = await self.core.history(self.draft)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            versions = []
        self.show_versions(versions, row)

    def show_versions(self, versions: list[VersionInfo], row: int | None = None) -> None:
        self.versions = versions
        oldest_first = list(reversed(self.versions))
        self.query_one("#trend", SafeStatic).update(
            score_sparkline([v.scores.overall for v in oldest_first if v.scores is not None])
        )
        self.query_one("#trend-label", SafeStatic).update(trend_text(oldest_first))
        table = self.query_one(DataTable)
        row = table.cursor_row if row is None else row
        table.clear()
        for info in self.versions:
            table.add_row(
                Text("◆" if info.number == self.marked else " ", style="bold magenta"),
                Text(f"v{info.number}", style="bold"),
                Text(ago(info.created_at), style="dim"),
                overall_cell(info.scores),
                literal(info.source, "cyan" if info.source.startswith("accept") else "dim"),
                literal(info.message),
                key=str(info.number),
            )
        if self.versions:
            table.move_cursor(row=min(row or 0, len(self.versions) - 1))
        self.show_diff()

    def selected(self) -> VersionInfo | None:
        tables = self.query(DataTable)
        if not tables:
            return None  # not composed yet (the footer asks which keys act before that)
        row = tables.first().cursor_row
        if not self.versions or row is None or not 0 <= row < len(self.versions):
            return None
        return self.versions[row]

    @on(DataTable.RowHighlighted, "#versions")
    def _highlighted(self) -> None:
        self.show_diff()

    def show_diff(self) -> None:
        """Diff the highlighted version against the marked one, or against its parent."""
        target = self.query_one("#diff", SafeStatic)
        info = self.selected()
        if info is None:
            target.update(Text("no versions", style="dim"))
            return
        other = self.marked if self.marked not in (None, info.number) else info.number - 1
        if other is None or other < 1:
            target.update(
                Text.assemble(
                    (f"v{info.number} ", "bold"),
                    literal(info.message),
                    ("  the first version; m marks one to compare with", "dim"),
                )
            )
            return
        self._diff(*sorted((other, info.number)))

    @work(exclusive=True, group="diff", exit_on_error=False)
    async def _diff(self, old: int, new: int) -> None:
        target = self.query_one("#diff", SafeStatic)
        try:
            diff = await self.core.diff(self.draft, old, new)
        except OKRError as exc:
            target.update(literal(str(exc), "red"))
            return
        target.update(diff_renderable(diff))  # SafeStatic escapes the rendered diff

    def action_mark(self) -> None:
        info = self.selected()
        if info is None:
            return
        self.marked = None if self.marked == info.number else info.number
        self.reload()

    @work(group="restore", exit_on_error=False)
    async def action_restore(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.versions and info.number == self.versions[0].number:
            self.okr_app.say(f"v{info.number} is already the latest version")
            return
        editor = self.editor
        if editor is not None and editor.draft == self.draft and editor.dirty:
            choice = await self.app.push_screen_wait(
                RestoreEditsDialog(info.number, editor.version)
            )
        else:
            editor = None
            question = Text.assemble(
                "Restore ",
                (f"v{info.number}", "bold"),
                " as a new version? (history is kept)",
            )
            confirmed = await self.app.push_screen_wait(ConfirmDialog(question, yes="Restore"))
            choice = "restore" if confirmed else "cancel"
        if choice == "cancel":
            return
        saved_as = await editor.save_edits_as_draft() if editor and choice == "draft" else None
        if choice == "draft" and saved_as is None:
            return  # not saved elsewhere: nothing restored over them
        try:
            result = await self.core.restore(self.draft, info.number)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            return
        number = result.version.number
        said = f"Restored v{info.number} as v{number}"
        if editor is not None and choice == "keep":
            await editor.keep_edits_on(number)
            said += " · your unsaved edits are kept on it (ctrl+s saves them)"
        elif editor is not None:
            await editor.load_head()  # the edits are safe in their own draft
            said += f" · your edits are the draft '{saved_as}'"
        self.marked = None
        self.reload(row=0)
        self.okr_app.say(said)

    def action_back(self) -> None:
        self.dismiss()
