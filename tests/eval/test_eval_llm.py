"""``okr eval --engine llm`` against the local fake OpenAI server (no network)."""

from __future__ import annotations

from typing import Any

from llm.fake_server import KR_LINE_RE, default_answer, first_user_text

from .conftest import report

SPEC_KEYS = [
    "version", "engine", "model", "labels", "micro", "codes", "grounded",
    "invented_numbers", "dropped", "requests", "seconds", "cost_usd",
]  # fmt: skip
CODE_KEYS = ["labels", "tp", "fp", "fn", "precision", "recall", "f1"]

LABELLED = """\
sets:
  - name: Growth
    objectives:
      - title: Turn trial users into paying customers who stay
        key_results:
          - text: Hit $1M ARR while raising NPS from 30 to 45 by Q4
            expect: [KR-NO-BASELINE, KR-COMPOUND]
          - text: Reach 50% week-1 activation by Q4
            expect: [KR-NO-BASELINE]
          - text: Grow paying customers to 400 by Q4
            expect: [KR-NO-BASELINE]
  - name: Support
    objectives:
      - title: Make support the reason customers stay
        key_results:
          - text: Answer 90% of chats within 2 minutes by Q3
            expect: [KR-NO-BASELINE]
          - Cut median first response time from 4 hours to 1 hour by Q3
"""


def _finding(target: str, code: str, evidence: str, rewrite: str | None = None) -> dict:
    return {
        "target": target,
        "code": code,
        "dimension": "measurability",
        "severity": "warning",
        "evidence": evidence,
        "message": "Where do you start from?",
        "question": "What is the number today?",
        "suggestion": "Add the starting value.",
        "rewrite": rewrite,
    }


def coach(body: dict[str, Any]) -> dict[str, Any]:
    """A model that finds what the rules miss, invents one number, borrows another from
    the set, and paraphrases one quote (dropped by the guards)."""
    krs = dict(KR_LINE_RE.findall(first_user_text(body)))
    if "Hit $1M ARR" not in krs.get("O1.KR1", ""):
        return default_answer(body)
    return {
        "findings": [
            # the rules miss this label (the NPS part has a baseline): a true positive
            _finding("O1.KR1", "kr-no-baseline", "Hit $1M ARR"),
            # a code of the model's own, with a rewrite that invents the baseline 240
            _finding(
                "O1.KR3",
                "LLM-BASELINE-SOURCE",
                "Grow paying customers",
                "Grow paying customers from 240 to 400 by Q4",
            ),
            # a baseline of 30 borrowed from O1.KR1: in the set's text, not made up
            _finding(
                "O1.KR3",
                "LLM-BORROWED-BASELINE",
                "Grow paying customers",
                "Grow paying customers from 30 to 400 by Q4",
            ),
            _finding("O1.KR1", "KR-COMPOUND", "hit one million ARR"),  # paraphrased: dropped
        ]
    }


def test_the_llm_engine_gives_spec_json_with_requests(okr, write, fake) -> None:
    fake.answer = coach
    scores = report(
        okr("eval", str(write("labels.yaml", LABELLED)), "--engine", "llm", "--model", "m",
            "--format", "json")
    )  # fmt: skip
    assert list(scores) == SPEC_KEYS
    assert list(scores["micro"]) == ["precision", "recall", "f1"]
    assert all(list(row) == CODE_KEYS for row in scores["codes"].values())
    assert scores["engine"] == "llm" and scores["model"] == "m"
    assert scores["requests"] == len(fake.chat_requests()) == 2
    assert isinstance(scores["seconds"], float) and scores["cost_usd"] is not None
    assert scores["labels"] == 5
    # The rules find KR-NO-BASELINE on O1.KR2, O1.KR3 and S2 O1.KR1; the model adds O1.KR1.
    assert scores["codes"]["KR-NO-BASELINE"] == {
        "labels": 4, "tp": 4, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0,
    }  # fmt: skip
    assert scores["codes"]["LLM-BASELINE-SOURCE"]["fp"] == 1  # a code no label can hold
    assert scores["codes"]["LLM-BORROWED-BASELINE"]["fp"] == 1
    assert scores["codes"]["LLM-NO-DATA-SOURCE"]["fp"] == 1  # the fake's answer for Support
    assert scores["dropped"] == 1
    assert scores["invented_numbers"] == 1  # 240 made up; 30 is in the set's text
    assert scores["grounded"] == 1.0


def test_the_rules_alone_miss_what_the_model_found(okr, write) -> None:
    scores = report(okr("eval", str(write("labels.yaml", LABELLED)), "--format", "json"))
    assert scores["codes"]["KR-NO-BASELINE"]["fn"] == 1
    assert scores["requests"] == 0 and scores["invented_numbers"] == 0


def test_a_set_the_llm_cannot_finish_is_left_out_and_the_run_exits_3(okr, write, fake) -> None:
    fake.plan = {"Support": ["refusal"] * 10}
    result = okr("eval", str(write("labels.yaml", LABELLED)), "--engine", "llm", "--format", "json")
    assert result.exit_code == 3, result.output
    import json

    scores = json.loads(result.stdout)
    assert scores["labels"] == 4  # the Support set's label is not counted
    assert scores["requests"] >= 2
    assert "labels.yaml#2" in result.stderr
    assert "1 of 2 set(s) not scored" in result.stderr


def test_the_text_output_names_the_model_and_the_requests(okr, write, fake) -> None:
    result = okr("eval", str(write("labels.yaml", LABELLED)), "--engine", "llm", "--model", "m")
    assert result.exit_code == 0, result.output
    assert "engine llm (m)" in result.stdout
    assert "requests 2" in result.stdout.strip().splitlines()[-1]
    assert "m: 2 requests" in result.stderr
