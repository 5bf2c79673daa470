"""``okr draft --engine llm`` against a server that answers exactly per the JSON schema,
as llama.cpp's grammar-constrained ``llama-server`` does: the least the schema allows
(one objective of two key results, no questions) is a draft the checks accept, so the
command succeeds instead of re-asking for counts the schema never stated."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from llm.fake_server import FakeOpenAI
from llm.schema_exact import answer_maximal, answer_minimal, sent_schema

from assistant.cli import main
from assistant.io import read_text

IDEA = "Our onboarding is too slow: only 32% of new users are active after their first week."


def test_the_least_the_schema_allows_is_a_draft(fake: FakeOpenAI) -> None:
    fake.answer = answer_minimal
    result = CliRunner().invoke(main, ["draft", IDEA, "--engine", "llm"])
    assert result.exit_code == 0, result.output
    [okr_set] = read_text(result.stdout, "draft.yaml")
    assert [len(o.key_results) for o in okr_set.objectives] == [2]
    first = fake.chat_requests()[0].body or {}
    objective = sent_schema(first)["$defs"]["DraftedObjective"]["properties"]
    assert (objective["key_results"]["minItems"], objective["key_results"]["maxItems"]) == (2, 4)
    assert len(fake.chat_requests()) <= 2  # the draft, and at most its one revision


def test_the_most_the_schema_allows_is_a_draft_too(fake: FakeOpenAI) -> None:
    fake.answer = answer_maximal
    result = CliRunner().invoke(main, ["draft", IDEA, "--engine", "llm"])
    assert result.exit_code == 0, result.output
    [okr_set] = read_text(result.stdout, "draft.yaml")
    assert [len(o.key_results) for o in okr_set.objectives] == [4, 4, 4]


def test_improve_gets_exactly_three_alternatives(fake: FakeOpenAI, tmp_path: Path) -> None:
    fake.answer = answer_maximal
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "objectives:\n  - title: Make onboarding effortless\n    key_results:\n"
        "      - Raise week-1 activation from 32% to 50% by 31 Mar 2026\n"
        "      - Launch the new onboarding flow\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["draft", "--improve", str(plan), "O1.KR2"])
    assert result.exit_code == 0, result.output
    [request] = fake.chat_requests()
    alternatives = sent_schema(request.body or {})["properties"]["alternatives"]
    assert alternatives["minItems"] == alternatives["maxItems"] == 3
