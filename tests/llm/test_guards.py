"""The guards that keep the coach honest: quoted evidence, no invented numbers,
rewrites that really score better."""

from __future__ import annotations

import pytest

from assistant.llm.guards import (
    merge_findings,
    normalise_code,
    normalise_target,
    replace_invented,
    rescore,
    verify_evidence,
)
from assistant.model import Finding, KeyResult, Objective, OKRSet, Rewrite
from assistant.rubric.rewrites import fill_placeholders, score_rewrite
from assistant.services.critique import critique_set

KR = "Raise week-1 activation from 32% to 50% by 31 Mar 2026"


def make_set(*krs: str, cycle: str | None = None) -> OKRSet:
    return OKRSet(
        name="Platform",
        cycle=cycle,
        objectives=[
            Objective(
                title="Make onboarding effortless", key_results=[KeyResult(text=k) for k in krs]
            )
        ],
    )


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ("from 32% to 50%", "from 32% to 50%"),
        ("“from 32% to 50%”", "from 32% to 50%"),
        ("RAISE WEEK-1 activation", "Raise week-1 activation"),
        ("from  32%\nto 50%", "from 32% to 50%"),
        ("Raise week-1 … by 31 Mar 2026", "by 31 Mar 2026"),
        ("from 30% to 60%", None),
        ("", None),
    ],
)
def test_evidence_is_an_exact_substring_or_nothing(evidence: str, expected: str | None) -> None:
    found = verify_evidence(KR, evidence)
    assert found == expected
    if found is not None:
        assert found in KR


def test_targets_are_normalised_and_checked_against_the_set() -> None:
    okr_set = make_set(KR, "Cut churn from 3% to 2%")
    assert normalise_target(okr_set, "o1 kr2") == "O1.KR2"
    assert normalise_target(okr_set, "O1") == "O1"
    assert normalise_target(okr_set, "set") == "SET"
    assert normalise_target(okr_set, "O1.KR3") is None
    assert normalise_target(okr_set, "O2") is None
    assert normalise_target(okr_set, "the first KR") is None


def test_invented_baseline_and_target_become_placeholders() -> None:
    okr_set = make_set("Improve NPS significantly", cycle="2026-Q1")
    placed = replace_invented("Raise NPS from 20 to 35 by end of Q1", okr_set)
    assert placed.text == "Raise NPS from [baseline] to [target] by end of Q1"
    assert placed.invented == ["20", "35"]


def test_the_users_own_numbers_are_kept() -> None:
    okr_set = make_set(KR, "Improve NPS significantly")
    placed = replace_invented("Raise week-1 activation from 32% to 50% by 31 Mar 2026", okr_set)
    assert placed.invented == [] and placed.text.endswith("31 Mar 2026")


def test_invented_dates_and_quarters_become_deadline_placeholders() -> None:
    okr_set = make_set("Improve NPS significantly")
    placed = replace_invented("Raise NPS from 20 to 35 by 30 June 2026", okr_set)
    assert placed.text == "Raise NPS from [baseline] to [target] by [deadline]"
    placed = replace_invented("Reach 40 NPS in Q3", make_set("Reach 40 NPS"))
    assert placed.text == "Reach 40 NPS in [deadline]"
    assert placed.invented == ["Q3"]


def test_placeholders_are_scored_as_if_filled_in() -> None:
    filled = fill_placeholders("Raise NPS from [baseline] to [target] by [deadline]")
    assert "[" not in filled.text
    start = filled.text.index("from")
    shown = "Raise NPS from [baseline] to [target] by [deadline]"
    assert filled.to_shown(shown, start, len(filled.text)) == shown[shown.index("from") :]


def test_better_rewrite_is_offered_with_a_positive_delta_and_no_no_number_finding() -> None:
    okr_set = make_set(KR, "Improve NPS significantly")
    base = critique_set(okr_set)
    rewrite = rescore(
        okr_set, "O1.KR2", "Raise NPS from [baseline] to [target] by 31 Mar 2026", base
    )
    assert rewrite is not None and rewrite.score_delta > 0
    assert rewrite.scores.measurability == 5
    assert all(f.code != "KR-NO-NUMBER" for f in rewrite.findings)


def test_worse_rewrite_is_not_offered() -> None:
    okr_set = make_set(KR, "Cut churn from 3% to 2% by 31 Mar 2026")
    base = critique_set(okr_set)
    assert rescore(okr_set, "O1.KR1", "Work hard on activation", base) is None


def test_rewrite_findings_quote_the_rewrite_itself() -> None:
    okr_set = make_set(KR, "Improve NPS significantly")
    base = critique_set(okr_set)
    rewrite = rescore(okr_set, "O1.KR2", "Improve NPS from [baseline] to [target]", base)
    assert rewrite is not None
    assert rewrite.findings, "the vague 'Improve' is still there and must be reported"
    assert all(f.evidence in rewrite.text for f in rewrite.findings)


def test_codes_outside_the_table_get_the_llm_prefix() -> None:
    assert normalise_code("KR-VAGUE") == "KR-VAGUE"
    assert normalise_code("LLM-GAMEABLE") == "LLM-GAMEABLE"
    assert normalise_code("not aligned") == "LLM-NOT-ALIGNED"


def _finding(code: str, target: str, source: str, rewrite: Rewrite | None = None) -> Finding:
    return Finding(
        code=code,
        target=target,
        dimension="clarity",
        severity="warning",
        evidence="Improve",
        message="m",
        question="q",
        suggestion="s",
        source=source,  # type: ignore[arg-type]
        rewrite=rewrite,
    )


def test_llm_duplicate_of_a_rules_finding_merges_its_rewrite_into_it() -> None:
    rules = [_finding("KR-VAGUE", "O1.KR2", "rules"), _finding("KR-NO-NUMBER", "O1.KR1", "rules")]
    llm = [
        _finding("KR-VAGUE", "O1.KR2", "llm", Rewrite(text="Raise NPS")),
        _finding("LLM-GAMEABLE", "O1", "llm"),
        _finding("LLM-GAMEABLE", "O1", "llm"),
    ]
    merged = merge_findings(rules, llm)
    assert [(f.code, f.target, f.source) for f in merged] == [
        ("LLM-GAMEABLE", "O1", "llm"),
        ("KR-NO-NUMBER", "O1.KR1", "rules"),
        ("KR-VAGUE", "O1.KR2", "rules"),
    ]
    assert merged[2].rewrite is not None and merged[2].rewrite.text == "Raise NPS"


def test_a_rewrite_that_makes_the_set_worse_is_dropped_even_if_scoring_works() -> None:
    okr_set = make_set(KR, "Cut churn from 3% to 2% by 31 Mar 2026")
    base = critique_set(okr_set)
    worse = "Launch a churn dashboard"
    scored = score_rewrite(okr_set, "O1.KR2", worse, base=base)
    assert scored is not None and scored.score_delta is not None and scored.score_delta < 0
    assert rescore(okr_set, "O1.KR2", worse, base) is None
    assert rescore(okr_set, "O9.KR1", worse, base) is None  # unknown target


def test_a_better_scoring_coach_rewrite_replaces_the_rubrics_own() -> None:
    rules = _finding("KR-NO-BASELINE", "O1.KR1", "rules", Rewrite(text="A", score_delta=3))
    worse = _finding("KR-NO-BASELINE", "O1.KR1", "llm", Rewrite(text="B", score_delta=1))
    better = _finding("KR-NO-BASELINE", "O1.KR1", "llm", Rewrite(text="C", score_delta=5))
    assert merge_findings([rules], [worse])[0].rewrite.text == "A"
    assert merge_findings([rules], [better])[0].rewrite.text == "C"
