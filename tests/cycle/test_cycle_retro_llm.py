"""The LLM retro summary behind its guards, against the local fake OpenAI server (no network)."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from llm.fake_server import FakeOpenAI, first_user_text

from assistant.app import App, bootstrap
from assistant.config import Settings
from assistant.domain.cycle_status import CheckinInput
from assistant.domain.lessons import RetroNotes
from assistant.io import read_text
from assistant.services import retro
from assistant.services.retro_llm import RetroSummary, check_summary

PLAN = """name: Growth
cycle: 2024-Q1
objectives:
  - title: Make onboarding effortless
    type: committed
    key_results:
      - Raise week-1 activation from 32% to 50%
      - Publish the onboarding guide
"""
NOTES = RetroNotes(("Weekly check-ins kept us honest",), ("The guide slipped twice",), ())


def _graded(home: Path, settings: Settings) -> App:
    app = bootstrap(home, settings)

    async def steps() -> None:
        await app.save("Growth", read_text(PLAN, "g.yaml")[0], "first", author="t")
        await app.launch("Growth")
        await app.checkin("Growth", [CheckinInput("O1.KR1", "41%", 6, on=date(2024, 2, 1))])
        await app.grade("Growth")

    asyncio.run(steps())
    return app


def _settings(server: FakeOpenAI) -> Settings:
    settings = Settings()
    settings.llm.base_url = server.base_url
    settings.llm.timeout = 5.0
    return settings


def test_the_guards() -> None:
    allowed = "grade 0.5 · O1.KR1 41% · Weekly check-ins kept us honest"
    good = RetroSummary(summary='"Weekly check-ins kept us honest"; O1.KR1 reached 41%.',
                        quotes=["weekly check-ins  kept us honest"])  # fmt: skip
    assert check_summary(good, NOTES, allowed) is None
    invented = RetroSummary(summary="Activation grew 27% thanks to check-ins.",
                            quotes=["Weekly check-ins"])  # fmt: skip
    assert "27" in (check_summary(invented, NOTES, allowed) or "")
    misquoted = RetroSummary(summary="Good cycle.", quotes=["check-ins were great"])
    assert "not an exact phrase" in (check_summary(misquoted, NOTES, allowed) or "")
    unquoted = RetroSummary(summary="Good cycle.", quotes=[])
    assert "quote at least one" in (check_summary(unquoted, NOTES, allowed) or "")


def test_a_grounded_summary_is_stored(okr_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")
    seen: list[str] = []

    def answer(body: dict[str, Any]) -> dict[str, Any]:
        seen.append(first_user_text(body))
        return {"summary": 'You said "the guide slipped twice"; activation reached 41%.',
                "quotes": ["The guide slipped twice"]}  # fmt: skip

    with FakeOpenAI(answer=answer) as server:
        app = _graded(okr_home, _settings(server))
        stored = asyncio.run(app.retro("Growth", NOTES, engine="llm"))
    assert stored.summary and "guide slipped twice" in stored.summary
    assert "LESSON-MISSED-COMMITMENT" in seen[0] or "committed" in seen[0]
    assert "Weekly check-ins kept us honest" in seen[0]
    assert asyncio.run(app.show_retro("Growth")).summary == stored.summary
    app.close()


def test_a_summary_that_invents_numbers_is_refused(
    okr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy")

    def answer(body: dict[str, Any]) -> str:
        return json.dumps({"summary": "Activation will hit 73% next quarter.",
                           "quotes": ["The guide slipped twice"]})  # fmt: skip

    with FakeOpenAI(answer=answer) as server:
        app = _graded(okr_home, _settings(server))
        with pytest.raises(retro.SummaryFailed) as caught:
            asyncio.run(app.retro("Growth", NOTES, engine="llm"))
    assert caught.value.exit_code == 3 and "73" in str(caught.value)
    kept = asyncio.run(app.show_retro("Growth"))
    assert kept.summary is None and kept.notes == NOTES  # stored without a summary
    app.close()
