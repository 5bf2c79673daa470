"""The one Pilot helper for every test that drives the TUI (tests/tui, the cycle and
drafting screens): the app of an ``App`` running headless at 80x24, polling waits
(never a fixed sleep) and the screen read back as plain text.

``tests/`` is on ``sys.path`` (its conftest's directory), so any test imports it as
``tui_pilot``; ``tests/tui/conftest.py`` re-exports it for ``from conftest import …``.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from assistant.app import App
    from tui.app import OKRApp

SIZE = (80, 24)


@asynccontextmanager
async def tui(
    core: App,
    *,
    target: str | None = None,
    size: tuple[int, int] = SIZE,
    config_home: Path | None = None,
) -> AsyncIterator[Pilot[Any]]:
    """``okr tui`` on ``core`` (``bootstrap(home, settings, llm=fake)``), headless at
    ``size``; ``pilot.app`` is the running ``OKRApp``."""
    from tui.app import create_app

    app: OKRApp = create_app(core, target=target, config_home=config_home)
    async with app.run_test(size=size) as pilot:
        yield pilot


async def wait_for(
    pilot: Pilot[Any], predicate: Callable[[], object], timeout: float = 10.0, what: str = ""
) -> None:
    """Poll ``predicate`` between event-loop turns until it holds (never a fixed sleep),
    then let the screen settle (pending layout and paint), so what a test reads next is
    what the user would see."""
    deadline = monotonic() + timeout
    while not predicate():
        if monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)
    await pilot.pause(0)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` into the focused widget as one burst of key events (as a fast typist
    sends them), then let the app handle them all. ``Pilot.press`` waits for the CPU to
    go idle after every key (two 20 ms sleeps at least): seconds for a long line."""
    from textual import events

    app = pilot.app
    for char in text:
        app.post_message(events.Key(_key_name(char), char))
    await pilot.pause(0)  # the app handled the keys: they went on to the focused widget
    await pilot.pause(0)  # which handled them


def _key_name(char: str) -> str:
    """A typed character's key name as Textual gives it (``space``, ``full_stop``)."""
    if char.isalnum():
        return char
    return unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")


_SVG_TEXT = re.compile(
    r'<text class="[^"]*-r\d+" x="(?P<x>[\d.]+)" y="[\d.]+" textLength="(?P<width>[\d.]+)" '
    r'clip-path="url\(#[^"]*-line-(?P<row>\d+)\)">(?P<text>.*?)</text>',
    re.S,
)


def screen_text(app: Any) -> str:
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
