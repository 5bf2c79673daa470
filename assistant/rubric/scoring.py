"""Transparent scores (the README explains the same formula).

Every key result, objective and set starts at 5 on clarity, measurability and
ambition. Each finding takes points off its own target's dimension (error 2,
warning 1, info 0; floor 1). An objective starts from the mean of its key
results; a set from the mean of its objectives. ``overall`` maps the mean of the
three dimensions from 1–5 onto 0–100 and takes 5 points off per structure finding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.model import (
    SCORED_DIMENSIONS,
    Finding,
    ObjectiveScores,
    OKRSet,
    Scores,
    SetCritique,
    TargetScores,
)
from assistant.rubric.rules import Rubric, load_rubric

Raw = dict[str, float]


def _round(value: float) -> int:
    return int(value + 0.5)


class _Penalties:
    def __init__(self, findings: Sequence[Finding], rubric: Rubric) -> None:
        self.points: dict[tuple[str, str], float] = defaultdict(float)
        self.structure: dict[str, int] = defaultdict(int)
        for f in findings:
            if f.dimension == "structure":
                self.structure[f.target] += 1
            else:
                self.points[(f.target, f.dimension)] += rubric.penalty.get(f.severity, 0)

    def apply(self, target: str, start: Raw) -> Raw:
        return {d: max(1.0, start[d] - self.points[(target, d)]) for d in SCORED_DIMENSIONS}


def _scores(raw: Raw, structure_findings: int, rubric: Rubric) -> Scores:
    mean = sum(raw.values()) / len(raw)
    overall = _round((mean - 1) / 4 * 100) - rubric.structure_penalty * structure_findings
    return Scores(
        clarity=_round(raw["clarity"]),
        measurability=_round(raw["measurability"]),
        ambition=_round(raw["ambition"]),
        overall=max(0, min(100, overall)),
    )


def _mean(raws: Sequence[Raw]) -> Raw:
    if not raws:
        return dict.fromkeys(SCORED_DIMENSIONS, 5.0)
    return {d: sum(r[d] for r in raws) / len(raws) for d in SCORED_DIMENSIONS}


def score_set(
    okr_set: OKRSet,
    findings: Sequence[Finding],
    engine: str = "rules",
    rubric: Rubric | None = None,
) -> SetCritique:
    """Scores for every KR, objective and the set, given the findings about them."""
    rubric = rubric or load_rubric()
    penalties = _Penalties(findings, rubric)
    full = dict.fromkeys(SCORED_DIMENSIONS, 5.0)
    objectives: list[ObjectiveScores] = []
    objective_raws: list[Raw] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        obj_id = f"O{oi}"
        kr_scores: list[TargetScores] = []
        kr_raws: list[Raw] = []
        obj_structure = penalties.structure[obj_id]
        for ki, kr in enumerate(objective.key_results, start=1):
            kr_id = f"{obj_id}.KR{ki}"
            raw = penalties.apply(kr_id, full)
            kr_raws.append(raw)
            obj_structure += penalties.structure[kr_id]
            kr_scores.append(
                TargetScores(
                    id=kr_id,
                    text=kr.text,
                    line=kr.line,
                    scores=_scores(raw, penalties.structure[kr_id], rubric),
                )
            )
        raw = penalties.apply(obj_id, _mean(kr_raws))
        objective_raws.append(raw)
        objectives.append(
            ObjectiveScores(
                id=obj_id,
                text=objective.title,
                line=objective.line,
                scores=_scores(raw, obj_structure, rubric),
                key_results=kr_scores,
            )
        )
    if okr_set.objectives:
        set_raw = penalties.apply("SET", _mean(objective_raws))
    else:
        set_raw = dict.fromkeys(SCORED_DIMENSIONS, 1.0)
    structure_total = sum(penalties.structure.values())
    return SetCritique(
        source=okr_set.source,
        index=okr_set.index,
        name=okr_set.name,
        engine=engine,
        scores=_scores(set_raw, structure_total, rubric),
        objectives=objectives,
        findings=list(findings),
    )
