"""Fixtures for the LLM tests: a local fake endpoint, settings pointing at it, OKR sets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from assistant.config import Settings
from assistant.io import read_text
from assistant.llm.cache import LLMCache
from assistant.model import OKRSet, Report, SetCritique
from assistant.services.engines import LLMCritic

from .fake_server import FakeOpenAI

DUMMY_KEY = "sk-test-dummy-key-0123456789"


@pytest.fixture(autouse=True)
def _dummy_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_KEY)


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(retry_after="0.05", retry_after_500="0.01") as server:
        yield server


def settings_for(server: FakeOpenAI, **llm: object) -> Settings:
    settings = Settings()
    settings.llm.base_url = server.base_url
    settings.llm.timeout = 5.0
    # The fake stands in for a hosted API: the full prompt, as "auto" picks for one
    # (test_negotiation checks that "auto" picks the compact prompt for local URLs).
    settings.llm.prompt = "full"
    for name, value in llm.items():
        setattr(settings.llm, name, value)
    return settings


@pytest.fixture
def settings(fake: FakeOpenAI) -> Settings:
    return settings_for(fake)


SET_TEMPLATE = """  - name: {name}
    cycle: 2026-Q1
    objectives:
      - title: Make onboarding effortless for new customers
        key_results:
          - Raise week-1 activation from 32% to {target}% by 31 Mar 2026
          - Launch the new onboarding flow
          - Improve NPS significantly
"""


def team_yaml(names: list[str]) -> str:
    return "sets:\n" + "".join(
        SET_TEMPLATE.format(name=name, target=50 + i) for i, name in enumerate(names)
    )


def team(names: list[str]) -> list[OKRSet]:
    return read_text(team_yaml(names), "team.yaml", "yaml")


def llm_critic(settings: Settings, home: Path, **options: Any) -> LLMCritic:
    """The LLM critic as the App builds it: the answer cache of ``home`` passed in."""
    lessons = options.pop("lessons", ())
    return LLMCritic(settings, LLMCache(home), lessons=tuple(tuple(t) for t in lessons), **options)


def run_llm_critique(
    sets: Sequence[OKRSet],
    *,
    settings: Settings,
    home: Path,
    dry_run: bool = False,
    on_result: Callable[[SetCritique], None] | None = None,
    **options: Any,
) -> Report:
    """The LLM critique as the CLI runs it: ``asyncio.run`` at the edge (``dry_run``:
    the plan, sent nothing)."""
    if dry_run:
        from assistant.services.dry_run import dry_run_plan

        plan = dry_run_plan(
            sets,
            settings=settings,
            cache=LLMCache(home),
            use_cache=options.get("use_cache", True),
            style=options.get("style") or settings.style,
            lessons=options.get("lessons", ()),
        )
        return Report(engine="llm", dry_run=plan)
    critic = llm_critic(settings, home, **options)
    return asyncio.run(critic.critique(sets, on_result=on_result))
