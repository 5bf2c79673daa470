"""Is our confidence worth anything? Confidence in check-ins scored as forecasts (SPEC §10).

Every confidence (0–10) given in a check-in of a graded cycle is a forecast
p = confidence / 10 that the KR ends at success: grade 1.0 for a committed KR,
≥ 0.7 for an aspirational one (a KR's type, else its objective's, aspirational by
default). o = 1 if it did, else 0. Per owner (or draft): Brier = mean (p − o)², bias =
mean p − mean o, and a verdict. Pure: the service loads graded cycles and owners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.domain.cycle_status import CycleStatus
from assistant.domain.lessons import OVERCONFIDENT, UNDERCONFIDENT, Lesson
from assistant.model import OKRSet

By = Literal["owner", "draft"]
Verdict = Literal["over-confident", "under-confident", "calibrated", "too few"]

OVER = 0.15  # bias above this is over-confident
UNDER = -0.15  # bias below this is under-confident
MIN_FORECASTS = 5  # fewer forecasts than this say too little for a verdict
ASPIRATIONAL_SUCCESS = 0.7
UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class Forecast:
    """One confidence given in a check-in, with how the KR ended."""

    draft: str
    cycle: str  # the cycle's label
    cycle_id: int
    kr: str
    owner: str
    p: float
    outcome: int  # 1 when the KR ended at success, else 0
    text: str = ""


@dataclass(frozen=True, slots=True)
class CalibrationGroup:
    """The score of one owner's (or one draft's) forecasts."""

    name: str
    forecasts: int
    krs: int
    cycles: int
    brier: float
    bias: float
    verdict: Verdict
    confidence: float  # mean p: how sure they said they were, 0–1
    success: float  # mean o: the share of those forecasts that came true

    def as_json(self, by: By) -> dict[str, Any]:
        return {
            by: self.name,
            "forecasts": self.forecasts,
            "krs": self.krs,
            "cycles": self.cycles,
            "brier": round(self.brier, 3),
            "bias": round(self.bias, 3),
            "verdict": self.verdict,
        }


@dataclass(frozen=True, slots=True)
class Calibration:
    """``okr calibration``: one group per owner or draft, by name."""

    by: By
    groups: tuple[CalibrationGroup, ...]

    def as_json(self) -> dict[str, Any]:
        return {"version": 1, "by": self.by, "groups": [g.as_json(self.by) for g in self.groups]}

    def group(self, name: str) -> CalibrationGroup | None:
        return next((g for g in self.groups if g.name == name), None)


def succeeded(grade: float, kr_type: str | None) -> bool:
    """Success per SPEC §10: 1.0 for committed, ≥ 0.7 otherwise (aspirational by default)."""
    threshold = 1.0 if kr_type == "committed" else ASPIRATIONAL_SUCCESS
    return round(grade, 6) >= threshold


def owner_of(kr_owner: str | None, objective_owner: str | None, set_owner: str | None) -> str:
    """The KR's owner, else its objective's, else its set's, else ``unassigned``."""
    for owner in (kr_owner, objective_owner, set_owner):
        if owner and owner.strip():
            return " ".join(owner.split())
    return UNASSIGNED


def kr_owners(okr_set: OKRSet) -> dict[str, str]:
    """Each KR id (``O1.KR2``) of a set → its owner per :func:`owner_of`."""
    return {
        kr_id: owner_of(kr.owner, objective.owner, okr_set.owner)
        for kr_id, objective, kr in okr_set.iter_key_results()
    }


def forecasts_of(status: CycleStatus, owners: Mapping[str, str]) -> list[Forecast]:
    """Every confidence given in the check-ins of a graded cycle, scored against the KR's
    grade. KRs without a grade (never checked in) give none; ``owners`` maps KR ids to
    owners (:func:`kr_owners` of the launched version)."""
    if status.cycle.state != "graded":
        return []
    out: list[Forecast] = []
    for kr in status.key_results:
        if kr.grade is None:
            continue
        outcome = 1 if succeeded(kr.grade, kr.track.type) else 0
        owner = owners.get(kr.track.id, UNASSIGNED)
        for checkin in kr.checkins:
            if checkin.confidence is None:
                continue
            out.append(
                Forecast(
                    status.cycle.draft,
                    status.cycle.label,
                    status.cycle.id,
                    kr.track.id,
                    owner,
                    checkin.confidence / 10,
                    outcome,
                    kr.track.text,
                )
            )
    return out


def verdict_of(forecasts: int, bias: float) -> Verdict:
    if forecasts < MIN_FORECASTS:
        return "too few"
    bias = round(bias, 9)  # 0.95 − 0.8 is 0.15, not 0.15000000000000002
    if bias > OVER:
        return "over-confident"
    if bias < UNDER:
        return "under-confident"
    return "calibrated"


def score(name: str, forecasts: Sequence[Forecast]) -> CalibrationGroup:
    """Brier, bias and verdict of one group's forecasts (at least one)."""
    n = len(forecasts)
    brier = sum((f.p - f.outcome) ** 2 for f in forecasts) / n
    confidence = sum(f.p for f in forecasts) / n
    success = sum(f.outcome for f in forecasts) / n
    bias = confidence - success
    return CalibrationGroup(
        name,
        n,
        len({(f.cycle_id, f.kr) for f in forecasts}),
        len({f.cycle_id for f in forecasts}),
        brier,
        bias,
        verdict_of(n, bias),
        confidence,
        success,
    )


def calibrate(forecasts: Iterable[Forecast], by: By = "owner") -> Calibration:
    """Group forecasts by owner or by draft and score each group; groups by name
    (``unassigned`` last)."""
    groups: dict[str, list[Forecast]] = {}
    for forecast in forecasts:
        key = forecast.owner if by == "owner" else forecast.draft
        groups.setdefault(key, []).append(forecast)
    names = sorted(groups, key=lambda n: (n == UNASSIGNED and by == "owner", n.casefold(), n))
    return Calibration(by, tuple(score(name, groups[name]) for name in names))


def calibration_lessons(calibration: Calibration, cycle: Sequence[Forecast]) -> list[Lesson]:
    """``LESSON-OVERCONFIDENT`` / ``LESSON-UNDERCONFIDENT`` for each owner with forecasts in
    ``cycle`` (the retro's cycle) whose verdict in ``calibration`` (by owner, over the
    graded cycles it covers) says so; each lesson is about that owner's KRs of the cycle."""
    if calibration.by != "owner":
        raise ValueError("calibration lessons are per owner")
    out: list[Lesson] = []
    mine: dict[str, list[Forecast]] = {}
    for forecast in cycle:
        mine.setdefault(forecast.owner, []).append(forecast)
    for owner, forecasts in sorted(mine.items(), key=lambda kv: kv[0].casefold()):
        group = calibration.group(owner)
        if group is None or group.verdict not in ("over-confident", "under-confident"):
            continue
        krs: dict[str, str] = {}
        for forecast in forecasts:
            krs.setdefault(forecast.kr, forecast.text)
        ids = sorted(krs, key=_kr_order)
        code = OVERCONFIDENT if group.verdict == "over-confident" else UNDERCONFIDENT
        confident = sum(f.p for f in forecasts) / len(forecasts)
        reached = sum(f.outcome for f in forecasts) / len(forecasts)
        who = "the confidence on unowned KRs" if owner == UNASSIGNED else f"{owner}'s confidence"
        message = (
            f"In {forecasts[0].cycle} {who} was {group.verdict} "
            f"(bias {group.bias:+.2f}, Brier {group.brier:.2f} over {group.forecasts} "
            f"forecasts in {_n(group.cycles, 'graded cycle')}): on {', '.join(ids)} it averaged "
            f"{confident * 10:.1f}/10 while {reached:.0%} of those forecasts came true."
        )
        out.append(
            Lesson(
                code,
                message,
                tuple(ids),
                tuple(krs[i] for i in ids),
                (),
                forecasts[0].cycle,
                owner=owner,
            )
        )
    return out


def _kr_order(kr_id: str) -> tuple[int, ...]:
    digits = "".join(ch if ch.isdigit() else " " for ch in kr_id).split()
    return tuple(int(d) for d in digits)


def _n(count: int, one: str) -> str:
    return f"{count} {one}{'' if count == 1 else 's'}"
