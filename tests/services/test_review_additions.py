"""A peer-review change that adds a key result adds one (CLI and service), never
replacing the objective's title; the author's YAML keeps its comments."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from llm.fake_server import FakeOpenAI
from review_fakes import round_one, round_two

from assistant.app import App, bootstrap
from assistant.cli import main
from assistant.domain.review import Change, Review, Synthesis
from assistant.errors import UsageError
from assistant.io import read_text
from assistant.services import drafts
from assistant.services.review import accept_review_change, get_review, run_review, save_review
from assistant.services.review.additions import addition_of, with_added_text
from assistant.store import ConflictError

PLAN = """\
# our Q1 plan, agreed with Sam
name: Plan
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless  # the one that matters
    key_results:
      - Reach 50% week-1 activation
      - Launch the new onboarding flow  # owner: Ana
"""
TITLE = "Make onboarding effortless"
GUARDRAIL = "Keep week-1 churn below 50% while activation grows"


def okr(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def app(okr_home: Path) -> Iterator[App]:
    app = bootstrap(okr_home)
    yield app
    app.close()


def _facilitator(target: str, change: str, rewrite: str) -> Any:
    def answer(body: dict[str, Any]) -> dict[str, Any]:
        text = next(str(m["content"]) for m in body["messages"] if m["role"] == "user")
        if text.startswith("Round 1"):
            return round_one(text)
        if text.startswith("Round 2"):
            return round_two(text)
        top = {"target": target, "change": change, "evidence": "onboarding", "rewrite": rewrite}
        return {
            "agreements": [],
            "disagreements": [],
            "top_changes": [top],
            "open_questions": [],
        }

    return answer


def _save_plan(app: App) -> None:
    okr_set = read_text(PLAN, "plan.yaml", "yaml")[0]
    asyncio.run(app.save("plan", okr_set, "first", text=PLAN))


def test_okr_review_accept_adds_the_key_result_a_change_asks_for(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    _save_plan(app)
    answer = _facilitator("O1", "Add a guardrail key result: churn must not rise.", GUARDRAIL)
    with FakeOpenAI(answer=answer) as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")
        run = okr("review", "plan", "--engine", "llm", "--no-color")
    assert run.exit_code == 0, run.output
    assert re.search(rf"new key result \(\+\d+\): {GUARDRAIL}", " ".join(run.stdout.split()))
    change = json.loads(okr("reviews", "plan", "1", "-f", "json").stdout)["synthesis"][
        "top_changes"
    ][0]
    assert (change["target"], change["kind"], change["rewrite"]) == (
        "O1",
        "add_key_result",
        GUARDRAIL,
    )

    accepted = okr("review", "accept", "plan", "1")
    assert accepted.exit_code == 0, accepted.output
    head = asyncio.run(app.version("plan"))
    objective = head.okr_set.objectives[0]
    assert objective.title == TITLE
    assert [kr.text for kr in objective.key_results] == [
        "Reach 50% week-1 activation",
        "Launch the new onboarding flow",
        GUARDRAIL,
    ]
    shown = okr("show", "plan").stdout
    assert "# our Q1 plan, agreed with Sam" in shown and "# owner: Ana" in shown
    assert f"      - {GUARDRAIL}\n" in shown  # the list's own indentation

    again = okr("review", "accept", "plan", "1")
    assert again.exit_code == 2 and "O1 already has the key result" in again.stderr
    assert len(drafts.history(app.store, "plan")) == 2


def _stored_review(app: App, change: Change) -> Review:
    okr_set = drafts.get_version(app.store, "plan", 1).okr_set  # reviews of v1
    review = asyncio.run(run_review(okr_set, engine="rules", rounds=1))
    synthesis = Synthesis(top_changes=[change, *review.synthesis.top_changes])
    return save_review(app.store, review.model_copy(update={"synthesis": synthesis}), "plan", 1)


def test_the_service_adds_it_after_another_change_and_refuses_a_different_objective(
    app: App,
) -> None:
    _save_plan(app)
    add = Change(target="O1", text="Add a guardrail.", kind="add_key_result", rewrite=GUARDRAIL)
    reword = Change(target="O1", text="Say it plainly.", rewrite="Make onboarding take minutes")
    review = _stored_review(app, add)
    other = _stored_review(app, reword)
    assert review.id is not None and other.id is not None
    # The title reworded by another review first: the key result still goes under O1.
    accept_review_change(app.store, "plan", other.id, 1)
    accept_review_change(app.store, "plan", review.id, 1)
    head = drafts.get_version(app.store, "plan")
    objective = head.okr_set.objectives[0]
    assert objective.title == "Make onboarding take minutes"
    assert objective.key_results[-1].text == GUARDRAIL and len(objective.key_results) == 3
    assert get_review(app.store, review.id).accepted == {1: 3}

    # O1 is another objective now (title and key results changed): refused.
    replaced = head.okr_set.model_copy(deep=True)
    replaced.objectives[0].title = "Sell to enterprises"
    replaced.objectives[0].key_results = replaced.objectives[0].key_results[:1]
    drafts.save(app.store, "plan", replaced, "pivot", author="t")
    fresh = _stored_review(app, add)
    with pytest.raises(ConflictError, match="O1 changed since review"):
        accept_review_change(app.store, "plan", fresh.id or 0, 1)
    with pytest.raises(UsageError, match="offers no rewrite"):
        accept_review_change(app.store, "plan", review.id, 1, text="  ")


def test_what_reads_as_an_addition() -> None:
    okr_set = read_text(PLAN, "plan.yaml", "yaml")[0]
    says_add = "Add a guardrail key result so churn does not rise."
    assert addition_of(okr_set, "O1", says_add, GUARDRAIL) == "O1"
    assert addition_of(okr_set, "O1.KR3", "Track churn too.", GUARDRAIL) == "O1"  # the next id
    assert addition_of(okr_set, "o1 kr3", "Track churn too.", GUARDRAIL) == "O1"
    assert addition_of(okr_set, "O1.KR2", says_add, GUARDRAIL) is None  # an existing KR
    assert addition_of(okr_set, "O1.KR5", says_add, GUARDRAIL) is None  # no such next id
    assert addition_of(okr_set, "O1", "Make the title sharper.", GUARDRAIL) is None
    assert addition_of(okr_set, "O1", says_add, None) is None
    # "add" in the prose, but the rewrite rewords the title: a rewrite.
    assert addition_of(okr_set, "O1", says_add, "Make onboarding effortless for teams") is None


def test_the_new_key_result_goes_into_the_authors_yaml() -> None:
    edited = with_added_text(PLAN, "O1", "Keep churn: below 5%")
    assert edited is not None
    assert edited.startswith("# our Q1 plan, agreed with Sam\n")
    added = '      - Launch the new onboarding flow  # owner: Ana\n      - "Keep churn: below 5%"\n'
    assert added in edited  # quoted: a plain "Keep churn: below 5%" would be a mapping
    flow = "name: P\nobjectives:\n  - title: T\n    key_results: [Grow X from 1 to 2]\n"
    assert with_added_text(flow, "O1", "Keep Y above 3") is None  # canonical form instead
    assert with_added_text(PLAN, "O2", "Keep Y above 3") is None
