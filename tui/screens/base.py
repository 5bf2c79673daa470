"""The base of okr-coach's screens: the one typed way to reach the running ``OKRApp``
(and through it the process's ``App``, ``okr_app.core``), and the one rule for keys
that cannot act now: a screen says why in ``why_not``; the key then leaves the footer
and the command palette, and pressing it shows that line (never only the bell)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Protocol, TypeVar, cast, runtime_checkable

from textual import events, on
from textual.actions import parse
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, ListView
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from assistant.app import App as Core
    from tui.app import OKRApp

ResultT = TypeVar("ResultT")


def does(binding: Binding) -> str:
    """What a key does, in words: its tooltip (the long form), else its footer label."""
    return binding.tooltip or binding.description


def declared_bindings(node: DOMNode | type[DOMNode]) -> list[Binding]:
    """The bindings okr-coach's classes declare for ``node`` (its class and its bases in
    ``tui``; Textual's built-in widget keys are Textual's), one per key."""
    cls = node if isinstance(node, type) else type(node)
    found: list[BindingType] = []
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("tui.") and "BINDINGS" in vars(base):
            found += vars(base)["BINDINGS"]
    return list(Binding.make_bindings(found))


@runtime_checkable
class Unsaved(Protocol):
    """A screen holding typed text that leaving would lose (the editor, the idea, the
    guided form): ``leave(go)`` asks first when ``dirty``, then runs ``go``."""

    @property
    def dirty(self) -> bool: ...

    def leave(self, go: Callable[[], object]) -> object: ...


class OKRScreen(Screen[ResultT]):
    """A screen of the okr-coach app (its use cases, settings and notifications)."""

    @property
    def okr_app(self) -> OKRApp:
        """The app this screen runs in, typed (``Screen.app`` is any ``App``)."""
        return cast("OKRApp", self.app)

    @property
    def core(self) -> Core:
        """The process's ``App``: every use case a screen awaits is one of its methods."""
        return self.okr_app.core

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker of this screen failed unexpectedly: say so in one line (workers run
        with ``exit_on_error=False``: a failure never ends the app). A worker that
        started or ended may change which keys can act: the footer follows."""
        if event.state is WorkerState.ERROR:
            self.okr_app.failed(event.worker.error)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    @on(ListView.Highlighted)
    def _keys_follow_the_highlight(self) -> None:
        """The keys that act may depend on the row highlighted (restore the latest
        version, accept a finding): the footer follows."""
        self.refresh_bindings()

    # --- keys that cannot act now --------------------------------------------------------------

    def why_not(self, action: str, parameters: tuple[object, ...]) -> str | None:
        """Why this screen's ``action`` cannot act now, in one line (None: it can).
        Screens override it; call ``refresh_bindings()`` when the answer may change."""
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A key that cannot act now is not in the footer (nor in the palette)."""
        return self.why_not(action, parameters) is None

    _keys_shown: tuple[tuple[str, str, bool], ...] | None = None

    def refresh_bindings(self) -> None:
        """Redraw the footer, only when the keys that act have changed: screens call this
        whenever they might have (a worker ended, a row was highlighted), and a footer
        redrawn for nothing flickers."""
        keys = tuple(
            (key, active.binding.action, active.enabled)
            for key, active in self.active_bindings.items()
        )
        if keys != self._keys_shown:
            self._keys_shown = keys
            super().refresh_bindings()

    def _own_keys(self, key: str) -> Iterator[tuple[str, tuple[object, ...]]]:
        for binding in declared_bindings(self):
            if binding.key == key:
                namespace, action, parameters = parse(binding.action)
                if not namespace:
                    yield action, parameters

    def on_key(self, event: events.Key) -> None:
        """A key of this screen that nothing acts on now says why in one line."""
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled:
            return  # a binding acts on it (this screen's, a widget's or the app's)
        for action, parameters in self._own_keys(event.key):
            reason = self.why_not(action, parameters)
            if reason:
                event.stop()
                event.prevent_default()
                self.okr_app.say(reason, severity="warning")
                return
