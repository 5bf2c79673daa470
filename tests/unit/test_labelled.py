"""The rules engine against a hand-labelled set of key results (tests/data/labelled_krs.yaml)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from assistant.model import KeyResult, OKRSet
from assistant.rubric.engine import kr_findings

LABELLED = yaml.safe_load((Path(__file__).parent.parent / "data" / "labelled_krs.yaml").read_text())
KR_CODES = (
    "KR-NO-NUMBER",
    "KR-NO-BASELINE",
    "KR-NO-DEADLINE",
    "KR-ACTIVITY",
    "KR-VAGUE",
    "KR-COMPOUND",
    "KR-LOW-AMBITION",
)


def _codes(text: str) -> set[str]:
    return {f.code for f in kr_findings(KeyResult(text=text), "O1.KR1", OKRSet(name="eval"))}


def test_the_labelled_set_is_large_enough_and_covers_every_kr_code() -> None:
    assert len(LABELLED) >= 80
    covered = Counter(code for item in LABELLED for code in item["codes"])
    assert all(covered[code] >= 5 for code in KR_CODES), covered
    assert sum(1 for item in LABELLED if not item["codes"]) >= 20  # clean KRs too


@pytest.mark.parametrize("code", KR_CODES)
def test_precision_and_recall_per_code_are_at_least_0_9(code: str) -> None:
    tp = fp = fn = 0
    for item in LABELLED:
        got, expected = code in _codes(item["text"]), code in item["codes"]
        tp += got and expected
        fp += got and not expected
        fn += expected and not got
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    assert precision >= 0.9 and recall >= 0.9, (code, precision, recall)


@pytest.mark.parametrize("item", LABELLED, ids=[i["text"][:40] for i in LABELLED])
def test_each_labelled_key_result(item: dict) -> None:
    assert _codes(item["text"]) == set(item["codes"])


OBJECTIVES = yaml.safe_load(
    (Path(__file__).parent.parent / "data" / "labelled_objectives.yaml").read_text()
)


@pytest.mark.parametrize("item", OBJECTIVES, ids=[i["title"][:40] for i in OBJECTIVES])
def test_each_labelled_objective(item: dict) -> None:
    from assistant.model import Objective
    from assistant.rubric.engine import objective_findings

    objective = Objective(
        title=item["title"], key_results=[KeyResult(text="a"), KeyResult(text="b")]
    )
    assert {f.code for f in objective_findings(objective, "O1")} == set(item["codes"])
