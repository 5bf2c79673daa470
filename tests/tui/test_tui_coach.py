"""The LLM coach in the TUI through the App's critique use case, with a fake LLM engine
(a ``Critic`` standing in for ``LLMCritic``): answer, accept, error, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from conftest import notices, screen_text, seed, tui, wait_for
from textual.widgets import ListView

from assistant.app import App
from assistant.config import Settings
from assistant.model import Finding, OKRSet, Report, Rewrite
from assistant.rubric.critic import critique_set
from assistant.services import drafts, engines
from assistant.services.engines import Critic, EngineKind, LLMCritic, OnResult
from tui.screens.editor import EditorScreen
from tui.widgets.critique_panel import CritiquePanel, FindingItem

REWRITE = "Raise CSAT from 72% to 85% by 30 Jun 2026"


def coach_finding(okr_set: OKRSet) -> Finding:
    return Finding(
        code="LLM-OUTCOME",
        target="O1.KR2",
        dimension="measurability",
        severity="warning",
        evidence="customer satisfaction",
        message="Satisfaction is a feeling until you pick the number that shows it.",
        question="Which survey do you trust, and what does it say today?",
        suggestion="Name the survey and move its score.",
        source="llm",
        rewrite=Rewrite(text=REWRITE, score_delta=12),
    )


class FakeCoach:
    """A ``Critic`` that records its calls and answers like the LLM engine (its style is
    part of it, as ``LLMCritic.style`` is: the critique use case builds it with the App's
    settings through ``engines.make_critic``, see :func:`coached`)."""

    name: EngineKind = "llm"

    def __init__(
        self, *, fail: BaseException | None = None, hold: bool = False, style: str = "balanced"
    ) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail
        self.style = style
        self.release = asyncio.Event() if hold else None
        self.cancelled = False

    def make(self, kind: EngineKind, *, settings: Settings, **options: Any) -> Critic:
        """``engines.make_critic`` for the LLM engine: this fake, styled as asked."""
        assert kind == "llm", "ctrl+g asks the LLM coach"
        self.style = options.get("style") or settings.style
        return self

    async def critique(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        (okr_set,) = sets
        self.calls.append((okr_set.objectives[0].title, self.style))
        if self.release is not None:
            try:
                await self.release.wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        if self.fail is not None:
            raise self.fail
        base = critique_set(okr_set)
        answer = base.model_copy(
            update={"engine": "llm", "findings": [*base.findings, coach_finding(okr_set)]}
        )
        return Report(engine="llm", sets=[answer])


@pytest.fixture
def coached(
    build: Callable[..., App], monkeypatch: pytest.MonkeyPatch
) -> Callable[[FakeCoach], App]:
    """``coached(coach)``: an App whose LLM engine is ``coach``. The TUI's ctrl+g goes
    through the App's critique use case as in a real run; only the engine is the fake."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")

    def _coached(coach: FakeCoach) -> App:
        monkeypatch.setattr(engines, "make_critic", coach.make)
        return build(Settings(engine="llm"))

    return _coached


async def _editor(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    panel = editor.query_one(CritiquePanel)
    await wait_for(pilot, lambda: len(panel.findings) > 0, what="rules findings")
    return editor


async def test_coach_suggestion_is_shown_and_accepted_as_llm_version(
    core: App, coached, weak_set
) -> None:
    coach = FakeCoach()
    core = coached(coach)
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        panel = editor.query_one(CritiquePanel)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(f.source == "llm" for f in panel.findings), what="llm")
        assert coach.calls == [("Increase revenue by 20%", "balanced")]
        assert not panel.is_busy

        listing = panel.query_one(ListView)
        listing.focus()

        def on_the_llm_card() -> bool:
            """Highlight the coach's card (again, if the panel's update was still placing
            the highlight) until it is highlighted and on screen."""
            index = next(
                i
                for i, item in enumerate(listing.children)
                if isinstance(item, FindingItem) and item.finding.source == "llm"
            )
            if listing.index != index:
                listing.index = index
                return False
            return "+12" in screen_text(app)

        await wait_for(pilot, on_the_llm_card, what="the coach's card, highlighted")
        shown = screen_text(app)
        assert "LLM-OUTCOME" in shown and "+12" in shown
        await pilot.press("a")
        await wait_for(pilot, lambda: editor.version == 2, what="accepted version")

    latest = drafts.history(core.store, "cs")[0]
    assert (latest.number, latest.source) == (2, "accept:llm")
    assert latest.message == "Accept rewrite of O1.KR2 (llm)"
    assert drafts.get_version(core.store, "cs").okr_set.objectives[0].key_results[1].text == REWRITE


async def test_coach_error_is_a_notification_and_the_app_keeps_working(
    core: App, coached, weak_set
) -> None:
    coach = FakeCoach(fail=RuntimeError("endpoint said 500"))
    core = coached(coach)
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any("coach failed" in n for n in notices(app)))
        assert any("endpoint said 500" in n for n in notices(app))
        assert app.is_running and app.screen is editor
        assert not editor.query_one(CritiquePanel).is_busy
        assert all(f.source == "rules" for f in editor.query_one(CritiquePanel).findings)
        # Still usable: a second ask goes through the engine again.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(coach.calls) == 2)


async def test_escape_cancels_a_running_coach(core: App, coached, weak_set) -> None:
    coach = FakeCoach(hold=True)
    core = coached(coach)
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        editor = await _editor(pilot, app)
        panel = editor.query_one(CritiquePanel)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: panel.is_busy and coach.calls, what="coach started")
        await wait_for(pilot, lambda: "Esc cancels" in screen_text(app), what="spinner")
        assert "Asking the coach" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: coach.cancelled, what="cancellation")
        await wait_for(pilot, lambda: any("cancelled" in n for n in notices(app)))
        assert not panel.is_busy
        assert app.screen is editor  # Esc cancelled the coach, it did not leave the editor
        assert all(f.source == "rules" for f in panel.findings)
        assert len(drafts.history(core.store, "cs")) == 1


async def test_the_fake_is_a_critic_and_the_default_coach_follows_the_settings(
    build: Callable[..., App], weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert isinstance(FakeCoach(), Critic)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
    core = build(Settings(engine="llm"))
    seed(core, "cs", weak_set)
    built: list[Critic] = []
    make_critic = engines.make_critic

    def recording(kind: EngineKind, **options: Any) -> Critic:
        built.append(make_critic(kind, **options))  # the critic a real run asks
        return FakeCoach()

    monkeypatch.setattr(engines, "make_critic", recording)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        await _editor(pilot, app)
        app.settings.style = "questions"  # changed on the Settings screen during the session
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: built, what="the coach asked")
    (coach,) = built
    assert isinstance(coach, LLMCritic)
    assert (coach.style or coach.settings.style, coach.settings) == ("questions", core.settings)
    assert coach.cache is not None and coach.cache.path.parent == core.home
