"""Fixtures for the LLM tests: a local fake endpoint, settings pointing at it, OKR sets."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.config import Settings
from assistant.io import read_text
from assistant.model import OKRSet

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
