"""Transparent scores (the README explains the same formula).

Every key result, objective and set starts at 5 on clarity, measurability and
ambition. Each finding takes points off its own target's dimension (error 2,
warning 1, info 0; floor 1), and some rules also cap dimensions of their target
(``caps`` in ``rubrics/rules.yaml``: a key result with no number is at most 1 on
measurability and 2 on ambition). An objective starts from the mean of its key
results (1 on every dimension when it has none: nothing measures it yet); a set
from the mean of its objectives. A shown score is never 5 on a dimension with a
finding on the target or inside it: 5 means nothing to fix. ``overall`` maps the
mean of the three unrounded dimensions from 1–5 onto 0–100 and takes 5 points off
per structure finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

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


# What an overall score means, in words (the README's scale): (lowest score, meaning).
MEANINGS: tuple[tuple[int, str], ...] = (
    (90, "ready: a coach would launch it as it is"),
    (75, "solid: a few things to tighten before launch"),
    (50, "needs work: fix the errors before launch"),
    (0, "not OKRs yet: tasks, missing numbers or placeholders"),
)


def meaning(overall: int) -> str:
    """An overall score in words, on the scale a careful coach uses."""
    return next(text for floor, text in MEANINGS if overall >= floor)


def _round(value: float) -> int:
    """Half up, immune to float noise (4.4999999999 from a sum is 4.5)."""
    return int(round(value, 9) + 0.5)


def _caps(rubric: Rubric, code: str) -> dict[str, float]:
    """The caps of the rule ``code`` (none for codes outside the rubric: LLM-…, TEAM-…)."""
    key = (id(rubric), code)
    hit = _CAPS.get(key)
    if hit is None or hit[0] is not rubric:
        try:
            caps = rubric.rule(code).caps
        except KeyError:
            caps = {}
        if len(_CAPS) > 4096:
            _CAPS.clear()
        hit = _CAPS[key] = (rubric, caps)
    return hit[1]


_CAPS: dict[tuple[int, str], tuple[Rubric, dict[str, float]]] = {}


_NOTHING: dict[str, float] = {}
_NO_FLAGS: frozenset[str] = frozenset()


class _Penalties:
    """Per target: the points its findings take off each dimension, the caps its rules
    set, its structure findings and the dimensions that lost something (flagged)."""

    __slots__ = ("points", "caps", "structure", "flagged")

    def __init__(self, findings: Sequence[Finding], rubric: Rubric) -> None:
        self.points: dict[str, dict[str, float]] = {}
        self.caps: dict[str, dict[str, float]] = {}
        self.structure: dict[str, int] = {}
        self.flagged: dict[str, set[str]] = {}  # dimensions that lost points
        penalty = rubric.penalty
        for f in findings:
            target = f.target
            if f.dimension == "structure":
                self.structure[target] = self.structure.get(target, 0) + 1
            else:
                points = penalty.get(f.severity, 0)
                own = self.points.get(target)
                if own is None:
                    own = self.points[target] = {}
                own[f.dimension] = own.get(f.dimension, 0.0) + points
                if points:
                    self.flagged.setdefault(target, set()).add(f.dimension)
            caps = _caps(rubric, f.code)
            if caps:
                own_caps = self.caps.get(target)
                if own_caps is None:
                    own_caps = self.caps[target] = {}
                for dimension, cap in caps.items():
                    own_caps[dimension] = min(cap, own_caps.get(dimension, 5.0))
                    if cap < 5:
                        self.flagged.setdefault(target, set()).add(dimension)

    def apply(self, target: str, start: Raw) -> Raw:
        """``start`` less the target's points, within its caps and 1–5 (a new dict, or
        ``start`` itself when that changes nothing: raw scores are never modified)."""
        points = self.points.get(target, _NOTHING)
        caps = self.caps.get(target, _NOTHING)
        if (
            points is _NOTHING
            and caps is _NOTHING
            and (start is _FULL or (min(start.values()) >= 1.0 and max(start.values()) <= 5.0))
        ):
            return start  # nothing to take off and already within 1–5: the same values
        out: Raw = {}
        for d in SCORED_DIMENSIONS:  # a loop, not a comprehension: asked ~15,000 times
            out[d] = max(1.0, min(start[d] - points.get(d, 0.0), caps.get(d, 5.0)))
        return out

    def count(self, target: str) -> int:
        """Structure findings on ``target``."""
        return self.structure.get(target, 0)

    def flags(self, target: str) -> frozenset[str]:
        """The dimensions ``target``'s own findings took something off."""
        found = self.flagged.get(target)
        return frozenset(found) if found else _NO_FLAGS


def _scores(
    raw: Raw, structure_findings: int, rubric: Rubric, flagged: frozenset[str] = frozenset()
) -> Scores:
    """Shown scores: rounded half up, but at most 4 on a ``flagged`` dimension (one with a
    finding on the target or inside it), so a set with an ambition finding never shows 5.

    One ``Scores`` record per value, shared (it is frozen): a team file repeats a few raw
    scores thousands of times."""
    key = (tuple(raw.items()), structure_findings, rubric.structure_penalty, flagged)
    scores = _SHOWN.get(key)
    if scores is None:
        if len(_SHOWN) > 4096:
            _SHOWN.clear()
        shown = _shown(raw, structure_findings, rubric, flagged)
        scores = _SHOWN[key] = Scores(
            clarity=shown[0], measurability=shown[1], ambition=shown[2], overall=shown[3]
        )
    return scores


_SHOWN: dict[tuple[object, ...], Scores] = {}


def _shown(
    raw: Raw, structure_findings: int, rubric: Rubric, flagged: frozenset[str]
) -> tuple[int, int, int, int]:
    mean = sum(raw.values()) / len(raw)
    overall = _round((mean - 1) / 4 * 100) - rubric.structure_penalty * structure_findings

    def shown(dimension: str) -> int:
        value = _round(raw[dimension])
        return min(value, 4) if dimension in flagged else value

    return (
        shown("clarity"),
        shown("measurability"),
        shown("ambition"),
        max(0, min(100, overall)),
    )


def _mean(raws: Sequence[Raw]) -> Raw:
    if not raws:  # an objective with no key results: nothing measures it yet
        return dict.fromkeys(SCORED_DIMENSIONS, 1.0)
    out: Raw = {}
    for d in SCORED_DIMENSIONS:
        out[d] = sum(map(itemgetter(d), raws)) / len(raws)
    return out


_FULL: Raw = dict.fromkeys(SCORED_DIMENSIONS, 5.0)


@dataclass(slots=True)
class _Level:
    """One target's raw dimension scores and the structure findings counted against it."""

    id: str
    raw: Raw
    structure: int
    flagged: frozenset[str] = frozenset()  # dimensions with a finding here or inside
    start: Raw | None = None  # an objective's: the mean of its key results (``replaced``)


def _tree(okr_set: OKRSet, penalties: _Penalties) -> tuple[list[tuple[_Level, list[_Level]]], Raw]:
    """Every objective with its key results, and the set's raw scores: the formula above."""
    tree: list[tuple[_Level, list[_Level]]] = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        obj_id = f"O{oi}"  # str(TargetId(oi, 0)), thousands of times per team file
        krs: list[_Level] = []
        obj_structure = penalties.count(obj_id)
        for ki in range(1, len(objective.key_results) + 1):
            kr_id = f"{obj_id}.KR{ki}"
            raw = penalties.apply(kr_id, _FULL)
            structure = penalties.count(kr_id)
            krs.append(_Level(kr_id, raw, structure, penalties.flags(kr_id)))
            obj_structure += structure
        start = _mean([k.raw for k in krs])
        raw = penalties.apply(obj_id, start)
        flags = penalties.flags(obj_id).union(*(k.flagged for k in krs))
        tree.append((_Level(obj_id, raw, obj_structure, flags, start), krs))
    if okr_set.objectives:
        set_raw = penalties.apply("SET", _mean([o.raw for o, _ in tree]))
    else:
        set_raw = dict.fromkeys(SCORED_DIMENSIONS, 1.0)
    return tree, set_raw


def _set_flags(
    tree: Sequence[tuple[_Level, list[_Level]]], penalties: _Penalties
) -> frozenset[str]:
    return penalties.flags("SET").union(*(o.flagged for o, _ in tree))


def score_set(
    okr_set: OKRSet,
    findings: Sequence[Finding],
    engine: str = "rules",
    rubric: Rubric | None = None,
) -> SetCritique:
    """Scores for every KR, objective and the set, given the findings about them."""
    return ScoreTree(okr_set, findings, rubric).critique(okr_set, findings, engine)


class ScoreTree:
    """A set's raw scores at every level, kept to re-score the set with one target's
    findings replaced (scoring thousands of rewrites) without walking it again: each
    ``replaced`` costs the target's objective only, not the whole set."""

    def __init__(
        self, okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric | None = None
    ) -> None:
        self.rubric = rubric or load_rubric()
        self.penalties = _Penalties(findings, self.rubric)
        self.tree, self.set_raw = _tree(okr_set, self.penalties)
        self.structure = sum(self.penalties.structure.values())
        self.where: dict[str, tuple[int, int | None]] = {}
        for oi, (level, krs) in enumerate(self.tree):
            self.where[level.id] = (oi, None)
            for ki, k in enumerate(krs):
                self.where[k.id] = (oi, ki)
        raws = [o.raw for o, _ in self.tree]
        self.objective_sum = {d: sum(map(itemgetter(d), raws)) for d in SCORED_DIMENSIONS}
        self.flag_count = {
            d: sum(d in o.flagged for o, _ in self.tree) for d in SCORED_DIMENSIONS
        }  # fmt: skip

    def critique(
        self, okr_set: OKRSet, findings: Sequence[Finding], engine: str = "rules"
    ) -> SetCritique:
        """The set's critique: scores at every level (``score_set``), with ``findings``."""
        rubric = self.rubric
        objectives: list[ObjectiveScores] = []
        for objective, (level, kr_levels) in zip(okr_set.objectives, self.tree, strict=True):
            kr_scores = [
                TargetScores(
                    id=k.id,
                    text=kr.text,
                    line=kr.line,
                    scores=_scores(k.raw, k.structure, rubric, k.flagged),
                )
                for kr, k in zip(objective.key_results, kr_levels, strict=True)
            ]
            objectives.append(
                ObjectiveScores(
                    id=level.id,
                    text=objective.title,
                    line=objective.line,
                    scores=_scores(level.raw, level.structure, rubric, level.flagged),
                    key_results=kr_scores,
                )
            )
        return SetCritique(
            source=okr_set.source,
            index=okr_set.index,
            name=okr_set.name,
            engine=engine,
            scores=_scores(
                self.set_raw, self.structure, rubric, _set_flags(self.tree, self.penalties)
            ),
            objectives=objectives,
            findings=list(findings),
        )

    def replaced(self, target: str, findings: Sequence[Finding]) -> tuple[Scores, Scores] | None:
        """``(target's scores, set's scores)`` as ``score_set`` would give them if
        ``findings`` (all about ``target``) were the target's only findings; None for
        ``SET`` or a target the set does not have."""
        where = self.where.get(target)
        if where is None:
            return None
        oi, ki = where
        level, krs = self.tree[oi]
        own = _Penalties(findings, self.rubric)
        old = self.penalties
        kr_flags = [k.flagged for k in krs]
        if ki is None:
            start = level.start if level.start is not None else _mean([k.raw for k in krs])
            raw = own.apply(target, start)
            structure = level.structure - old.count(target) + own.count(target)
            flags = own.flags(target).union(*kr_flags)
            objective_raw, objective_flags = raw, flags
        else:
            raw = own.apply(target, _FULL)
            structure = own.count(target)
            kr_raws = [raw if i == ki else k.raw for i, k in enumerate(krs)]
            flags = own.flags(target)
            kr_flags[ki] = flags
            objective_raw = old.apply(level.id, _mean(kr_raws))
            objective_flags = old.flags(level.id).union(*kr_flags)
        count = len(self.tree)
        mean = {
            d: (self.objective_sum[d] - level.raw[d] + objective_raw[d]) / count
            for d in SCORED_DIMENSIONS
        }
        set_raw = old.apply("SET", mean)
        total = self.structure - old.count(target) + own.count(target)
        set_flags = old.flags("SET") | {
            d
            for d in SCORED_DIMENSIONS
            if self.flag_count[d] - (d in level.flagged) + (d in objective_flags) > 0
        }
        return (
            _scores(raw, structure, self.rubric, flags),
            _scores(set_raw, total, self.rubric, frozenset(set_flags)),
        )
