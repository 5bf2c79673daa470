"""The critique panel: score bars, findings grouped by objective/KR, and their actions.

It only displays what the editor screen gives it and reports what the user
asked for (accept / edit / dismiss / restore dismissed) as messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from difflib import SequenceMatcher
from time import monotonic

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, ListItem, ListView

from assistant.model import Finding, OKRSet, Scores
from tui.safe import SafeStatic as Static
from tui.safe import literal
from tui.screen_text import SPINNER, finding_card, score_block, target_heading
from tui.suggestions import Suggestion
from tui.widgets.findings_list import FindingsList


class FindingItem(ListItem):
    """One finding card in the list."""

    def __init__(
        self, signature: str, finding: Finding, suggestion: Suggestion | None, text: str
    ) -> None:
        self.signature = signature
        self.card = finding_card(finding, suggestion, text)
        super().__init__(Static(self.card, classes="card"))
        self.finding = finding
        self.suggestion = suggestion

    @property
    def key(self) -> str:
        """The finding's key (the one dismissals are stored by)."""
        return self.signature.removeprefix("F:")

    def on_resize(self) -> None:
        """The highlighted card grew or shrank (re-wrapped when the list's scrollbar came,
        its text updated): keep it in view."""
        listing = self.parent
        if self.highlighted and isinstance(listing, FindingsList):
            listing.call_after_refresh(listing.scroll_to_highlight)

    def show(self, signature: str, payload: tuple[Finding, Suggestion | None, str]) -> None:
        """Show another finding in this card (cheaper than a new widget while typing)."""
        self.signature = signature
        self.finding, self.suggestion, text = payload
        card = finding_card(self.finding, self.suggestion, text)
        if card != self.card:
            self.card = card
            self.query_one(Static).update(card)


class GroupItem(ListItem):
    """The objective or KR a group of findings is about (not selectable)."""

    def __init__(self, signature: str, heading: Text) -> None:
        self.signature = signature
        self.heading = heading
        super().__init__(Static(heading, classes="group"), disabled=True)

    def show(self, signature: str, heading: Text) -> None:
        self.signature = signature
        if heading != self.heading:
            self.heading = heading
            self.query_one(Static).update(heading)


def _item(signature: str, payload: object) -> ListItem:
    if isinstance(payload, Text):
        return GroupItem(signature, payload)
    return FindingItem(signature, *payload)  # type: ignore[misc]


class CritiquePanel(Vertical):
    """Scores, then findings; keys act on the highlighted finding."""

    BINDINGS = [
        # Not in the footer: the buttons below the list name these keys.
        Binding("a", "act('accept')", "Accept (or fill in) the highlighted finding", show=False),
        Binding("e", "act('edit')", "Edit its rewrite, then accept", show=False),
        Binding("d", "act('dismiss')", "Dismiss it for this version", show=False),
        Binding("u", "act('undismiss')", "Undismiss all", show=False),
    ]

    class Act(Message):
        """The user asked to accept, edit, dismiss or undismiss."""

        def __init__(
            self, action: str, finding: Finding | None, suggestion: Suggestion | None
        ) -> None:
            super().__init__()
            self.action = action
            self.finding = finding
            self.suggestion = suggestion

    class Highlighted(Message):
        """A finding was highlighted: the editor selects its evidence."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lock = asyncio.Lock()
        self._status = Text("")
        self._busy: str | None = None
        self._busy_since = 0.0
        self._spin: Timer | None = None
        self.border_title = "Critique"

    def compose(self) -> ComposeResult:
        yield Static(score_block(None), id="scores")
        yield Static("", id="panel-status")
        yield Static("", id="pinned-heading")
        yield FindingsList(id="findings")
        with Horizontal(id="panel-actions"):
            yield Button("Accept (a)", id="act-accept", variant="success", compact=True)
            yield Button("Edit (e)", id="act-edit", variant="primary", compact=True)
            yield Button("Dismiss (d)", id="act-dismiss", variant="warning", compact=True)
        # What the LLM guards kept and threw away on the last coach run (one line).
        yield Static("", id="llm-guards")

    # --- display -----------------------------------------------------------------------------

    @property
    def findings(self) -> list[Finding]:
        return [item.finding for item in self.query(FindingItem)]

    @property
    def selected(self) -> FindingItem | None:
        child = self.query_one(ListView).highlighted_child
        return child if isinstance(child, FindingItem) else None

    def set_scores(self, scores: Scores | None) -> None:
        self.query_one("#scores", Static).update(score_block(scores))

    def set_guards(self, line: str | None) -> None:
        """The coach's ``llm: 2 findings kept, 7 dropped: …`` line (None clears it)."""
        self.query_one("#llm-guards", Static).update(literal(line or "", "dim"))

    def set_status(self, status: Text) -> None:
        self._status = status
        if self._busy is None:
            self._show_status(status)

    async def show(
        self, okr_set: OKRSet | None, cards: Sequence[tuple[str, Finding, Suggestion | None]]
    ) -> None:
        """Show the findings of ``cards`` (key, finding, its suggestion) grouped by target.

        Only what changed is touched: cards whose finding is still there are updated
        in place, and only new findings are mounted, so a pause in typing costs a few
        milliseconds even with dozens of cards.
        """
        rows: list[tuple[str, Text | tuple[Finding, Suggestion | None, str]]] = []
        order: dict[str, list[tuple[str, Finding, Suggestion | None]]] = {}
        for card in cards:
            order.setdefault(card[1].target, []).append(card)
        for target, group in order.items():
            text = _target_text(okr_set, target)
            evidence = [f.evidence for _, f, _ in group]
            rows.append((f"G:{target}", target_heading(target, text, evidence)))
            rows += [(f"F:{key}", (f, suggestion, text)) for key, f, suggestion in group]
        async with self._lock:
            listing = self.query_one(ListView)
            children = [c for c in listing.children if isinstance(c, GroupItem | FindingItem)]
            previous = self.selected.key if self.selected else None
            # Where the highlight was, as a count of cards: when its finding goes (dismissed,
            # accepted) the highlight moves to the next one instead of back to the top.
            place = sum(1 for c in children[: listing.index or 0] if isinstance(c, FindingItem))
            matcher = SequenceMatcher(
                None, [c.signature for c in children], [sig for sig, _ in rows], autojunk=False
            )
            changed = False
            for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
                if tag == "equal" or (
                    tag == "replace"
                    and i2 - i1 == j2 - j1
                    and all(
                        c.signature[0] == sig[0]
                        for c, (sig, _) in zip(children[i1:i2], rows[j1:j2], strict=True)
                    )
                ):
                    for child, (sig, payload) in zip(children[i1:i2], rows[j1:j2], strict=True):
                        child.show(sig, payload)  # type: ignore[arg-type]
                    continue
                changed = True
                if i2 > i1:
                    await listing.remove_children(children[i1:i2])
                if j2 > j1:
                    new = [_item(sig, payload) for sig, payload in rows[j1:j2]]
                    if i1 > 0:
                        await listing.mount(*new, after=children[i1 - 1])
                    elif listing.children:
                        await listing.mount(*new, before=0)
                    else:
                        await listing.mount(*new)
            if not changed and listing.index is not None:
                return
            shown = [
                (i, item)
                for i, item in enumerate(listing.children)
                if isinstance(item, FindingItem)
            ]
            same = [i for i, item in shown if previous is not None and item.key == previous]
            nearby = [i for i, _ in shown[min(place, len(shown) - 1) :]] if shown else []
            first: list[int | None] = [*same, *nearby, None]
            listing.index = first[0]
        self._update_buttons()

    class StatusShown(Message):
        """The status line changed (the editor repeats it while the panel is hidden)."""

        def __init__(self, status: Text) -> None:
            super().__init__()
            self.status = status

    def _show_status(self, status: Text) -> None:
        self.query_one("#panel-status", Static).update(status)
        self.post_message(self.StatusShown(status))

    # --- busy state (LLM worker) -------------------------------------------------------------

    def busy(self, label: str | None) -> None:
        """Show a spinner with ``label`` (None: back to the normal status line)."""
        self._busy = label
        if label is None:
            if self._spin is not None:
                self._spin.stop()
                self._spin = None
            self._show_status(self._status)
            self.remove_class("-busy")
            return
        self.add_class("-busy")
        self._busy_since = monotonic()
        if self._spin is None:
            self._spin = self.set_interval(0.1, self._tick)
        self._tick()

    @property
    def is_busy(self) -> bool:
        return self._busy is not None

    def _tick(self) -> None:
        if self._busy is None:
            return
        elapsed = monotonic() - self._busy_since
        frame = SPINNER[int(elapsed * 10) % len(SPINNER)]
        self._show_status(
            Text.assemble(
                (f"{frame} ", "bold magenta"),
                (self._busy, "bold"),
                (f" {elapsed:.0f}s · Esc cancels", "dim"),
            )
        )

    # --- actions -----------------------------------------------------------------------------

    def action_act(self, action: str) -> None:
        item = self.selected
        if self.stale or (item is None and action != "undismiss"):
            why = (
                "The text does not parse: fix it to act on the findings"
                if self.stale
                else "No finding is highlighted: there is none to act on"
            )
            self.app.notify(why, severity="warning")  # one line, never only the bell
            return
        self.post_message(
            self.Act(action, item.finding if item else None, item.suggestion if item else None)
        )

    @on(Button.Pressed, "#panel-actions Button")
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_act((event.button.id or "").removeprefix("act-"))

    @on(ListView.Highlighted, "#findings")
    def _highlighted(self, event: ListView.Highlighted) -> None:
        event.stop()
        self._update_buttons()
        if isinstance(event.item, FindingItem):
            self.post_message(self.Highlighted(event.item.finding))

    @on(FindingsList.HeadingHidden)
    def _pin_heading(self, event: FindingsList.HeadingHidden) -> None:
        """Pin the highlighted card's target (id and text) above the list when its group
        heading is scrolled out of view."""
        event.stop()
        pinned = self.query_one("#pinned-heading", Static)
        item = event.heading
        # The line is always there (empty when the heading is in view): showing it never
        # resizes the list, so the highlighted card never moves twice.
        text = item.heading.copy() if isinstance(item, GroupItem) else Text("")
        text.no_wrap, text.overflow = True, "ellipsis"
        pinned.update(text)
        pinned.set_class(bool(text), "-pinned")

    # --- stale state and the buttons ---------------------------------------------------------

    @property
    def stale(self) -> bool:
        """True while the text does not parse: the cards are the last good critique."""
        return self.has_class("-stale")

    def to_top(self) -> None:
        """Scroll the findings back to the first card (another version was loaded)."""
        listing = self.query_one(ListView)
        listing.scroll_home(animate=False)
        if any(isinstance(c, FindingItem) for c in listing.children):
            listing.index = next(
                i for i, c in enumerate(listing.children) if isinstance(c, FindingItem)
            )

    def set_stale(self, stale: bool) -> None:
        self.set_class(stale, "-stale")
        self._update_buttons()

    def _update_buttons(self) -> None:
        """Accept says "Fill in" when the highlighted rewrite has blanks (accepting opens the
        dialog at the first one); nothing can be acted on while the panel is stale."""
        item = self.selected
        blanks = item is not None and item.suggestion is not None and not item.suggestion.ready
        accept = self.query_one("#act-accept", Button)
        label = "Fill in (a)" if blanks else "Accept (a)"
        if str(accept.label) != label:
            accept.label = label
            accept.refresh(layout=True)  # the new label is wider
        for button in self.query("#panel-actions Button").results(Button):
            button.disabled = self.stale
        # With no finding there is nothing to accept, edit or dismiss: no buttons.
        self.query_one("#panel-actions").display = bool(self.findings)


def _target_text(okr_set: OKRSet | None, target: str) -> str:
    if okr_set is None:
        return ""
    try:
        return okr_set.target_text(target)
    except (IndexError, ValueError):
        return ""
