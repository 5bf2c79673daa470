"""The one place an engine is chosen (SPEC §6) and the one interface both engines share."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import UsageError
from assistant.io import read_path
from assistant.services.engines import (
    Critic,
    LLMCritic,
    RulesCritic,
    make_critic,
    resolve_engine,
)


@pytest.fixture(autouse=True)
def no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_auto_is_the_llm_only_when_it_can_be_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert resolve_engine("auto", settings) == "rules"
    assert resolve_engine(None, settings) == "rules"  # the settings default is auto
    settings.llm.base_url = "https://example.azure.com/openai/v1"
    assert resolve_engine("auto", settings) == "rules"  # a remote endpoint needs a key
    settings.llm.base_url = "http://127.0.0.1:8080/v1"
    assert resolve_engine("auto", settings) == "llm"  # a local server takes no key
    settings.llm.base_url = None
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    assert resolve_engine("auto", settings) == "llm"


def test_an_explicit_choice_wins_over_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    settings = Settings(engine="rules")
    assert resolve_engine(None, settings) == "rules"
    assert resolve_engine("auto", settings) == "llm"
    assert resolve_engine("rules", Settings(engine="llm")) == "rules"
    with pytest.raises(UsageError, match="unknown engine 'gpt'"):
        resolve_engine("gpt", settings)


def test_both_engines_are_critics(tmp_path) -> None:
    from assistant.llm.cache import LLMCache

    rules = make_critic("rules", settings=Settings())
    llm = make_critic("llm", settings=Settings(), cache=LLMCache(tmp_path))
    assert isinstance(rules, RulesCritic) and isinstance(rules, Critic)
    assert isinstance(llm, LLMCritic) and isinstance(llm, Critic)


def test_the_rules_critic_is_the_rules_engine_behind_one_async_method() -> None:
    from assistant.rubric.critic import critique_sets

    sets = read_path(str(Path(__file__).resolve().parents[2] / "examples" / "weak.yaml"))
    seen = []
    report = asyncio.run(RulesCritic().critique(sets, on_result=seen.append))
    assert report.model_dump() == critique_sets(sets).model_dump()
    assert [c.name for c in seen] == [s.name for s in sets]
    assert report.sets[0].findings, "the weak example has findings"
