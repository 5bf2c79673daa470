"""Shared fixtures: every test gets its own data home, and no test can reach an LLM."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

# The suite replays the same Hypothesis examples on every run, so a red CI means a change
# broke something, not that a new draw was unlucky. OKR_FUZZ_EXPLORE=1 draws fresh ones
# (with OKR_FUZZ_EXAMPLES=N for the readers' fuzz tests): run it when touching a reader.
settings.register_profile("suite", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("OKR_FUZZ_EXPLORE") else "suite")

if TYPE_CHECKING:
    from assistant.store.store import Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    home = tmp_path_factory.mktemp("okr-home")
    monkeypatch.setenv("OKR_HOME", str(home))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return home


@pytest.fixture
def okr_home(_isolated_home: Path) -> Path:
    return _isolated_home


@pytest.fixture
def store(okr_home: Path) -> Iterator[Store]:
    """The test's own data home's store, closed afterwards."""
    from assistant.store.store import Store

    opened = Store.in_home(okr_home)
    yield opened
    opened.close()
