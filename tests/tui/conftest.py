"""Helpers for the TUI tests: headless apps at 80x24, polling waits, screen text."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from time import monotonic

import pytest
from rich.console import Console

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


def screen_text(app) -> str:
    """What the terminal shows now, as plain text (what a user reads)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(
        app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens, simplify=True
        )
    )
    return console.export_text()


def seed(home: Path, name: str, okr_set: OKRSet, message: str = "first") -> None:
    drafts.save(home, name, okr_set, message, author="test")


@pytest.fixture
def home(okr_home: Path) -> Path:
    return okr_home


@pytest.fixture
def weak_set() -> OKRSet:
    return example("weak-first-draft").okr_set.model_copy(deep=True)
