"""The batch critique service against the fake endpoint: nothing lost, faults reported,
grounded findings, cache, cost and dry run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.config import Price, Settings
from assistant.llm.engine import load_prompt
from assistant.model import SetCritique
from assistant.render.llm_usage import render_dry_run

from .conftest import DUMMY_KEY, run_llm_critique, settings_for, team
from .fake_server import FakeOpenAI, first_user_text


def run(sets, settings: Settings, home: Path, **kwargs: Any):
    options: dict[str, Any] = {
        "concurrency": 4,
        "use_cache": True,
        "dry_run": False,
        "style": "balanced",
    }
    options.update(kwargs)
    return run_llm_critique(sets, settings=settings, home=home, **options)


def test_every_set_ends_done_or_reported_under_mixed_faults(fake: FakeOpenAI, okr_home) -> None:
    fake.plan = {
        "RATE": ["429", "429", "ok"],
        "FLAKY": ["500", "ok"],
        "SLOW": ["timeout", "ok"],
        "BROKEN": ["malformed", "ok"],
        "CUT": ["length", "length"],  # re-asked once shorter, then it fails
        "REFUSE": ["refusal"],
        "DOWN": ["500"] * 20,
    }
    fake.hang = 2.0
    names = ["RATE", "FLAKY", "SLOW", "BROKEN", "CUT", "REFUSE", "DOWN", "fine-1", "fine-2"]
    settings = settings_for(fake, timeout=0.5)
    streamed: list[SetCritique] = []
    report = run(team(names), settings, okr_home, on_result=streamed.append, concurrency=3)

    assert [s.name for s in report.sets] == names  # input order, nothing lost
    assert sorted(s.name for s in streamed) == sorted(names)  # each streamed exactly once
    failed = {s.name for s in report.sets if s.error}
    assert failed == {"CUT", "REFUSE", "DOWN"}
    assert {e.split(":")[0] for e in report.errors} == {"team.yaml#5", "team.yaml#6", "team.yaml#7"}
    for critique in report.sets:
        assert critique.engine == ("rules" if critique.error else "llm")
        assert critique.scores is not None  # failed items keep their rules critique
    assert max(fake.per_item().values()) <= 9
    assert report.usage is not None
    assert report.usage.requests == len(fake.chat_requests())


def test_concurrency_is_bounded_by_the_semaphore(okr_home) -> None:
    with FakeOpenAI(delay=0.15) as server:
        report = run(team([f"s{i}" for i in range(12)]), settings_for(server), okr_home)
        assert not report.errors
        assert server.max_in_flight == 4


def test_findings_are_grounded_in_the_users_text(fake: FakeOpenAI, okr_home) -> None:
    def answer(body: dict) -> dict:
        finding = {
            "dimension": "clarity",
            "severity": "warning",
            "message": "m",
            "question": "q",
            "suggestion": "s",
            "rewrite": None,
        }
        return {
            "findings": [
                {**finding, "target": "O1.KR2", "code": "LLM-OUTPUT", "evidence": "launch the NEW"},
                {**finding, "target": "O1.KR1", "code": "LLM-MADE-UP", "evidence": "retention 80%"},
                {**finding, "target": "O7.KR1", "code": "LLM-NOWHERE", "evidence": "Launch"},
                {
                    **finding,
                    "target": "O1.KR3",
                    "code": "KR-VAGUE",
                    "evidence": "Improve",
                    "rewrite": "Raise NPS from 20 to 35 by 31 Mar 2026",
                },
                {
                    **finding,
                    "target": "O1.KR1",
                    "code": "LLM-WORSE",
                    "evidence": "Raise",
                    "rewrite": "Do better on activation",
                },
            ]
        }

    fake.answer = answer
    report = run(team(["A"]), settings_for(fake), okr_home)
    critique = report.sets[0]
    codes = {f.code for f in critique.findings if f.source == "llm"}
    assert codes == {"LLM-OUTPUT", "LLM-WORSE"}  # made-up evidence and bad targets dropped
    texts = {kr.id: kr.text for o in critique.objectives for kr in o.key_results}
    for finding in critique.findings:
        assert finding.evidence in texts.get(finding.target, critique.objectives[0].text)
    output = next(f for f in critique.findings if f.code == "LLM-OUTPUT")
    assert output.evidence == "Launch the new"  # repaired to the user's exact characters
    worse = next(f for f in critique.findings if f.code == "LLM-WORSE")
    assert worse.rewrite is None  # scores worse than the original: not offered
    vague = next(f for f in critique.findings if f.code == "KR-VAGUE")
    assert vague.source == "rules"  # merged into the rules finding, with the LLM's rewrite
    assert vague.rewrite is not None
    # The date is O1.KR1's, not this KR's: a rewrite may not borrow another KR's numbers.
    assert vague.rewrite.text == "Raise NPS from [baseline] to [target] by [deadline]"
    assert vague.rewrite.invented_numbers[:2] == ["20", "35"]
    assert "31" in vague.rewrite.invented_numbers
    assert vague.rewrite.score_delta > 0


def test_prompt_has_static_part_first_and_the_okrs_last(fake: FakeOpenAI, okr_home) -> None:
    run(team(["A", "B"]), settings_for(fake), okr_home, style="questions")
    first, second = (r.body["messages"] for r in fake.chat_requests())
    assert first[0] == second[0]  # identical system prefix for provider prompt caching
    assert first[0]["role"] == "system" and "onboarding flow" not in first[0]["content"]
    user = first[-1]["content"]
    assert user.index("Coaching style: questions") < user.index("O1.KR1: Raise week-1")
    assert user.index("O1.KR1: Raise week-1") < user.index("KR-NO-NUMBER on O1.KR2")


def test_rerun_sends_nothing_and_a_changed_set_only_itself(fake: FakeOpenAI, okr_home) -> None:
    settings = settings_for(fake)
    sets = team(["A", "B", "C"])
    run(sets, settings, okr_home)
    assert len(fake.chat_requests()) == 3
    fake.reset()
    again = run(sets, settings, okr_home)
    assert len(fake.chat_requests()) == 0
    assert again.usage is not None
    assert again.usage.requests == 0 and again.usage.cache_hits == 3
    assert [s.engine for s in again.sets] == ["llm"] * 3

    changed = team(["A", "B", "C"])
    changed[1].objectives[0].key_results[1].text = "Cut time-to-value from 9 to 4 days"
    run(changed, settings, okr_home)
    assert len(fake.chat_requests()) == 1
    assert "Cut time-to-value" in first_user_text(fake.chat_requests()[0].body)

    fake.reset()
    run(sets, settings, okr_home, style="rewrite")  # style is part of the cache key
    assert len(fake.chat_requests()) == 3
    fake.reset()
    run(sets, settings, okr_home, use_cache=False)
    assert len(fake.chat_requests()) == 3


def test_a_fully_cached_run_needs_no_key_and_no_server(fake: FakeOpenAI, okr_home, monkeypatch):
    sets = team(["A"])
    run(sets, settings_for(fake), okr_home)
    monkeypatch.delenv("OPENAI_API_KEY")
    offline = Settings()  # default endpoint, no key: would fail if anything were sent
    report = run(sets, offline, okr_home)
    assert not report.errors and report.sets[0].engine == "llm"


def test_usage_and_cost_are_reported(fake: FakeOpenAI, okr_home) -> None:
    settings = settings_for(fake)
    settings.llm.prices["gpt-4o-mini"] = Price(input=1.0, output=2.0)
    report = run(team(["A", "B"]), settings, okr_home)
    prompt, completion = fake.usage
    assert report.usage is not None
    assert report.usage.prompt_tokens == 2 * prompt
    assert report.usage.completion_tokens == 2 * completion
    expected = (2 * prompt * 1.0 + 2 * completion * 2.0) / 1_000_000
    assert report.usage.cost_usd is not None
    assert abs(report.usage.cost_usd - expected) < 1e-9


def test_dry_run_shows_the_messages_and_sends_nothing(fake: FakeOpenAI, okr_home) -> None:
    report = run(team(["A", "B"]), settings_for(fake), okr_home, dry_run=True)
    assert fake.requests == []
    assert report.usage is None
    plan = report.dry_run
    assert plan is not None
    assert plan.requests == 2 and plan.estimated_prompt_tokens > 0
    text = render_dry_run(plan)
    assert load_prompt().system in text and "O1.KR1: Raise week-1 activation" in text
    assert "Would send 2 requests" in text and "nothing is sent" in text


def test_the_key_is_never_stored(fake: FakeOpenAI, okr_home) -> None:
    report = run(team(["A"]), settings_for(fake), okr_home)
    assert DUMMY_KEY not in json.dumps(report.model_dump(mode="json"))
    for path in Path(okr_home).rglob("*"):
        if path.is_file():
            assert DUMMY_KEY.encode() not in path.read_bytes(), path


def test_a_cut_off_answer_keeps_its_whole_findings_and_says_so(fake: FakeOpenAI, okr_home) -> None:
    finding = {
        "target": "O1.KR3",
        "code": "LLM-NO-DATA-SOURCE",
        "dimension": "measurability",
        "severity": "warning",
        "evidence": "Improve NPS significantly",
        "message": "Significantly is not a number.",
        "question": "Which NPS would make you proud?",
        "suggestion": "Name the target.",
        "rewrite": None,
    }
    fake.answer = lambda body: {"findings": [finding] * 6}  # a small model repeating itself
    fake.plan = {"Platform": ["length"]}
    report = run(team(["Platform"]), settings_for(fake), okr_home)
    assert not report.errors and len(fake.chat_requests()) == 1  # no second long answer
    assert any(f.source == "llm" and f.target == "O1.KR3" for f in report.sets[0].findings)
    assert report.usage is not None
    assert any("cut off at the output token limit" in note for note in report.usage.notes)
