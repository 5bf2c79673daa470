"""The LLM coach in the TUI, with an injected ``Critic``: answer, accept, error, cancel."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from conftest import SIZE, notices, screen_text, seed, wait_for
from textual.widgets import ListView

from assistant.config import Settings
from assistant.model import Finding, OKRSet, Report, Rewrite
from assistant.rubric.critic import critique_set
from assistant.services import drafts
from assistant.services.engines import Critic, EngineKind, LLMCritic, OnResult
from tui.app import create_app
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
    part of it, as ``LLMCritic.style`` is)."""

    name: EngineKind = "llm"

    def __init__(
        self, *, fail: BaseException | None = None, hold: bool = False, style: str = "balanced"
    ) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail
        self.style = style
        self.release = asyncio.Event() if hold else None
        self.cancelled = False

    def critique(self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None) -> Report:
        raise AssertionError("the TUI awaits critique_async (Esc must cancel it)")

    async def critique_async(
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


async def _editor(pilot, app) -> EditorScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    editor = app.screen
    panel = editor.query_one(CritiquePanel)
    await wait_for(pilot, lambda: len(panel.findings) > 0, what="rules findings")
    return editor


async def test_coach_suggestion_is_shown_and_accepted_as_llm_version(home: Path, weak_set) -> None:
    seed(home, "cs", weak_set)
    coach = FakeCoach()
    app = create_app(home, engine=coach, target="cs")
    async with app.run_test(size=SIZE) as pilot:
        editor = await _editor(pilot, app)
        panel = editor.query_one(CritiquePanel)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: any(f.source == "llm" for f in panel.findings), what="llm")
        assert coach.calls == [("Increase revenue by 20%", "balanced")]
        assert not panel.is_busy

        listing = panel.query_one(ListView)
        index = next(
            i
            for i, item in enumerate(listing.children)
            if isinstance(item, FindingItem) and item.finding.source == "llm"
        )
        listing.focus()
        listing.index = index
        await wait_for(pilot, lambda: "LLM-OUTCOME" in screen_text(app), what="the card")
        shown = screen_text(app)
        assert "LLM-OUTCOME" in shown and "+12" in shown
        await pilot.press("a")
        await wait_for(pilot, lambda: editor.version == 2, what="accepted version")

    latest = drafts.history(home, "cs")[0]
    assert (latest.number, latest.source) == (2, "accept:llm")
    assert latest.message == "Accept rewrite of O1.KR2 (llm)"
    assert drafts.get_version(home, "cs").okr_set.objectives[0].key_results[1].text == REWRITE


async def test_coach_error_is_a_notification_and_the_app_keeps_working(
    home: Path, weak_set
) -> None:
    seed(home, "cs", weak_set)
    coach = FakeCoach(fail=RuntimeError("endpoint said 500"))
    app = create_app(home, engine=coach, target="cs")
    async with app.run_test(size=SIZE) as pilot:
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


async def test_escape_cancels_a_running_coach(home: Path, weak_set) -> None:
    seed(home, "cs", weak_set)
    coach = FakeCoach(hold=True)
    app = create_app(home, engine=coach, target="cs")
    async with app.run_test(size=SIZE) as pilot:
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
        assert len(drafts.history(home, "cs")) == 1


def test_the_fake_is_a_critic_and_the_default_coach_follows_the_settings(home: Path) -> None:
    assert isinstance(FakeCoach(), Critic)
    settings = Settings(engine="llm")
    app = create_app(home, settings=settings)
    settings.style = "questions"  # changed on the Settings screen during the session
    coach = app.coach()
    assert isinstance(coach, LLMCritic)
    assert (coach.style, coach.settings, coach.home) == ("questions", settings, home)
    injected = FakeCoach()
    assert create_app(home, engine=injected).coach() is injected
