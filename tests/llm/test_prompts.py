"""Prompt templating is one pass: text in the user's OKRs is never a placeholder."""

from __future__ import annotations

from string import Template

import pytest

from assistant.io import read_text
from assistant.llm.prompts import fill, load_prompt, prompt_messages

from .conftest import run_llm_critique, settings_for
from .fake_server import FakeOpenAI

TRICKY = "Cut churn from 5% to 3% ($findings, ${okrs}, {{findings}}, $$, $) by Q2"
SET_WITH_TRICKY_TEXT = f"""name: Tricky
objectives:
  - title: "Keep our ${{style}} customers, {{{{okrs}}}}"
    key_results:
      - "{TRICKY}"
      - Launch the new onboarding flow
"""


def test_fill_is_a_single_pass() -> None:
    out = fill("A ${a} B $b C", a="${b} $b {{b}}", b="x")
    assert out == "A ${b} $b {{b}} B x C"
    assert fill("cost $$5 for ${a}", a="$$") == "cost $5 for $$"


def test_fill_refuses_a_prompt_and_values_that_drifted_apart() -> None:
    with pytest.raises(ValueError, match="missing"):
        fill("${a} ${b}", a="1")
    with pytest.raises(ValueError, match="unused"):
        fill("${a}", a="1", b="2")
    with pytest.raises(ValueError, match=r"\$\$"):
        fill("costs $5 ${a}", a="1")


def test_okr_text_that_looks_like_a_placeholder_reaches_the_model_literally(
    fake: FakeOpenAI, okr_home
) -> None:
    sets = read_text(SET_WITH_TRICKY_TEXT, "tricky.yaml", "yaml")
    assert sets[0].objectives[0].key_results[0].text == TRICKY
    report = run_llm_critique(
        sets,
        settings=settings_for(fake),
        home=okr_home,
        concurrency=1,
        use_cache=True,
        dry_run=True,
        style="balanced",
    )
    assert report.dry_run is not None and fake.requests == []
    user = report.dry_run.items[0].messages[-1]["content"]
    assert f"- O1.KR1: {TRICKY}" in user
    assert "O1: Keep our ${style} customers, {{okrs}}" in user
    assert user.count("# Rules engine findings") == 1 and user.count("# OKR set to coach") == 1
    assert user.count("Coaching style: balanced") == 1

    live = run_llm_critique(
        sets,
        settings=settings_for(fake),
        home=okr_home,
        concurrency=1,
        use_cache=True,
        dry_run=False,
        style="balanced",
    )
    assert not live.errors
    sent = fake.chat_requests()[0].body["messages"][-1]["content"]
    assert sent == user  # the dry run shows exactly what is sent


def test_review_prompts_fill_the_same_way() -> None:
    messages = prompt_messages(
        "review_persona", persona="$okrs", okrs=f"- O1.KR1: {TRICKY}", findings="{{okrs}}"
    )
    user = messages[-1]["content"]
    assert f"- O1.KR1: {TRICKY}" in user and "$okrs" in user and "{{okrs}}" in user
    assert messages[0]["content"] == load_prompt("review_persona").system


@pytest.mark.parametrize(
    ("name", "placeholders"),
    [
        ("critique", {"style", "okrs", "findings", "lessons"}),
        ("critique_compact", {"style", "okrs", "findings", "lessons"}),
        ("review_persona", {"persona", "okrs", "findings"}),
        ("review_reply", {"persona", "okrs", "points"}),
        ("review_facilitator", {"okrs", "seats", "transcript"}),
    ],
)
def test_every_prompt_file_uses_template_placeholders(name: str, placeholders: set[str]) -> None:
    prompt = load_prompt(name)
    template = Template(prompt.user)
    assert template.is_valid() and set(template.get_identifiers()) == placeholders
    assert "{{" not in prompt.user and "{{" not in prompt.system
