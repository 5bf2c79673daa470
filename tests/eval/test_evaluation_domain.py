"""``domain.evaluation``: the counting itself, on hand-made critiques."""

from __future__ import annotations

from assistant.domain.evaluation import RunFacts, ScoredSet, Tally, score
from assistant.io import read_text
from assistant.model import Finding, Rewrite, Scores, SetCritique

SET = read_text(
    """\
name: Numbers
cycle: 2026-Q3
objectives:
  - title: Grow a loyal base
    key_results:
      - text: Raise NPS from 30 to 45
        expect: [KR-NO-DEADLINE]
      - Grow paying customers to 400
""",
    "n.yaml",
)[0]


def _finding(target: str, code: str, evidence: str, invented: list[str] | None = None) -> Finding:
    rewrite = None if invented is None else Rewrite(text="x", invented_numbers=invented)
    return Finding(
        code=code, target=target, dimension="clarity", severity="info", evidence=evidence,
        message="m", question="q", suggestion="s", source="llm", rewrite=rewrite,
    )  # fmt: skip


def _critique(*findings: Finding) -> SetCritique:
    scores = Scores(clarity=3, measurability=3, ambition=3, overall=60)
    return SetCritique(scores=scores, findings=list(findings))


def test_numbers_the_set_states_elsewhere_are_not_counted_as_invented() -> None:
    found = _finding("O1.KR2", "LLM-X", "Grow paying", ["30", "240", "Q3", "Q1", "1,500"])
    result = score(
        [ScoredSet(SET, _critique(found), frozenset({30.0, 45.0, 400.0}), frozenset({"Q3"}))],
        RunFacts("llm"),
    )
    assert result.invented_numbers == 3  # 240, Q1 and 1,500; 30 and Q3 are in the set


def test_grounded_is_the_share_of_findings_quoting_their_own_target() -> None:
    findings = [
        _finding("O1.KR1", "KR-NO-DEADLINE", "from 30 to 45"),  # quoted
        _finding("O1.KR2", "LLM-X", "from 30 to 45"),  # quotes another target
        _finding("SET", "LLM-Y", ""),  # quotes nothing
        _finding("O3.KR1", "LLM-Z", "Raise"),  # a target the set does not have
    ]
    result = score([ScoredSet(SET, _critique(*findings))], RunFacts("llm"))
    assert result.findings == 4 and result.grounded == 0.25
    assert result.codes["KR-NO-DEADLINE"] == Tally(tp=1)
    assert result.codes["LLM-Z"] == Tally(fp=1)


def test_an_empty_run_is_vacuously_perfect_and_says_so_in_the_json() -> None:
    result = score([], RunFacts("rules"))
    data = result.as_json()
    assert data["labels"] == 0 and data["codes"] == {} and data["grounded"] == 1.0
    assert data["micro"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_a_code_that_is_never_found_has_recall_0_and_f1_0() -> None:
    tally = Tally(fn=3)
    assert (tally.labels, tally.precision, tally.recall, tally.f1) == (3, 1.0, 0.0, 0.0)
