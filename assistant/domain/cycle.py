"""Cycle math: dates from a label, what launch freezes per KR, progress, expected, status, grade.

Pure functions and small frozen value types (SPEC §7). Services read and write the
store and hand these types to renderers; nothing here touches files, SQLite or a
terminal. Values are read like key-result text (``assistant.measure``), so ``41%``,
``$1.2M`` and ``3 days`` mean what they mean in the KR.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import UsageError

if TYPE_CHECKING:  # ``okr status`` reads frozen plans: no pydantic model, no measure regexes
    from assistant.model import KeyResult, OKRSet, OKRType

Mode = Literal["metric", "fraction"]
Status = Literal["on-track", "at-risk", "off-track", "no-data"]
Colour = Literal["red", "yellow", "green"]
CycleState = Literal["open", "graded"]

# Status thresholds (the README states them): how far progress may trail expected,
# and which confidence counts as high or low (0–10, Radical Focus style).
BEHIND = 0.10  # progress < expected − 0.10 → at-risk
FAR_BEHIND = 0.25  # progress < expected − 0.25 → off-track
CONFIDENT = 7  # confidence ≥ 7 is on track; 4–6 at-risk
DOUBTFUL = 3  # confidence ≤ 3 is off-track
STALE_DAYS = 14  # a KR not updated for this many days is called out
STATUS_ORDER: dict[str, int] = {"on-track": 0, "no-data": 1, "at-risk": 2, "off-track": 3}

# Grade flags (SPEC §7).
FLAG_COMMITTED = "committed-below-1.0"
FLAG_SANDBAG = "aspirational-all-1.0"
FLAG_NEVER = "never-checked-in"
FLAG_DONE_ONLY = "done-or-not-only"
FLAG_TEXT: dict[str, str] = {
    FLAG_COMMITTED: "committed KR below 1.0",
    FLAG_SANDBAG: "aspirational objective with every KR at 1.0 (targets too low?)",
    FLAG_NEVER: "never checked in",
    FLAG_DONE_ONLY: "could only be graded as done / not done",
}


class ValueProblem(UsageError):
    """A check-in value that cannot be read in the KR's unit (exit 2)."""


# --- dates ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CycleDates:
    label: str
    start: date
    end: date


def cycle_dates(label: str) -> CycleDates:
    """``2026-Q1`` → 1 Jan–31 Mar; ``2026-H2`` → 1 Jul–31 Dec; ``2026``; ``2026-03``.

    ``Q1 2026`` and lower case are accepted and normalised to ``2026-Q1``. Anything
    else raises ``UsageError`` (give ``--start`` and ``--end`` for custom cycles).
    """
    from assistant.measure.periods import LabelProblem, cycle_span

    try:
        span = cycle_span(label)
    except LabelProblem as exc:
        raise UsageError(str(exc)) from None
    if span is None:
        raise UsageError(
            f"cycle '{label}' is not YYYY-Qn, YYYY-Hn, YYYY or YYYY-MM; "
            "give --start and --end for another cycle"
        )
    return CycleDates(*span)


def resolve_dates(
    label: str | None, start: date | None = None, end: date | None = None
) -> CycleDates:
    """The cycle's label and dates: from the label, with ``start``/``end`` overriding it.

    A label that is not a period is fine when both dates are given; no label at all
    becomes ``START..END``.
    """
    if label and not (start and end):
        base = cycle_dates(label)
        dates = CycleDates(base.label, start or base.start, end or base.end)
    elif start and end:
        try:
            norm = cycle_dates(label).label if label else f"{start}..{end}"
        except UsageError:
            norm = " ".join(str(label).split())
        dates = CycleDates(norm, start, end)
    else:
        raise UsageError(
            "no cycle: the set has no 'cycle' field; give --cycle (e.g. 2026-Q1) "
            "or both --start and --end"
        )
    if dates.end < dates.start:
        raise UsageError(f"the cycle ends ({dates.end}) before it starts ({dates.start})")
    return dates


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what} '{text}' is not a date (YYYY-MM-DD)") from None


def expected(start: date, end: date, on: date) -> float:
    """Elapsed share of the cycle at the end of day ``on``: 0 before it starts, 1 from its
    last day on (``(on − start + 1) / (end − start + 1)``)."""
    total = (end - start).days + 1
    done = (on - start).days + 1
    return min(1.0, max(0.0, done / total))


# --- what launch freezes ----------------------------------------------------------------------


def canonical_unit(unit: str | None) -> str:
    """One spelling per unit: ``day``/``days``/``d`` → ``days``, ``percent`` → ``%``."""
    from assistant.measure.units import canonical

    return canonical(unit)


@dataclass(frozen=True, slots=True)
class Track:
    """How one KR is measured for a whole cycle (frozen at launch): the KR's reading
    (``measure.reading``) as it was when the cycle started. ``direction`` is the
    reading's: ``increase``/``decrease`` from ``baseline`` to ``target``, a guardrail
    ``hold-at-least``/``hold-at-most`` with ``target`` as its threshold, or ``done``."""

    id: str
    objective: str
    text: str
    type: OKRType | None
    mode: Mode
    baseline: float | None = None
    target: float | None = None
    unit: str = ""
    direction: str = "done"

    @property
    def guardrail(self) -> bool:
        return self.direction in ("hold-at-least", "hold-at-most")

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "objective": self.objective,
            "text": self.text,
            "type": self.type,
            "mode": self.mode,
            "baseline": self.baseline,
            "target": self.target,
            "unit": self.unit,
            "direction": self.direction,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Track:
        mode = data["mode"]
        baseline, target = data.get("baseline"), data.get("target")
        direction = data.get("direction") or _stored_direction(
            str(data["text"]), mode, baseline, target
        )
        return cls(
            id=str(data["id"]),
            objective=str(data["objective"]),
            text=str(data["text"]),
            type=data.get("type"),
            mode=mode,
            baseline=baseline,
            target=target,
            unit=str(data.get("unit") or ""),
            direction=direction,
        )


def _stored_direction(text: str, mode: str, baseline: float | None, target: float | None) -> str:
    """The direction of a track frozen before tracks kept one: from its numbers, or a
    guardrail when its text reads as one with the same threshold."""
    if mode != "metric" or baseline is None or target is None:
        return "done"
    from assistant.measure.reading import read_kr

    reading = read_kr(text)
    if reading.guardrail and reading.target == target:
        return reading.direction
    return "decrease" if target < baseline else "increase"


@dataclass(frozen=True, slots=True)
class PlanObjective:
    id: str
    title: str
    type: OKRType | None


@dataclass(frozen=True, slots=True)
class Plan:
    """The launched version's objectives and KR tracks, in document order."""

    objectives: tuple[PlanObjective, ...]
    tracks: tuple[Track, ...]

    def track(self, kr: str) -> Track:
        wanted = kr.strip().upper()
        for t in self.tracks:
            if t.id.upper() == wanted:
                return t
        ids = ", ".join(t.id for t in self.tracks) or "none"
        raise UsageError(f"unknown key result '{kr}' in this cycle (ids: {ids})")

    def as_json(self) -> dict[str, Any]:
        return {
            "objectives": [{"id": o.id, "title": o.title, "type": o.type} for o in self.objectives],
            "key_results": [t.as_json() for t in self.tracks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            objectives=tuple(
                PlanObjective(str(o["id"]), str(o["title"]), o.get("type"))
                for o in data["objectives"]
            ),
            tracks=tuple(Track.from_json(t) for t in data["key_results"]),
        )


def track_for(
    kr_id: str, objective_id: str, kr: KeyResult, objective_type: OKRType | None = None
) -> Track:
    """A KR's track, from its one reading (``measure.reading``: structured fields first,
    the text otherwise). ``Double X from 1,000`` reads as 1,000 → 2,000; a count of new
    things starts at 0; a guardrail keeps its threshold. When the reading has no baseline
    and target that can both be used (or they are equal, in different units, or the words
    contradict the numbers) the KR is tracked as a fraction 0–1 / done."""
    from assistant.measure.reading import read

    reading = read(kr)
    kr_type = kr.type or objective_type
    if not reading.tracked:
        return Track(kr_id, objective_id, kr.text, kr_type, "fraction")
    return Track(
        kr_id,
        objective_id,
        kr.text,
        kr_type,
        "metric",
        reading.baseline,
        reading.target,
        reading.unit,
        reading.direction,
    )


def plan_for(okr_set: OKRSet) -> Plan:
    """What launching ``okr_set`` freezes: ids per SPEC §3 and each KR's track."""
    objectives = []
    tracks = []
    for oi, objective in enumerate(okr_set.objectives, start=1):
        oid = f"O{oi}"
        objectives.append(PlanObjective(oid, objective.title, objective.type))
        for ki, kr in enumerate(objective.key_results, start=1):
            tracks.append(track_for(f"{oid}.KR{ki}", oid, kr, objective.type))
    return Plan(tuple(objectives), tuple(tracks))


# --- values and progress ----------------------------------------------------------------------

_DONE = {"done", "yes", "y", "complete", "completed", "achieved", "✓", "true"}
_NOT_DONE = {"not done", "no", "n", "todo", "to do", "not started", "false", "undone"}


def read_value(track: Track, text: str) -> float:
    """A check-in value in the KR's unit (``measure.values``): ``41``, ``41%``, ``$1.2M``,
    ``-5``, ``36 hours`` for a KR in days. ``ValueProblem`` when it cannot be read: no
    number, a unit that does not convert (``2 furlongs`` for hours, ``45 users`` for a
    %), a value that is not finite or absurdly large, a fraction outside 0–1."""
    from assistant.measure.values import ValueNotRead, read_number

    raw = " ".join(text.split())
    if not raw:
        raise ValueProblem(f"{track.id}: the value is empty")
    if track.mode == "fraction":
        low = raw.lower()
        if low in _DONE:
            return 1.0
        if low in _NOT_DONE:
            return 0.0
        try:
            value = read_number(raw.rstrip("%"), "", track.text)
            value = value / 100 if raw.endswith("%") else value
        except ValueNotRead:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            raise ValueProblem(
                f"{track.id} has no baseline and target that can both be read, so it is "
                f"tracked as a fraction 0–1 (or 'done'); got '{_short(raw)}'"
            )
        return value
    try:
        return read_number(raw, track.unit, track.text)
    except ValueNotRead as exc:
        example = format_value(track.target, track.unit)
        raise ValueProblem(f"{track.id}: {exc} (e.g. {example})") from None


def _short(raw: str, limit: int = 40) -> str:
    return raw if len(raw) <= limit else raw[: limit - 1] + "…"


def progress(track: Track, value: float) -> float:
    """``(value − baseline) / (target − baseline)`` clamped to 0–1 (decreasing metrics
    too); 1.0 / 0.0 for a guardrail held / broken; the value itself for a fraction KR.
    """
    if track.mode == "fraction":
        return min(1.0, max(0.0, value))
    return progress_of(track.direction, track.baseline, track.target, value)


def progress_of(
    direction: str, baseline: float | None, target: float | None, value: float
) -> float:
    """Progress 0–1 of ``value`` on a reading: 1.0 / 0.0 for a guardrail held / broken,
    else ``(value − baseline) / (target − baseline)`` clamped (decreasing metrics too);
    without a baseline and target the value is itself a fraction."""
    if direction == "hold-at-least" and target is not None:
        return 1.0 if value >= target else 0.0
    if direction == "hold-at-most" and target is not None:
        return 1.0 if value <= target else 0.0
    if baseline is None or target is None:
        return min(1.0, max(0.0, value))
    span = target - baseline
    if span == 0:
        return 1.0 if value == target else 0.0
    return min(1.0, max(0.0, (value - baseline) / span))


def held(track: Track, value: float) -> bool | None:
    """Whether a guardrail holds at ``value``; None for a KR that is not one."""
    if not track.guardrail or track.target is None:
        return None
    return value >= track.target if track.direction == "hold-at-least" else value <= track.target


def status_of(
    progress_: float | None,
    expected_: float | None,
    confidence: int | None,
    guardrail: bool = False,
) -> Status:
    """on-track / at-risk / off-track from progress against expected and the confidence:
    the worse of the two readings. A KR at its target (a guardrail that holds) is on
    track whatever the confidence; a broken guardrail is off track whatever the date."""
    if progress_ is None or expected_ is None:
        return "no-data"
    if progress_ >= 1.0:
        return "on-track"
    if guardrail:
        return "off-track"
    gap = round(progress_ - expected_, 9)  # 0.30 − 0.55 is −0.25, not −0.2500…01
    pace: Status = "off-track" if gap < -FAR_BEHIND else "at-risk" if gap < -BEHIND else "on-track"
    if confidence is None:
        return pace
    belief: Status = (
        "off-track"
        if confidence <= DOUBTFUL
        else "on-track"
        if confidence >= CONFIDENT
        else "at-risk"
    )
    return pace if STATUS_ORDER[pace] >= STATUS_ORDER[belief] else belief


def late(on: date, end: date) -> bool:
    """A check-in dated after the cycle's last day: accepted until the cycle is graded,
    and said to be late (SPEC §7)."""
    return on > end


def grading_early(end: date, today: date) -> bool:
    """Grading before the cycle's last day: asked on a terminal, ``--yes`` otherwise."""
    return today < end


def worst(statuses: Iterable[Status]) -> Status:
    seen = [s for s in statuses if s != "no-data"]
    if not seen:
        return "no-data"
    return max(seen, key=lambda s: STATUS_ORDER[s])


# --- grades -----------------------------------------------------------------------------------


def round_grade(value: float) -> float:
    """One decimal, halves up (0.25 → 0.3, 0.65 → 0.7), clamped to 0.0–1.0."""
    clean = Decimal(f"{min(1.0, max(0.0, value)):.9f}")
    return float(clean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def grade_colour(grade: float | None) -> Colour | None:
    """0.0–0.3 red, 0.4–0.6 yellow, 0.7–1.0 green."""
    if grade is None:
        return None
    g = round_grade(grade)
    return "red" if g <= 0.3 else "yellow" if g <= 0.6 else "green"


def mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _fmt(value: float | None) -> str:
    """``41``, ``0.45``, ``1,200,000``: integers with thousands separators."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"


def format_value(value: float | None, unit: str) -> str:
    """``41%``, ``$1,200,000``, ``3 days``, ``1 in 8``: a value as a person reads it."""
    if value is None:
        return "–"
    if unit == "ratio" and 0 < value <= 1:  # "from 1 in 12 to 1 in 8": read back so
        every = 1 / value
        if abs(every - round(every)) < 0.05:
            return f"1 in {round(every)}"
        return f"{_fmt(round(value * 100, 1))}%"  # 3 in 5 is 60%, not "1 in 1.7"
    number = _fmt(round(value, 4))
    if unit in ("$", "€", "£", "¥"):
        return f"{unit}{number}"
    if unit in ("%", ""):
        return f"{number}{unit}"
    return f"{number} {unit}"
