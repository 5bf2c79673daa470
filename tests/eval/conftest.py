"""Fixtures for ``okr eval``: labelled files on disk, the CLI, and a local fake LLM
endpoint (``tests/llm/fake_server.py``, 127.0.0.1 only)."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result
from llm.fake_server import FakeOpenAI

from assistant.cli import main

ROOT = Path(__file__).resolve().parents[2]
DUMMY_KEY = "sk-test-dummy-key-0123456789"


def load_module(relative: str) -> ModuleType:
    """A script of the repository (bench/, scripts/) imported by path."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def okr() -> Callable[..., Result]:
    """``okr(*args)`` → click's result (stdout and stderr apart)."""
    runner = CliRunner()

    def _run(*args: str) -> Result:
        return runner.invoke(main, list(args))

    return _run


def report(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    monkeypatch.setenv("OPENAI_API_KEY", DUMMY_KEY)
    with FakeOpenAI(retry_after="0.05", retry_after_500="0.01") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        yield server
