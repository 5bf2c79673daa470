"""Small modal dialogs: confirm, ask for a line of text, edit a rewrite, unsaved changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input
from textual.widgets.input import Selection

from tui.safe import SafeInput, literal
from tui.safe import SafeStatic as Static
from tui.texts import delta_text

# Arrow keys move between a dialog's buttons (an input keeps them for its cursor).
BUTTON_KEYS = [
    Binding("left,up", "app.focus_previous", "Previous button", show=False),
    Binding("right,down", "app.focus_next", "Next button", show=False),
]


class ConfirmDialog(ModalScreen[bool]):
    """Yes/no question; Enter or y confirms, Esc or n cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
        *BUTTON_KEYS,
    ]

    def __init__(self, question: Text | str, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question if isinstance(question, Text) else literal(question)
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="yes", compact=True)
                yield Button(f"{self.no} (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class UnsavedDialog(ModalScreen[str]):
    """Leaving with unsaved edits: 'save', 'discard' or 'cancel'."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("escape,c", "choose('cancel')", "Cancel"),
        *BUTTON_KEYS,
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text("This draft has unsaved changes. Save them as a new version?"),
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (s)", variant="primary", id="save", compact=True)
                yield Button("Discard (d)", variant="error", id="discard", compact=True)
                yield Button("Cancel (c)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


ResultT = TypeVar("ResultT")


class FormDialog(ModalScreen[ResultT]):
    """A dialog of text inputs with OK and Cancel: Enter moves to the next input and
    submits from ``LAST_FIELD`` (from any input when it is None), OK submits, Esc or
    Cancel dismisses with None. Subclasses say what submitting means."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), *BUTTON_KEYS]
    LAST_FIELD: str | None = None

    def _submit(self) -> None:
        raise NotImplementedError

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        if self.LAST_FIELD is None or event.input.id == self.LAST_FIELD:
            self._submit()
        else:
            self.focus_next()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class _TextDialog(FormDialog[str | None]):
    """A dialog with one text input: Enter or OK submits."""


class PromptDialog(_TextDialog):
    """Ask for one line of text (a draft name, a version message, a file path)."""

    def __init__(
        self,
        question: str,
        value: str = "",
        *,
        placeholder: str = "",
        validate: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.check = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.question), classes="dialog-text")
            yield SafeInput(self.value, placeholder=self.placeholder, id="answer")
            yield Static("", id="problem", classes="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", variant="primary", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _submit(self) -> None:
        value = self.query_one(Input).value.strip()
        problem = "it cannot be empty" if not value else self.check(value) if self.check else None
        if problem:
            self.query_one("#problem", Static).update(literal(problem, "red"))
            return
        self.dismiss(value)


class RewriteDialog(_TextDialog):
    """Edit a suggested rewrite before accepting it; the score change updates as you type
    (scored in a thread: re-critiquing a big set never holds up the keys)."""

    def __init__(
        self,
        target: str,
        current: str,
        proposal: str,
        score: Callable[[str], int | None],
        blanks: Callable[[str], tuple[str, ...]],
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.target = target
        self.current = current
        self.proposal = proposal
        self.score = score
        self.blanks = blanks

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(
                Text.assemble(
                    ("Rewrite ", "bold"), literal(self.target, "bold blue"), ("  now: ", "dim")
                )
                + literal(self.current, "dim"),
                classes="dialog-text",
            )
            yield SafeInput(self.proposal, id="rewrite")
            yield Static("", id="delta", classes="dialog-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Accept", variant="success", id="ok", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        blanks = self.blanks(self.proposal)
        if blanks:
            start = self.proposal.find(blanks[0])
            field.selection = Selection(start, start + len(blanks[0]))
        self._update(self.proposal)

    def _update(self, text: str) -> None:
        unchanged = " ".join(text.split()) == self.current
        if not text.strip() or (unchanged and not self.blanks(text)):
            self.query_one("#delta", Static).update(Text("type the new text", style="dim"))
            return
        self.query_one("#delta", Static).update(self._message(text, Text("…", style="dim")))
        self._score(text)

    def _message(self, text: str, delta: Text) -> Text:
        """What accepting would change: the whole set's overall score, the number the
        finding's card shows (blanks scored as if filled in, as there)."""
        blanks = self.blanks(text)
        message = Text.assemble(
            "score change if accepted: ", delta, (" (the whole set's overall score)", "dim")
        )
        if blanks:
            message = Text.assemble(
                (f"fill in {', '.join(blanks)} before accepting", "yellow"), " · ", message
            )
        return message

    @work(exclusive=True, group="score")
    async def _score(self, text: str) -> None:
        delta = await asyncio.to_thread(self.score, text)
        if self.query_one(Input).value == text:
            self.query_one("#delta", Static).update(self._message(text, delta_text(delta)))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._update(event.value)

    def _submit(self) -> None:
        text = " ".join(self.query_one(Input).value.split())
        if not text or text == self.current or self.blanks(text):
            self._update(text)
            self.app.bell()
            return
        self.dismiss(text)
