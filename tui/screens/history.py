"""A draft's versions: message, source, score trend; diff any two; restore one."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from assistant.domain.drafts import VersionInfo
from assistant.errors import OKRError
from assistant.render import ago
from assistant.render.diff import diff_renderable
from assistant.services import drafts
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog
from tui.texts import overall_cell, score_sparkline, trend_text


class HistoryScreen(OKRScreen[None]):
    """Newest first. The diff shows the highlighted version against the marked one
    (m marks; by default the version before it)."""

    BINDINGS = [
        Binding("m,space", "mark", "Mark for diff"),
        Binding("r", "restore", "Restore"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, draft: str) -> None:
        super().__init__()
        self.draft = draft
        self.versions: list[VersionInfo] = []
        self.marked: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="history-body"):
            with Horizontal(id="trend-row"):
                yield Static("", id="trend-label")
                yield Static("", id="trend")
            yield DataTable(id="versions", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="diff-scroll"):
                yield Static("", id="diff")
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

    def reload(self) -> None:
        try:
            self.versions = drafts.history(self.okr_app.home, self.draft)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            self.versions = []
        oldest_first = list(reversed(self.versions))
        self.query_one("#trend", Static).update(
            score_sparkline([v.scores.overall for v in oldest_first if v.scores is not None])
        )
        self.query_one("#trend-label", Static).update(trend_text(oldest_first))
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        for info in self.versions:
            table.add_row(
                Text("◆" if info.number == self.marked else " ", style="bold magenta"),
                Text(f"v{info.number}", style="bold"),
                Text(ago(info.created_at), style="dim"),
                overall_cell(info.scores),
                Text(info.source, style="cyan" if info.source.startswith("accept") else "dim"),
                Text(info.message),
                key=str(info.number),
            )
        if self.versions:
            table.move_cursor(row=min(row or 0, len(self.versions) - 1))
        self.show_diff()

    def selected(self) -> VersionInfo | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        if not self.versions or row is None or not 0 <= row < len(self.versions):
            return None
        return self.versions[row]

    @on(DataTable.RowHighlighted, "#versions")
    def _highlighted(self) -> None:
        self.show_diff()

    def show_diff(self) -> None:
        """Diff the highlighted version against the marked one, or against its parent."""
        target = self.query_one("#diff", Static)
        info = self.selected()
        if info is None:
            target.update(Text("no versions", style="dim"))
            return
        other = self.marked if self.marked not in (None, info.number) else info.number - 1
        if other is None or other < 1:
            target.update(
                Text.assemble(
                    (f"v{info.number} ", "bold"),
                    Text(info.message),
                    ("  the first version; m marks one to compare with", "dim"),
                )
            )
            return
        old, new = sorted((other, info.number))
        try:
            diff = drafts.diff(self.okr_app.home, self.draft, old, new)
        except OKRError as exc:
            target.update(Text(str(exc), style="red"))
            return
        target.update(diff_renderable(diff))

    def action_mark(self) -> None:
        info = self.selected()
        if info is None:
            return
        self.marked = None if self.marked == info.number else info.number
        self.reload()

    def action_restore(self) -> None:
        info = self.selected()
        if info is None:
            return
        if self.versions and info.number == self.versions[0].number:
            self.okr_app.say(f"v{info.number} is already the latest version")
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                result = drafts.restore(self.okr_app.home, self.draft, info.number)
            except OKRError as exc:
                self.okr_app.say(str(exc), severity="error")
                return
            self.marked = None
            self.reload()
            self.query_one(DataTable).move_cursor(row=0)
            self.okr_app.say(f"Restored v{info.number} as v{result.version.number}")

        question = Text.assemble(
            "Restore ",
            (f"v{info.number}", "bold"),
            " as a new version? (history is kept)",
        )
        self.app.push_screen(ConfirmDialog(question, yes="Restore"), confirmed)

    def action_back(self) -> None:
        self.dismiss()
