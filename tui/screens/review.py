"""Simulated peer review (issue 7): reviewers side by side and the synthesis."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import OKRApp
    from tui.screens.editor import EditorScreen


def available() -> bool:
    return importlib.util.find_spec("assistant.services.review") is not None


def open_review(app: OKRApp, editor: EditorScreen) -> None:
    if app.reviewer is None and not available():
        app.say("Peer review is not available in this build", severity="warning")
        return
    app.say("Peer review is not available in this build", severity="warning")
