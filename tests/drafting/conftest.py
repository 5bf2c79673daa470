"""Fixtures for the drafting tests: answers files on disk and a local fake LLM endpoint
(``tests/llm/fake_server.py``, 127.0.0.1 only; no test reaches the network)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from llm.fake_server import FakeOpenAI

from assistant.app import App, bootstrap
from assistant.config import Settings

DUMMY_KEY = "sk-test-dummy-key-0123456789"


@pytest.fixture
def write(tmp_path: Path):
    """``write(name, text)`` → the path of a file holding ``text``."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_KEY)
    with FakeOpenAI() as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server


@pytest.fixture
def settings(fake: FakeOpenAI) -> Settings:
    settings = Settings()
    settings.llm.base_url = fake.base_url
    settings.llm.timeout = 5.0
    return settings


@pytest.fixture
def app(okr_home: Path) -> Iterator[App]:
    """The App of the test's data home (to look at what a command stored)."""
    app = bootstrap(okr_home)
    yield app
    app.close()
