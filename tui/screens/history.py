"""A draft's versions: message, source, score trend; diff any two; restore one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header

from assistant.domain.drafts import VersionInfo
from assistant.errors import OKRError
from assistant.render import ago
from assistant.render.diff import diff_renderable
from tui.safe import SafeStatic, literal
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
        question = Text.assemble(
            "Restore ",
            (f"v{info.number}", "bold"),
            " as a new version? (history is kept)",
        )
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Restore")):
            return
        try:
            result = await self.core.restore(self.draft, info.number)
        except OKRError as exc:
            self.okr_app.say(str(exc), severity="error")
            return
        self.marked = None
        self.reload(row=0)
        self.okr_app.say(f"Restored v{info.number} as v{result.version.number}")

    def action_back(self) -> None:
        self.dismiss()
