"""Small modal dialogs: confirm, ask for a line of text or a path, edit a rewrite,
unsaved changes, import into an existing draft.

Every dialog is a ``Dialog``: it shows its own keys in its own footer (never the
keys of the screen below, which do nothing while it is open) over the dimmed screen.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input
from textual.widgets.input import Selection

from tui.safe import SafeInput, literal, shown
from tui.safe import SafeStatic as Static
from tui.screen_text import delta_text

# Arrow keys move between a dialog's buttons (an input keeps them for its cursor).
BUTTON_KEYS = [
    Binding("left,up", "app.focus_previous", "Previous button", show=False,
            tooltip="Dialogs: the previous button (or field)"),
    Binding("right,down", "app.focus_next", "Next button", show=False,
            tooltip="Dialogs: the next button (or field)"),
]  # fmt: skip


ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal dialog with its own footer: the keys that act while it is open."""

    def on_mount(self) -> None:
        self.mount(Footer())


class ConfirmDialog(Dialog[bool]):
    """Yes/no question; Enter or y confirms, Esc or n cancels."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", tooltip="Yes: do what the question asks"),
        Binding("n,escape", "answer(False)", "No", tooltip="No: leave things as they are"),
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


class UnsavedDialog(Dialog[str]):
    """Leaving with unsaved edits: 'save', 'discard' or 'cancel'."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save", tooltip="Unsaved edits: save them as a version"),
        Binding("d", "choose('discard')", "Discard", tooltip="Unsaved edits: throw them away"),
        Binding("escape,c", "choose('cancel')", "Cancel", tooltip="Unsaved edits: keep editing"),
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


class FormDialog(Dialog[ResultT]):
    """A dialog of text inputs with OK and Cancel: Enter moves to the next input and
    submits from ``LAST_FIELD`` (from any input when it is None), OK submits, Esc or
    Cancel dismisses with None, asking first when text was typed (it would be lost).
    Subclasses say what submitting means."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", tooltip="Close the dialog, nothing done"),
        *BUTTON_KEYS,
    ]
    LAST_FIELD: str | None = None
    _opened_with: dict[str, str] | None = None

    def on_mount(self) -> None:
        self._opened_with = self._values()

    def _values(self) -> dict[str, str]:
        fields = self.query(Input).results(Input)
        return {field.id or str(n): field.value for n, field in enumerate(fields)}

    @property
    def typed(self) -> bool:
        """Text typed since the dialog opened: cancelling would lose it."""
        opened = self._opened_with or {}
        return any(v.strip() and v != opened.get(k, "") for k, v in self._values().items())

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
            self.action_cancel()

    def action_cancel(self) -> None:
        """Close with None; asks first when text typed would be lost."""
        if not self.typed:
            self.dismiss(None)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = "Throw away what you typed?"
        self.app.push_screen(ConfirmDialog(question, yes="Discard", no="Keep it"), answer)


class _TextDialog(FormDialog[str | None]):
    """A dialog with one text input: Enter or OK submits."""


class PromptDialog(_TextDialog):
    """Ask for one line of text (a draft name, a version message, a file path).

    ``validate`` checks the value; ``submit`` (awaited) then acts on it while the dialog
    stays open: the problem either returns is shown under the value, which is kept to
    correct, and the dialog closes only once the value is accepted (keys typed
    meanwhile go to the dialog, never to the screen below)."""

    def __init__(
        self,
        question: str,
        value: str = "",
        *,
        placeholder: str = "",
        validate: Callable[[str], str | None] | None = None,
        submit: Callable[[str], Awaitable[str | None]] | None = None,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.check = validate
        self.act = submit
        self.busy = False

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

    def problem(self, text: str, style: str = "red") -> None:
        """Say what is wrong (or what is going on) under the value."""
        self.query_one("#problem", Static).update(literal(text, style))

    def _value(self) -> str:
        return self.query_one(Input).value.strip()

    def _submit(self) -> None:
        if self.busy:
            return
        value = self._value()
        problem = "it cannot be empty" if not value else self.check(value) if self.check else None
        if problem:
            self.problem(problem)
            return
        if self.act is None:
            self.dismiss(value)
            return
        self.busy = True
        self.problem("working…", "dim")
        self._act(value)

    @work(group="submit", exit_on_error=False)
    async def _act(self, value: str) -> None:
        try:
            problem = await self.act(value) if self.act is not None else None
        finally:
            self.busy = False
        if problem is None:
            self.dismiss(value)
        else:
            self.problem(problem)
            self.query_one(Input).focus()


def complete_path(text: str) -> tuple[str, list[str]]:
    """``text`` (``~`` expanded) completed as far as the names it can still mean agree,
    and those names (folders end with a separator; hidden ones only when asked for)."""
    expanded = os.path.expanduser(text)
    folder, prefix = os.path.split(expanded)
    try:
        entries = list(os.scandir(folder or "."))
    except OSError:
        return expanded, []
    names = sorted(
        entry.name + (os.sep if _is_dir(entry) else "")
        for entry in entries
        if entry.name.startswith(prefix) and (prefix.startswith(".") or entry.name[0] != ".")
    )
    if not names:
        return expanded, []
    return os.path.join(folder, os.path.commonprefix(names)), names


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


class PathDialog(PromptDialog):
    """Ask for a file's path: ``~`` means the home folder, Tab completes the path (the
    names it could still be are listed when there are several)."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", priority=True, tooltip="Complete the path typed")
    ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "complete":  # only in the path: elsewhere Tab moves between buttons
            return self.query_one(Input).has_focus
        return True

    def _value(self) -> str:
        return os.path.expanduser(super()._value())

    def action_complete(self) -> None:
        field = self.query_one(Input)
        completed, names = complete_path(field.value)
        field.value = completed
        field.cursor_position = len(completed)
        if len(names) > 1:
            listed = "  ".join(names[:12]) + ("  …" if len(names) > 12 else "")
            self.problem(f"{len(names)} match: {listed}", "dim")
        elif not names:
            where = os.path.dirname(completed) or "."
            exists = Path(where).is_dir()
            self.problem("no file starts so" if exists else f"no folder {where}", "yellow")
        else:
            self.problem("")


class ExistingDraftDialog(Dialog[str]):
    """Importing a file whose set names a draft that exists: ``version`` (its next
    version), ``new`` (a new draft; only for a file of one set) or ``cancel``."""

    BINDINGS = [
        Binding("v", "choose('version')", "New version of it",
                tooltip="Import into a draft that exists: as its next version"),
        Binding("n", "choose('new')", "New draft",
                tooltip="Import into a draft that exists: as a new draft instead"),
        Binding("c,escape", "choose('cancel')", "Cancel",
                tooltip="Import into a draft that exists: import nothing"),
        *BUTTON_KEYS,
    ]  # fmt: skip

    def __init__(self, path: str, names: list[str], *, single: bool) -> None:
        super().__init__(classes="dialog-screen")
        self.path, self.names, self.single = path, names, single

    def compose(self) -> ComposeResult:
        listed = ", ".join(f"'{name}'" for name in self.names)
        exists = (
            f"A draft named {listed} exists."
            if len(self.names) == 1
            else f"Drafts named {listed} exist."
        )
        question = Text.assemble(
            literal(exists, "bold"), " Import ", literal(self.path, "italic"), " as…"
        )
        with Vertical(classes="dialog"):
            yield Static(question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                one = len(self.names) == 1
                label = "New version of it (v)" if one else "Their new versions (v)"
                yield Button(label, variant="primary", id="version", compact=True)
                if self.single:
                    yield Button("New draft (n)", id="new", compact=True)
                yield Button("Cancel (c)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#version", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.single or parameters != ("new",)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


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
        if not self.is_attached or not self.query(Input):
            return  # the dialog closed while the rules scored (an error here ends the app)
        if self.query_one(Input).value == text:
            self.query_one("#delta", Static).update(self._message(text, delta_text(delta)))

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._update(event.value)

    def _submit(self) -> None:
        text = " ".join(self.query_one(Input).value.split())
        blanks = self.blanks(text)
        if not text or text == self.current or blanks:
            self._update(text)
            why = f"fill in {', '.join(blanks)} first" if blanks else "type the new text first"
            self.app.notify(shown(why), severity="warning", markup=False)
            return
        self.dismiss(text)
