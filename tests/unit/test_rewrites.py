"""Rewrites are data: rules checks offer them, one function scores them, JSON shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.io import read_path
from assistant.model import KeyResult, Objective, OKRSet
from assistant.render import to_json
from assistant.rubric.critic import critique_set, critique_sets
from assistant.rubric.rewrites import fill_placeholders, score_rewrite
from assistant.services import critique as critique_service

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def one_set(*krs: str, title: str = "Make onboarding effortless") -> OKRSet:
    return OKRSet(
        name="Growth",
        objectives=[Objective(title=title, key_results=[KeyResult(text=k) for k in krs])],
    )


def finding(okr_set: OKRSet, code: str, target: str = "O1.KR1"):
    return next(f for f in critique_set(okr_set).findings if f.code == code and f.target == target)


def test_a_missing_baseline_comes_with_a_rewrite_that_claims_no_gain() -> None:
    """ "from [baseline]" only shows the form of the fix: scored, it would be the sentinel's
    score, so no "+N" is offered for it (issue 21)."""
    okr_set = one_set("Grow MRR to $80k by 30 Jun 2026", "Cut churn from 3% to 2% by Q2")
    found = finding(okr_set, "KR-NO-BASELINE")
    rewrite = found.rewrite
    assert rewrite is not None and rewrite.text == "Grow MRR from [baseline] to $80k by 30 Jun 2026"
    assert "[baseline]" in found.suggestion  # the advice stays readable advice
    assert (rewrite.score_delta, rewrite.scores) == (None, None)
    # Scored on its own (the TUI does, as the user types), it still claims no gain.
    alone = score_rewrite(okr_set, "O1.KR1", rewrite.text)
    assert alone is not None and alone.score_delta is None
    assert alone.scores is not None and alone.scores.measurability == 5
    assert all(f.code != "KR-NO-BASELINE" for f in alone.findings)
    # A rewrite with the user's own number in it is a real change and is scored.
    real = score_rewrite(okr_set, "O1.KR1", "Grow MRR from $50k to $80k by 30 Jun 2026")
    assert real is not None and real.score_delta is not None and real.score_delta > 0


def test_rules_rewrites_are_whole_texts_never_fragments_or_templates() -> None:
    okr_set = one_set(
        "Grow weekly sign-ups from 100 to 102 by Q2",
        "Improve customer satisfaction",
        "Grow MRR to $80k and NPS to 45 by Q2",
    )
    critique = critique_set(okr_set)
    offered = {(f.code, f.target): f.rewrite.text for f in critique.findings if f.rewrite}
    assert offered[("KR-LOW-AMBITION", "O1.KR1")] == (
        "Grow weekly sign-ups from 100 to [stretch target] by Q2"
    )
    assert ("KR-NO-NUMBER", "O1.KR2") not in offered  # '[metric] from …' is a template
    assert ("KR-COMPOUND", "O1.KR3") not in offered  # a split is two texts, not one
    number = one_set("Cut churn from 3% to 2% by Q2", title="Increase revenue by 20%")
    assert finding(number, "OBJ-HAS-NUMBER", "O1").rewrite.text == "Increase revenue"
    fragment = one_set("Cut churn from 3% to 2% by Q2", title="Reach 1M users")
    assert finding(fragment, "OBJ-HAS-NUMBER", "O1").rewrite is None  # 'users' is no objective


def test_the_findings_of_a_rewrite_quote_it_with_its_blanks() -> None:
    okr_set = one_set("Grow MRR to $80k")
    offered = finding(okr_set, "KR-NO-BASELINE").rewrite
    assert offered is not None and offered.text == "Grow MRR from [baseline] to $80k"
    rewrite = score_rewrite(okr_set, "O1.KR1", offered.text)
    assert rewrite is not None
    deadline = next(f for f in rewrite.findings if f.code == "KR-NO-DEADLINE")
    assert deadline.evidence == rewrite.text and rewrite.text in deadline.message
    assert deadline.rewrite is None  # a rewrite's findings offer no rewrites of their own


def test_blanks_are_filled_with_values_that_do_not_collide_with_the_users_numbers() -> None:
    okr_set = one_set("Reach 100% test coverage by Q2")
    offered = finding(okr_set, "KR-NO-BASELINE").rewrite
    assert offered is not None
    rewrite = score_rewrite(okr_set, "O1.KR1", offered.text)
    assert rewrite is not None and rewrite.scores is not None and rewrite.score_delta is None
    assert all(f.code != "KR-LOW-AMBITION" for f in rewrite.findings)
    filled = fill_placeholders("Raise coverage from [baseline] to 100%").text
    assert filled.startswith("Raise coverage from ") and not filled.startswith(
        "Raise coverage from 100 "
    )


@pytest.mark.parametrize("target", ["O9.KR1", "O1.KR7", "O2", "SET", "the first KR", ""])
def test_a_rewrite_of_an_unknown_target_scores_nothing(target: str) -> None:
    okr_set = one_set("Grow MRR to $80k")
    assert score_rewrite(okr_set, target, "Grow MRR from $50k to $80k by Q2") is None
    assert score_rewrite(okr_set, "O1.KR1", "   ") is None


def test_json_shows_the_rewrite_with_its_scores_and_findings() -> None:
    okr_set = one_set(
        "Grow MRR to $80k", "Cut churn from 3% to 2%", title="Increase revenue by 20%"
    )
    data = json.loads(to_json(critique_sets([okr_set])))
    findings = data["sets"][0]["findings"]
    number = next(f for f in findings if f["code"] == "OBJ-HAS-NUMBER")
    rewrite = number["rewrite"]
    assert rewrite["text"] == "Increase revenue"
    assert set(rewrite["scores"]) == {"clarity", "measurability", "ambition", "overall"}
    assert isinstance(rewrite["score_delta"], int) and rewrite["score_delta"] > 0
    assert rewrite["findings"] == []
    baseline = next(f for f in findings if f["code"] == "KR-NO-BASELINE")
    assert baseline["rewrite"]["text"] == "Grow MRR from [baseline] to $80k"
    assert "scores" not in baseline["rewrite"] and "score_delta" not in baseline["rewrite"]
    assert all("rewrite" not in f for f in findings if f["code"] == "KR-NO-NUMBER")


def test_while_scoring_rewrites_are_offered_but_not_scored() -> None:
    critique = critique_set(one_set("Grow MRR to $80k"), rewrites=False)
    rewrites = [f.rewrite for f in critique.findings if f.rewrite is not None]
    assert rewrites and all(r.scores is None and r.score_delta is None for r in rewrites)


@pytest.mark.parametrize("path", ["weak.yaml", "team.yaml", "company.yaml", "weak.md"])
def test_the_fast_post_pass_agrees_with_a_full_re_critique(path: str) -> None:
    for okr_set in read_path(str(EXAMPLES / path)):
        for found in critique_set(okr_set).findings:
            if found.rewrite is None:
                continue
            full = score_rewrite(okr_set, found.target, found.rewrite.text)
            assert full is not None, (found.code, found.target)
            fast = found.rewrite
            if fast.scores is None:  # only placeholders: offered as text, no gain claimed
                assert full.score_delta is None, found.code
                continue
            assert (fast.score_delta, fast.scores) == (full.score_delta, full.scores), found.code
            assert [f.code for f in fast.findings] == [f.code for f in full.findings]
            assert all(f.evidence in fast.text for f in fast.findings)


def test_forked_workers_give_the_same_report(monkeypatch: pytest.MonkeyPatch) -> None:
    sets = [s for name in ("team.yaml", "company.yaml") for s in read_path(str(EXAMPLES / name))]
    monkeypatch.setattr(critique_service, "PARALLEL_MIN_SETS", 1)
    forked = critique_service.critique_sets(sets)
    assert forked == critique_sets(sets)
    assert any(f.rewrite is not None for s in forked.sets for f in s.findings)


def test_compact_json_for_big_reports_says_the_same_as_the_pretty_one() -> None:
    from assistant.render import PRETTY_JSON_MAX_SETS, to_json_data

    sets = [one_set("Grow MRR to $80k", "Launch the new onboarding flow")] * (
        PRETTY_JSON_MAX_SETS + 1
    )
    report = critique_sets(sets).model_copy(update={"errors": ["x.yaml: broken"]})
    text = to_json(report)
    assert "\n" not in text.rstrip("\n")
    assert json.loads(text) == json.loads(json.dumps(to_json_data(report)))
