"""The editor's keys that are about the text's structure and the layout, not the critique:
add / move / delete an item (``tui.editing`` does the line work), switch between the
text and the findings (one pane at a time below 100 columns). Part of ``EditorScreen``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.widgets.text_area import Selection

from tui import editing
from tui.safe import safe_rich_text
from tui.screens.editor_findings import FindingActions
from tui.widgets.critique_panel import CritiquePanel

if TYPE_CHECKING:
    from textual.widgets import TextArea


class EditorKeys(FindingActions):
    """Structure-aware editing and pane switching, for ``EditorScreen``."""

    if TYPE_CHECKING:  # provided by EditorScreen

        @property
        def editor(self) -> TextArea: ...
        @property
        def panel(self) -> CritiquePanel: ...

    _quote: Selection | None = None  # the finding's quote selected in the text (EditorScreen)

    # --- structure-aware editing -------------------------------------------------------------

    def _apply(self, edit: editing.Edit | None, why: str = "") -> None:
        """Make a structural edit as one undoable change of the text area (``why``: the
        one line said when there is nothing to edit here, never only the bell)."""
        if edit is None:
            self.okr_app.say(why or "Nothing to edit here", severity="warning")
            return
        editor = self.editor
        new = editing.apply(editor.text, edit)
        editor.replace(new, (0, 0), editor.document.end, maintain_selection_offset=False)
        editor.move_cursor(edit.cursor, center=False)
        editor.scroll_cursor_visible()
        editor.focus()

    def _row(self) -> int:
        return self.editor.cursor_location[0]

    def action_add_kr(self) -> None:
        self._apply(
            editing.add_key_result(self.editor.text, self._row()),
            "Put the cursor in an objective first: the key result goes under it",
        )

    def action_add_objective(self) -> None:
        self._apply(editing.add_objective(self.editor.text, self._row()))

    def action_move(self, direction: int) -> None:
        where = "first" if direction < 0 else "last"
        self._apply(
            editing.move_item(self.editor.text, self._row(), direction),
            f"This is the {where} one: nothing to move it past",
        )

    def action_delete_item(self) -> None:
        self._apply(editing.delete_item(self.editor.text, self._row()), "Nothing to delete here")

    def action_toggle_focus(self) -> None:
        """Switch between the text and the findings (the pane shown, when narrow)."""
        if self.editor.has_focus:
            self.set_class(True, "-panel")
            self.query_one("#findings").focus()
        else:
            self.set_class(False, "-panel")
            self._drop_quote()  # before the focus moves: the next key may be queued already
            self.editor.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """The pane shown when narrow follows the focus (tab, a click, a test's focus())."""
        self.set_class(self.panel in event.widget.ancestors_with_self, "-panel")
        if event.widget is self.editor:
            self._drop_quote()

    def _drop_quote(self) -> None:
        """Back in the text, the finding's quote selected while browsing the findings
        becomes the cursor at its start: the next key types there instead of replacing
        the quoted words (a selection the user made stays)."""
        quote, self._quote = self._quote, None
        editor = self.editor
        if quote is not None and editor.selection == quote:
            editor.selection = Selection.cursor(quote.start)

    @on(CritiquePanel.StatusShown)
    def _panel_status(self, event: CritiquePanel.StatusShown) -> None:
        """The panel's status (findings count, the coach's spinner) under the text too, so
        it is seen while the narrow layout shows the text alone."""
        status = event.status.copy()
        status.append("  f2: findings", "dim")
        self.editor.border_subtitle = safe_rich_text(status)
