"""Helpers for the TUI tests: headless apps at 80x24, polling waits, screen text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from time import monotonic
from weakref import WeakKeyDictionary

import pytest
from rich.cells import cell_len
from textual.app import App

from assistant.model import OKRSet
from assistant.services import drafts
from assistant.services.learn import example

SIZE = (80, 24)


async def wait_for(
    pilot, predicate: Callable[[], object], timeout: float = 5.0, what: str = ""
) -> None:
    """Poll ``predicate`` between event-loop turns (never a fixed sleep)."""
    deadline = monotonic() + timeout
    while not predicate():
        if monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


_SVG_TEXT = re.compile(
    r'<text class="[^"]*-r\d+" x="(?P<x>[\d.]+)" y="[\d.]+" textLength="(?P<width>[\d.]+)" '
    r'clip-path="url\(#[^"]*-line-(?P<row>\d+)\)">(?P<text>.*?)</text>',
    re.S,
)


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (what a user reads), read back from
    Textual's public screenshot (``App.export_screenshot``, an SVG of text runs placed
    by cell): each run goes back to its row and column."""
    width, height = app.size
    runs = [
        (int(m["row"]), float(m["x"]), float(m["width"]), _svg_unescape(m["text"]))
        for m in _SVG_TEXT.finditer(app.export_screenshot(simplify=True))
    ]
    cell = next((w / len(text) for _, _, w, text in runs if text), 1.0)
    rows: list[list[tuple[int, str]]] = [[] for _ in range(height)]
    for row, x, _, text in runs:
        if row < height and text:
            rows[row].append((round(x / cell), text))
    lines = []
    for placed in rows:
        line, at = "", 0
        for column, text in sorted(placed):
            line += " " * max(column - at, 0) + text
            at = max(column, at) + cell_len(text)
        lines.append(line + " " * max(width - at, 0))
    return "\n".join(lines)


def _svg_unescape(text: str) -> str:
    return html.unescape(text).replace("\xa0", " ").replace("\n", "")


_NOTICES: WeakKeyDictionary[App, list[str]] = WeakKeyDictionary()


@pytest.fixture(autouse=True)
def _record_notifications(monkeypatch: pytest.MonkeyPatch) -> None:
    """Record every ``App.notify`` (the public way a toast is shown) for ``notices``;
    toasts on screen expire, the record does not."""
    notify = App.notify

    def recording(self: App, message: str, *args: object, **kwargs: object) -> None:
        _NOTICES.setdefault(self, []).append(str(message))
        notify(self, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(App, "notify", recording)


def notices(app: App) -> list[str]:
    """The messages the app has notified so far, oldest first."""
    return list(_NOTICES.get(app, []))


def seed(home: Path, name: str, okr_set: OKRSet, message: str = "first") -> None:
    drafts.save(home, name, okr_set, message, author="test")


@pytest.fixture
def home(okr_home: Path) -> Path:
    return okr_home


@pytest.fixture
def weak_set() -> OKRSet:
    return example("weak-first-draft").okr_set.model_copy(deep=True)
