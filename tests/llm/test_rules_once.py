"""Issue 20 item 3: one critique pipeline. On the LLM path the rules check and score each
set once; the model is grounded on those findings and its answer merged with them."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import assistant.rubric.critic as rubric_critic
import assistant.rubric.engine as rubric_engine
from assistant.llm.engine import render_grounding
from assistant.model import OKRSet
from assistant.rubric.critic import critique_set

from .conftest import run_llm_critique, settings_for, team
from .fake_server import FakeOpenAI, first_user_text


def _count_calls(monkeypatch: pytest.MonkeyPatch, original: Callable[..., Any]) -> Counter[str]:
    """Wrap ``original`` wherever a module of the app bound it; count calls per set name."""
    calls: Counter[str] = Counter()

    def counting(okr_set: OKRSet, *args: Any, **kwargs: Any) -> Any:
        calls[okr_set.name or "-"] += 1
        return original(okr_set, *args, **kwargs)

    for name, module in list(sys.modules.items()):
        if not name.startswith("assistant") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if value is original:
                monkeypatch.setattr(module, attr, counting)
    return calls


def test_the_llm_path_runs_the_rules_once_per_set(
    fake: FakeOpenAI, okr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.services.coach  # noqa: F401 - bound before counting

    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    checks = _count_calls(monkeypatch, rubric_engine.set_findings)
    scores = _count_calls(monkeypatch, rubric_critic.critique_from_findings)
    report = run_llm_critique(
        team(names), settings=settings_for(fake), home=okr_home, concurrency=3, style="balanced"
    )
    assert not report.errors and [s.engine for s in report.sets] == ["llm"] * 5
    assert checks == {name: 1 for name in names}  # the checks: once per set
    assert scores == {name: 1 for name in names}  # the scores: once per set
    # The model was grounded on the rules' findings, as the set alone has them.
    for okr_set, request in zip(team(names), fake.chat_requests(), strict=True):
        assert request.body is not None
        alone = render_grounding(critique_set(okr_set).findings)
        assert alone in first_user_text(request.body)
    # and the shown critique keeps the near-duplicates across the file's sets
    assert any(f.code == "SET-DUPLICATE" and "Bravo" in f.message for f in report.sets[0].findings)
