"""The help screen (``?`` / F1): every key binding of the screen it was opened from.

The footer only has room for the few keys that matter most at 80 columns; this
screen is where every other key is named, grouped by where it works (the screen,
a panel of it when focused, everywhere).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen

from tui.safe import SafeStatic as Static
from tui.screens.base import declared_bindings, does
from tui.screens.dialogs import Dialog

# Where a group of keys works, by the class that defines them (default: its class name).
PLACES = {
    "OKRApp": "Everywhere",
    "EditorScreen": "Editor",
    "CritiquePanel": "Critique panel (f2 to focus it)",
    "FindingsList": "Findings list",
    "DraftsScreen": "Drafts",
    "HistoryScreen": "History",
    "ReviewScreen": "Review",
    "LearnScreen": "Learn",
    "SettingsScreen": "Settings",
    "CycleScreen": "Cycle",
    "IdeaScreen": "New draft from an idea",
    "GuidedScreen": "New draft, guided",
}


def place_of(node: object) -> str:
    """Where the keys of ``node`` work, in words (its class name when not listed)."""
    name = type(node).__name__
    return PLACES.get(name, name)


def _own_bindings(node: DOMNode) -> list[Binding]:
    """The bindings ``node``'s okr-coach classes declare (Textual's built-in widget keys,
    like the text area's editing keys, are left to Textual's own docs)."""
    return [b for b in declared_bindings(node) if b.description]


def binding_groups(screen: Screen[object]) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(place, [(keys, what they do), …]), …]`` for ``screen``, its widgets and the app:
    keys bound to the same action are shown together (``ctrl+delete / alt+d``)."""
    app = screen.app
    nodes: list[DOMNode] = [screen, *screen.query("*"), app]
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    seen: set[type] = set()
    for node in nodes:
        if type(node) in seen:
            continue
        seen.add(type(node))
        rows = _rows(app.get_key_display, _own_bindings(node))
        if rows:
            groups.append((place_of(node), rows))
    return groups


def _rows(display: Callable[[Binding], str], bindings: Iterable[Binding]) -> list[tuple[str, str]]:
    merged: dict[tuple[str, str], list[str]] = {}
    for binding in bindings:
        keys = merged.setdefault((binding.action, does(binding)), [])
        shown = display(binding)
        if shown not in keys:
            keys.append(shown)
    return [(" / ".join(keys), description) for (_, description), keys in merged.items()]


def help_text(screen: Screen[object]) -> Text:
    lines: list[Text] = []
    for place, rows in binding_groups(screen):
        if lines:
            lines.append(Text(""))
        lines.append(Text(place, style="bold underline"))
        width = max(len(keys) for keys, _ in rows)
        lines += [
            Text.assemble((f"  {keys:<{width}}  ", "bold cyan"), description)
            for keys, description in rows
        ]
    lines += [
        Text(""),
        Text(
            "? / F1 this help · ctrl+p every command by name · Esc, q or ? closes it", style="dim"
        ),
    ]
    return Text("\n").join(lines)


class HelpScreen(Dialog[None]):
    """The keys of the screen below, scrollable; Esc, q, ? or F1 closes it."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__(classes="dialog-screen")
        self.text = help_text(screen)

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide help", id="help"):
            yield Static(Text("Keys", style="bold"), classes="dialog-text")
            yield Static(self.text, id="help-keys")

    def on_mount(self) -> None:
        self.query_one("#help", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
