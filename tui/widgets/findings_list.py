"""The findings list: a ``ListView`` whose keys move the highlight, not only the view.

Group headings (the objective or KR a run of cards is about) are disabled items:
Home/End/PgUp/PgDn skip them like up/down do, and the heading of the highlighted
card is scrolled into view with it, so the card's target id and text stay visible.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import ListItem, ListView


class FindingsList(ListView):
    """Finding cards under their group headings; the highlight keeps its heading in view."""

    BINDINGS = [
        Binding("home", "edge(-1)", "First finding", show=False),
        Binding("end", "edge(1)", "Last finding", show=False),
        Binding("pageup", "page(-1)", "Findings a page up", show=False),
        Binding("pagedown", "page(1)", "Findings a page down", show=False),
    ]

    def _cards(self) -> list[int]:
        return [i for i, item in enumerate(self.children) if not item.disabled]

    def action_edge(self, direction: int) -> None:
        cards = self._cards()
        if cards:
            self.index = cards[-1] if direction > 0 else cards[0]

    def action_page(self, direction: int) -> None:
        """Move the highlight about one screenful of cards up or down."""
        cards = self._cards()
        if not cards:
            return
        if self.index is None:
            self.action_edge(direction)
            return
        page = max(self.scrollable_content_region.height, 1)
        children = list(self.children)
        here = self.index
        travelled = 0
        target = here
        step = 1 if direction > 0 else -1
        i = here + step
        while 0 <= i < len(children):
            travelled += children[i].outer_size.height
            if not children[i].disabled:
                target = i
                if travelled >= page:
                    break
            i += step
        self.index = target

    def watch_index(self, old_index: int | None, new_index: int | None) -> None:
        super().watch_index(old_index, new_index)
        if new_index is not None:
            self.call_after_refresh(self._show_heading)

    def on_show(self) -> None:
        """Shown again (the narrow layout switched panes): bring the highlight into view."""
        self.call_after_refresh(self.scroll_to_highlight)

    def on_resize(self) -> None:
        self.call_after_refresh(self.scroll_to_highlight)

    def scroll_to_highlight(self) -> None:
        """Scroll the highlighted card (with its heading when both fit) into view."""
        item = self.highlighted_child
        if item is not None:
            self.scroll_to_widget(item, animate=False)
            self._show_heading()

    def _show_heading(self) -> None:
        """Scroll the highlighted card's group heading into view with it (the card alone
        when both do not fit)."""
        index = self.index
        children = list(self.children)
        if index is None or not 0 <= index < len(children):
            return
        card = children[index]
        heading: ListItem | None = None
        for i in range(index - 1, -1, -1):
            if children[i].disabled:
                heading = children[i]  # type: ignore[assignment]
                break
        if heading is None:
            self.post_message(self.HeadingHidden(None))
            return
        region = heading.virtual_region.union(card.virtual_region)
        if region.height <= self.scrollable_content_region.height:
            self.scroll_to_region(region, animate=False)
            self.post_message(self.HeadingHidden(None))
        else:
            self.post_message(self.HeadingHidden(heading))

    class HeadingHidden(Message):
        """The highlighted card's group heading does not fit with it: ``heading`` is the
        item to pin above the list (None: the heading is in view)."""

        def __init__(self, heading: ListItem | None) -> None:
            super().__init__()
            self.heading = heading
