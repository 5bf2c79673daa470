"""Fixtures for the TUI tests: the App of the test's data home (``bootstrap``), seeding,
recorded notifications; the Pilot helper and the polling waits are ``tui_pilot``'s."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from weakref import WeakKeyDictionary

import pytest
from textual.app import App as TextualApp
from tui_pilot import SIZE, screen_text, tui, type_text, wait_for

from assistant.app import App, bootstrap
from assistant.config import Settings
from assistant.model import OKRSet
from assistant.services import drafts
from assistant.services.learn import example

__all__ = ["SIZE", "notices", "screen_text", "seed", "tui", "type_text", "wait_for"]

_NOTICES: WeakKeyDictionary[TextualApp, list[str]] = WeakKeyDictionary()


@pytest.fixture(autouse=True)
def _record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record every ``App.notify`` (the public way a toast is shown) for ``notices``;
    toasts on screen expire, the record does not."""
    notify = TextualApp.notify

    def recording(self: TextualApp, message: str, *args: object, **kwargs: object) -> None:
        _NOTICES.setdefault(self, []).append(str(message))
        notify(self, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(TextualApp, "notify", recording)


def notices(app: TextualApp) -> list[str]:
    """The messages the app has notified so far, oldest first."""
    return list(_NOTICES.get(app, []))


def seed(core: App, name: str, okr_set: OKRSet, message: str = "first") -> None:
    """A stored draft ``name`` at v1 (written straight through the store's service)."""
    drafts.save(core.store, name, okr_set, message, author="test")


@pytest.fixture
def home(okr_home: Path) -> Path:
    return okr_home


@pytest.fixture
def build(home: Path) -> Iterator[Callable[..., App]]:
    """``build(settings=None, **fakes)``: the App of the test's data home, as ``okr tui``
    builds it (``bootstrap``); closed after the test."""
    built: list[App] = []

    def _build(settings: Settings | None = None, **options: object) -> App:
        core = bootstrap(home, settings, **options)  # type: ignore[arg-type]
        built.append(core)
        return core

    yield _build
    for core in built:
        core.close()


@pytest.fixture
def core(build: Callable[..., App]) -> App:
    """The App of the test's data home with the settings of its config file (none)."""
    return build()


@pytest.fixture
def weak_set() -> OKRSet:
    return example("weak-first-draft").okr_set.model_copy(deep=True)
