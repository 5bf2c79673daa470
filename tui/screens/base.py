"""The base of okr-coach's screens: the one typed way to reach the running ``OKRApp``
(and through it the process's ``App``, ``okr_app.core``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from assistant.app import App as Core
    from tui.app import OKRApp

ResultT = TypeVar("ResultT")


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
        with ``exit_on_error=False``: a failure never ends the app)."""
        if event.state is WorkerState.ERROR:
            self.okr_app.failed(event.worker.error)
