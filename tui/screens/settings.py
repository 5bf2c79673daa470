"""Settings: engine, model, base URL, coaching style. The API key is only shown, masked.

Compact fields, so the whole form (the coaching style too) and its Save button fit
80x24 without scrolling.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
)

from assistant.config import load_settings, masked_key, save_settings
from assistant.errors import OKRError
from tui.safe import SafeInput
from tui.safe import SafeStatic as Static
from tui.screens.base import OKRScreen
from tui.screens.dialogs import ConfirmDialog

ENGINES = [
    ("auto: the LLM when a key is set, else rules", "auto"),
    ("rules: offline and deterministic", "rules"),
    ("llm: an OpenAI-compatible model", "llm"),
]
STYLES = [
    ("questions", "Ask questions"),
    ("balanced", "Balanced"),
    ("rewrite", "Suggest rewrites"),
]


def _radio_label(label: str, chosen: bool) -> str:
    return f"{label}  ← selected" if chosen else label


class SettingsScreen(OKRScreen[None]):
    """Edit and save ``config.toml`` (``assistant.config.save_settings``)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True,
                tooltip="Save the settings to config.toml"),
        Binding("escape", "back", "Back", tooltip="Back (asks before throwing changes away)"),
    ]  # fmt: skip

    def compose(self) -> ComposeResult:
        try:
            stored = load_settings(self.okr_app.config_home, apply_env=False)
        except OKRError:
            stored = self.okr_app.settings
        yield Header()
        with VerticalScroll(id="settings-body"):
            yield Label("Engine")
            yield Select(ENGINES, value=stored.engine, allow_blank=False, id="engine", compact=True)
            yield Label("Model")
            yield SafeInput(stored.llm.model, id="model", compact=True)
            yield Label("Base URL (empty: api.openai.com)")
            yield SafeInput(
                stored.llm.base_url or "",
                placeholder="https://api.openai.com/v1",
                id="base-url",
                compact=True,
            )
            if os.environ.get("OPENAI_BASE_URL"):
                yield Static(
                    Text("OPENAI_BASE_URL is set and overrides this while it is.", style="yellow")
                )
            yield Label("API key (from OPENAI_API_KEY only, never stored)")
            yield Static(Text(masked_key(), style="bold"), id="api-key")
            yield Label("Coaching style: ask ◀───▶ rewrite")
            with RadioSet(id="style", compact=True):
                for value, label in STYLES:
                    chosen = value == stored.style
                    yield RadioButton(
                        _radio_label(label, chosen), value=chosen, id=f"style-{value}"
                    )
        # Outside the scroll: Save stays on screen at 80x24 however long the form gets.
        with Horizontal(id="settings-buttons"):
            yield Button("Save (ctrl+s)", variant="primary", id="save", compact=True)
            yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer(compact=True)

    @on(RadioSet.Changed, "#style")
    def _style_changed(self) -> None:
        """Name the selected style in words (its dot is only told apart by colour)."""
        for value, label in STYLES:
            button = self.query_one(f"#style-{value}", RadioButton)
            button.label = _radio_label(label, button.value)

    def on_mount(self) -> None:
        self.title = "okr-coach"
        self.sub_title = "settings"
        self.query_one("#engine", Select).focus()
        self._opened_with = self._form()

    def _form(self) -> tuple[object, ...]:
        """What the form says now (to tell whether leaving would lose a change)."""
        return (
            self.query_one("#engine", Select).value,
            self._style(),
            self.query_one("#model", Input).value.strip(),
            self.query_one("#base-url", Input).value.strip(),
        )

    @property
    def dirty(self) -> bool:
        """A change made in the form and not saved."""
        return self._form() != getattr(self, "_opened_with", self._form())

    @work(group="leave", exit_on_error=False)
    async def leave(self, go: Callable[[], object]) -> None:
        """Run ``go``; asks first when a change would be lost."""
        question = "Throw away the changed settings?"
        if not self.dirty or await self.app.push_screen_wait(
            ConfirmDialog(question, yes="Discard", no="Keep editing")
        ):
            go()

    def _style(self) -> str:
        pressed = self.query_one(RadioSet).pressed_button
        return (pressed.id or "style-balanced").removeprefix("style-") if pressed else "balanced"

    def action_save(self) -> None:
        home = self.okr_app.config_home
        try:
            settings = load_settings(home, apply_env=False)
            settings.engine = self.query_one("#engine", Select).value  # type: ignore[assignment]
            settings.style = self._style()  # type: ignore[assignment]
            settings.llm.model = self.query_one("#model", Input).value.strip() or settings.llm.model
            settings.llm.base_url = self.query_one("#base-url", Input).value.strip() or None
            path = save_settings(settings, home)
            self.okr_app.settings = load_settings(home)  # the App's, for every use case
        except (OKRError, ValidationError, OSError) as exc:
            self.okr_app.say(f"Settings not saved: {' '.join(str(exc).split())}", severity="error")
            return
        self.okr_app.say(f"Settings saved to {path}")
        self.dismiss()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_back()

    def action_back(self) -> None:
        self.leave(self.dismiss)
