"""The default LLM coach against the local fake endpoint: the TUI really goes through
the App's critique use case and ``assistant.services.coach``, and never touches the
network."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import notices, seed, tui, wait_for

from assistant.app import App
from assistant.config import Settings
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel

_spec = importlib.util.spec_from_file_location(
    "okr_tui_fake_server", Path(__file__).resolve().parents[1] / "llm" / "fake_server.py"
)
fake_server = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fake_server
_spec.loader.exec_module(fake_server)


def _settings(base_url: str) -> Settings:
    settings = Settings(engine="llm")
    settings.llm.base_url = base_url
    settings.llm.timeout = 5.0
    return settings


async def test_default_coach_asks_the_configured_endpoint(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    with fake_server.FakeOpenAI() as server:
        core = build(_settings(server.base_url))
        seed(core, "cs", weak_set)
        async with tui(core, target="cs") as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            panel = app.screen.query_one(CritiquePanel)
            await wait_for(pilot, lambda: panel.findings)
            await pilot.press("ctrl+g")
            await wait_for(
                pilot,
                lambda: any(f.code == "LLM-NO-DATA-SOURCE" for f in panel.findings),
                timeout=10,
                what="the endpoint's finding",
            )
            assert len(server.chat_requests()) == 1
            assert not panel.is_busy


async def test_default_coach_failure_is_a_notification(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    with fake_server.FakeOpenAI(plan={"O1.KR1": ["malformed"] * 10}) as server:
        core = build(_settings(server.base_url))
        seed(core, "cs", weak_set)
        async with tui(core, target="cs") as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            await pilot.press("ctrl+g")
            await wait_for(
                pilot,
                lambda: any("coach" in n for n in notices(app)),
                timeout=10,
            )
            said = notices(app)
            assert any(n.startswith("The coach failed") for n in said), said
            assert app.is_running


async def test_no_key_means_no_coach_but_rules_still_work(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("OPENAI_API_KEY" in n for n in notices(app)))
        assert app.screen.query_one(CritiquePanel).findings


async def test_a_local_base_url_needs_no_key(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's rule: a custom base_url (a local server) is asked with a dummy key."""
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with fake_server.FakeOpenAI() as server:
        core = build(_settings(server.base_url))
        seed(core, "cs", weak_set)
        async with tui(core, target="cs") as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            panel = app.screen.query_one(CritiquePanel)
            await wait_for(pilot, lambda: panel.findings)
            assert app.coach_unavailable() is None
            await pilot.press("ctrl+g")
            await wait_for(
                pilot,
                lambda: any(f.code == "LLM-NO-DATA-SOURCE" for f in panel.findings),
                timeout=10,
                what="the endpoint's finding",
            )
            await wait_for(
                pilot,
                lambda: (
                    "llm: 1 finding kept, 0 dropped" in str(panel.query_one("#llm-guards").render())
                ),
                what="the guards line under the panel",
            )


async def test_escape_on_the_default_coach_says_cancelled(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with fake_server.FakeOpenAI(delay=3.0) as server:
        core = build(_settings(server.base_url))
        seed(core, "cs", weak_set)
        async with tui(core, target="cs") as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            panel = app.screen.query_one(CritiquePanel)
            await wait_for(pilot, lambda: panel.findings)
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: server.in_flight > 0, timeout=5, what="request")
            await pilot.press("escape")
            await wait_for(pilot, lambda: any("cancelled" in n for n in notices(app)), timeout=5)
            said = notices(app)
            assert "Coach cancelled" in said, said
            assert not any(n.startswith("The coach failed") for n in said), said


async def test_the_coach_is_grounded_in_the_drafts_lessons(
    build: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-G on a later draft sends the last graded cycle's lessons, as the CLI does."""
    from test_tui_lessons import _graded_then_next, _lesson_items

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    with fake_server.FakeOpenAI() as server:
        core = build(_settings(server.base_url))
        _graded_then_next(core)
        async with tui(core, target="Growth") as pilot:
            app = pilot.app
            await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
            await wait_for(pilot, lambda: _lesson_items(app), what="the lessons loaded")
            await pilot.press("ctrl+g")
            await wait_for(pilot, lambda: server.chat_requests(), timeout=10, what="a request")
            sent = str(server.chat_requests()[0].body)
            assert "untrusted-lessons" in sent and "LESSON-NEVER-UPDATED" in sent
