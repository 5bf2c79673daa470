"""The base of okr-coach's screens: the one typed way to reach the running ``OKRApp``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from tui.app import OKRApp

ResultT = TypeVar("ResultT")


class OKRScreen(Screen[ResultT]):
    """A screen of the okr-coach app (its services, settings and notifications)."""

    @property
    def okr_app(self) -> OKRApp:
        """The app this screen runs in, typed (``Screen.app`` is any ``App``)."""
        return cast("OKRApp", self.app)
