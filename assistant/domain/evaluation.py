"""How good is a coach? Scoring an engine's findings against labelled OKRs (SPEC §12).

A labelled file is a SPEC §2 file whose set, objectives and key results may carry
``expect: [CODE, …]`` (no ``expect``: nothing expected there). A finding counts as a
true positive when its target and code match a label; every other finding is a false
positive (an ``LLM-…`` code included: it names nothing a label can hold), every label
no finding matched a false negative. Pure counting: no files, no terminal, no model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from assistant.ids import SET, TargetId
from assistant.model import Finding, OKRSet, SetCritique

Level = Literal["set", "objective", "kr"]
_LEVEL_NAMES = {"set": "the set", "objective": "an objective", "kr": "a key result"}
_RULE_TARGETS = {"set": "set", "objective": "objective", "kr": "kr"}


# --- what a label may say ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _rubric_levels() -> dict[str, str]:
    """Every rubric code and the level its findings sit on (``kr``, ``objective``, ``set``)."""
    from assistant.rubric.rules import load_rubric

    return {rule.code: rule.target for rule in load_rubric().rules}


def expect_code(raw: str, level: Level) -> tuple[str | None, str | None]:
    """``(code, None)`` for a code a label on ``level`` may expect (any case), else
    ``(None, what is wrong)``: only the rubric's codes can be labelled, each on the level
    its findings sit on (``SET-DUPLICATE`` on key results)."""
    code = raw.strip().upper()
    levels = _rubric_levels()
    if code not in levels:
        return None, f"unknown code '{raw.strip()}' in expect (see 'okr rubric' for the codes)"
    if levels[code] != _RULE_TARGETS[level]:
        home = {"kr": "key results", "objective": "objectives", "set": "the set"}
        return None, (
            f"{code} cannot be expected on {_LEVEL_NAMES[level]}: it is raised on "
            f"{home.get(levels[code], levels[code])}"
        )
    return code, None


def expected(okr_set: OKRSet) -> dict[str, frozenset[str]]:
    """The labels of one set: target id → the codes expected there (every target listed)."""
    labels = {str(SET): frozenset(okr_set.expect)}
    for oi, objective in enumerate(okr_set.objectives, start=1):
        labels[str(TargetId(oi, 0))] = frozenset(objective.expect)
        for ki, kr in enumerate(objective.key_results, start=1):
            labels[str(TargetId(oi, ki))] = frozenset(kr.expect)
    return labels


# --- the counts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """True and false positives and false negatives of one code (or of all: micro)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def labels(self) -> int:
        return self.tp + self.fn

    # Nothing found and nothing missed is perfect on that side (bench/labelled_bench.py).
    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class ScoredSet:
    """One labelled set and the engine's critique of it. ``numbers``/``periods``: what
    the set's own text holds (read by the guards' number reader), for invented numbers."""

    okr_set: OKRSet
    critique: SetCritique
    numbers: frozenset[float] = frozenset()
    periods: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RunFacts:
    """What the run cost, from the report: the guards' dropped findings and the usage."""

    engine: str
    model: str | None = None
    dropped: int = 0
    requests: int = 0
    seconds: float = 0.0
    cost_usd: float | None = 0.0


@dataclass(frozen=True)
class Evaluation:
    """The scores of one engine on one labelled set (SPEC §12's JSON: :meth:`as_json`)."""

    run: RunFacts
    codes: Mapping[str, Tally] = field(default_factory=dict)
    findings: int = 0
    grounded_findings: int = 0
    invented_numbers: int = 0
    sets: int = 0
    targets: int = 0

    @property
    def labels(self) -> int:
        return sum(t.labels for t in self.codes.values())

    @property
    def micro(self) -> Tally:
        total = Tally()
        for tally in self.codes.values():
            total += tally
        return total

    @property
    def grounded(self) -> float:
        """Share of findings whose evidence is an exact substring of the target's text
        (1.0 when there is no finding: nothing ungrounded was said)."""
        return self.grounded_findings / self.findings if self.findings else 1.0

    def as_json(self) -> dict[str, Any]:
        micro = self.micro
        return {
            "version": 1,
            "engine": self.run.engine,
            "model": self.run.model,
            "labels": self.labels,
            "micro": _scores(micro),
            "codes": {
                code: {"labels": t.labels, "tp": t.tp, "fp": t.fp, "fn": t.fn, **_scores(t)}
                for code, t in sorted(self.codes.items())
            },
            "grounded": round(self.grounded, 3),
            "invented_numbers": self.invented_numbers,
            "dropped": self.run.dropped,
            "requests": self.run.requests,
            "seconds": round(self.run.seconds, 2),
            "cost_usd": None if self.run.cost_usd is None else round(self.run.cost_usd, 6),
        }


def _scores(tally: Tally) -> dict[str, float]:
    return {
        "precision": round(tally.precision, 3),
        "recall": round(tally.recall, 3),
        "f1": round(tally.f1, 3),
    }


def score(sets: Iterable[ScoredSet], run: RunFacts) -> Evaluation:
    """Count every set's findings against its labels. A set whose critique did not finish
    (``error``) is the caller's to leave out: its labels would count as misses."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    findings = grounded = invented = n_sets = targets = 0
    for scored in sets:
        n_sets += 1
        labels = expected(scored.okr_set)
        targets += len(labels)
        found: dict[str, set[str]] = defaultdict(set)
        for finding in scored.critique.findings:
            found[finding.target].add(finding.code)
            findings += 1
            grounded += _grounded(scored.okr_set, finding)
            invented += _invented(finding, scored.numbers, scored.periods)
        for target in labels.keys() | found.keys():
            want, got = labels.get(target, frozenset()), found.get(target, set())
            for code in got & want:
                counts[code][0] += 1
            for code in got - want:
                counts[code][1] += 1
            for code in want - got:
                counts[code][2] += 1
    return Evaluation(
        run=run,
        codes={code: Tally(*c) for code, c in counts.items()},
        findings=findings,
        grounded_findings=grounded,
        invented_numbers=invented,
        sets=n_sets,
        targets=targets,
    )


def _grounded(okr_set: OKRSet, finding: Finding) -> bool:
    """The evidence is quoted exactly from the text of the target the finding names."""
    if not finding.evidence:
        return False
    try:
        return finding.evidence in okr_set.target_text(finding.target)
    except (IndexError, ValueError):  # a target the set does not have
        return False


def _invented(finding: Finding, numbers: frozenset[float], periods: frozenset[str]) -> int:
    """Numbers and periods in the finding's rewrite that the set never states anywhere.

    The guards list, per rewrite, what its target's own text does not hold
    (``Rewrite.invented_numbers``, replaced by placeholders before anyone sees it); a
    number borrowed from elsewhere in the set is not counted as made up here."""
    if finding.rewrite is None:
        return 0
    return sum(not _known(token, numbers, periods) for token in finding.rewrite.invented_numbers)


def _known(token: str, numbers: frozenset[float], periods: frozenset[str]) -> bool:
    clean = token.strip()
    if clean.upper() in periods:
        return True
    try:
        return float(clean.replace(",", "")) in numbers
    except ValueError:
        return False
