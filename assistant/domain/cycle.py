"""Cycle math: dates from a label, what launch freezes per KR, progress, expected, status, grade.

Pure functions and small frozen value types (SPEC §7). Services read and write the
store and hand these types to renderers; nothing here touches files, SQLite or a
terminal. Values are read like key-result text (``assistant.measure``), so ``41%``,
``$1.2M`` and ``3 days`` mean what they mean in the KR.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import UsageError

if TYPE_CHECKING:  # ``okr status`` reads frozen plans: no pydantic model, no measure regexes
    from assistant.measure import Quantity
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

_LABEL_RE = re.compile(
    r"^\s*(?:(?P<y1>\d{4})\s*[-\s]?\s*(?P<p1>[QqHh])(?P<n1>\d)"
    r"|(?P<p2>[QqHh])(?P<n2>\d)\s*[-\s]\s*(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{1,2})"
    r"|(?P<y4>\d{4}))\s*$"
)


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
    m = _LABEL_RE.match(label)
    if not m:
        raise UsageError(
            f"cycle '{label}' is not YYYY-Qn, YYYY-Hn, YYYY or YYYY-MM; "
            "give --start and --end for another cycle"
        )
    year = int(m.group("y1") or m.group("y2") or m.group("y3") or m.group("y4"))
    period = (m.group("p1") or m.group("p2") or "").upper()
    number = int(m.group("n1") or m.group("n2") or 0)
    if period == "Q":
        if not 1 <= number <= 4:
            raise UsageError(f"cycle '{label}': a quarter is Q1–Q4")
        first, last, norm = 3 * number - 2, 3 * number, f"{year}-Q{number}"
    elif period == "H":
        if number not in (1, 2):
            raise UsageError(f"cycle '{label}': a half is H1 or H2")
        first, last, norm = 6 * number - 5, 6 * number, f"{year}-H{number}"
    elif m.group("m3"):
        month = int(m.group("m3"))
        if not 1 <= month <= 12:
            raise UsageError(f"cycle '{label}': a month is 01–12")
        first, last, norm = month, month, f"{year}-{month:02d}"
    else:
        first, last, norm = 1, 12, str(year)
    end_day = calendar.monthrange(year, last)[1]
    return CycleDates(norm, date(year, first, 1), date(year, last, end_day))


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

_TIME_UNITS: dict[str, tuple[str, float]] = {}
for _names, _canon, _factor in (
    (("ms", "millisecond", "milliseconds"), "ms", 0.001),
    (("s", "sec", "secs", "second", "seconds"), "s", 1.0),
    (("min", "mins", "minute", "minutes"), "min", 60.0),
    (("h", "hr", "hrs", "hour", "hours"), "h", 3600.0),
    (("d", "day", "days"), "days", 86400.0),
    (("wk", "wks", "week", "weeks"), "weeks", 604800.0),
):
    for _name in _names:
        _TIME_UNITS[_name] = (_canon, _factor)
_OTHER_UNITS = {
    "month": "months",
    "months": "months",
    "mo": "months",
    "mos": "months",
    "year": "years",
    "years": "years",
    "yr": "years",
    "yrs": "years",
    "quarter": "quarters",
    "quarters": "quarters",
    "percent": "%",
    "pp": "%",
    "pts": "points",
    "pt": "points",
    "point": "points",
    "points": "points",
}


def canonical_unit(unit: str | None) -> str:
    """One spelling per unit: ``day``/``days``/``d`` → ``days``, ``percent`` → ``%``."""
    u = (unit or "").strip()
    low = u.lower()
    if low in _TIME_UNITS:
        return _TIME_UNITS[low][0]
    return _OTHER_UNITS.get(low, u)


def _convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to``; None when they do not convert."""
    if unit == to:
        return value
    a, b = _TIME_UNITS.get(unit), _TIME_UNITS.get(to)
    if a and b:
        return value * a[1] / b[1]
    return None


@dataclass(frozen=True, slots=True)
class Track:
    """How one KR is measured for a whole cycle (frozen at launch)."""

    id: str
    objective: str
    text: str
    type: OKRType | None
    mode: Mode
    baseline: float | None = None
    target: float | None = None
    unit: str = ""

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
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Track:
        return cls(
            id=str(data["id"]),
            objective=str(data["objective"]),
            text=str(data["text"]),
            type=data.get("type"),
            mode=data["mode"],
            baseline=data.get("baseline"),
            target=data.get("target"),
            unit=str(data.get("unit") or ""),
        )


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


def _baseline_target(text: str) -> tuple[Quantity | None, Quantity | None]:
    from assistant.measure import extract

    m = extract(text)
    return m.baseline, m.target


def track_for(
    kr_id: str, objective_id: str, kr: KeyResult, objective_type: OKRType | None = None
) -> Track:
    """A KR's track: structured ``baseline``/``target``/``unit`` first, the text otherwise.

    ``Double X from 1,000`` reads as 1,000 → 2,000. When the baseline and target
    cannot both be read (or are equal, or in different units) the KR is tracked as a
    fraction 0–1 / done.
    """
    text = kr.text
    kr_type = kr.type or objective_type
    base_q, target_q = _baseline_target(text)
    baseline = kr.baseline if kr.baseline is not None else (base_q.value if base_q else None)
    target: float | None = kr.target
    used = [base_q] if kr.baseline is None and base_q is not None else []
    if target is None and target_q is not None and target_q is not base_q:
        if target_q.kind == "multiplier" and base_q is not None and base_q.kind != "multiplier":
            target = base_q.value * target_q.value
            used = [base_q]
        else:
            target = target_q.value
            used.append(target_q)
    unit = canonical_unit(kr.unit) if kr.unit else ""
    if not unit:
        units = {canonical_unit(q.unit) for q in used}
        if len(units - {""}) > 1:
            return Track(kr_id, objective_id, text, kr_type, "fraction")  # 10% → $5k: no scale
        unit = (units - {""}).pop() if units - {""} else ""
    if baseline is None or target is None or baseline == target:
        return Track(kr_id, objective_id, text, kr_type, "fraction")
    return Track(kr_id, objective_id, text, kr_type, "metric", float(baseline), float(target), unit)


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

_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?$")
_DONE = {"done", "yes", "y", "complete", "completed", "achieved", "✓", "true"}
_NOT_DONE = {"not done", "no", "n", "todo", "to do", "not started", "false", "undone"}


def _number(text: str) -> tuple[float, str] | None:
    """``(value, canonical unit)`` of a value as typed, or None when no number is in it."""
    raw = text.strip()
    negative = raw[:1] in ("-", "−")
    body = raw[1:].strip() if negative else raw
    sign = -1.0 if negative else 1.0
    if body and _PLAIN_NUMBER.match(body) and any(ch.isdigit() for ch in body):
        return sign * float(body.replace(",", "").lstrip("+")), ""
    from assistant.measure import extract

    quantities = extract(body).quantities
    if len(quantities) != 1:
        return None
    q = quantities[0]
    if q.kind in ("ratio", "multiplier", "word") and not q.unit.startswith("/"):
        return None
    return sign * q.value, canonical_unit(q.unit)


def read_value(track: Track, text: str) -> float:
    """A check-in value in the KR's unit; ``ValueProblem`` when it cannot be (unit mismatch,
    no number, a fraction outside 0–1)."""
    raw = " ".join(text.split())
    if not raw:
        raise ValueProblem(f"{track.id}: the value is empty")
    if track.mode == "fraction":
        low = raw.lower()
        if low in _DONE:
            return 1.0
        if low in _NOT_DONE:
            return 0.0
        parsed = _number(raw)
        if parsed is not None and parsed[1] == "%":
            value = parsed[0] / 100
        elif parsed is not None and parsed[1] == "":
            value = parsed[0]
        else:
            value = -1.0
        if not 0.0 <= value <= 1.0:
            raise ValueProblem(
                f"{track.id} has no baseline and target that can both be read, so it is "
                f"tracked as a fraction 0–1 (or 'done'); got '{raw}'"
            )
        return value
    parsed = _number(raw)
    if parsed is None:
        raise ValueProblem(
            f"{track.id}: '{raw}' is not a number in the KR's unit"
            f" (e.g. {format_value(track.target, track.unit)})"
        )
    value, unit = parsed
    if unit and unit != track.unit:
        converted = _convert(value, unit, track.unit) if track.unit else None
        if converted is None:
            expected_unit = f"'{track.unit}'" if track.unit else "a plain number (no unit)"
            raise ValueProblem(
                f"{track.id}: '{raw}' is in '{unit}' but the KR is in {expected_unit}"
            )
        value = converted
    return value


def progress(track: Track, value: float) -> float:
    """``(value − baseline) / (target − baseline)`` clamped to 0–1; the value itself for a
    fraction KR. Works for decreasing metrics (target below baseline) too."""
    if track.mode == "fraction" or track.baseline is None or track.target is None:
        return min(1.0, max(0.0, value))
    span = track.target - track.baseline
    if span == 0:
        return 1.0 if value == track.target else 0.0
    return min(1.0, max(0.0, (value - track.baseline) / span))


def status_of(progress_: float | None, expected_: float | None, confidence: int | None) -> Status:
    """on-track / at-risk / off-track from progress against expected and the confidence:
    the worse of the two readings. A KR at its target is on track whatever the confidence."""
    if progress_ is None or expected_ is None:
        return "no-data"
    if progress_ >= 1.0:
        return "on-track"
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
    """``41%``, ``$1,200,000``, ``3 days``: a value as a person reads it."""
    if value is None:
        return "–"
    number = _fmt(round(value, 4))
    if unit in ("$", "€", "£", "¥"):
        return f"{unit}{number}"
    if unit in ("%", ""):
        return f"{number}{unit}"
    return f"{number} {unit}"
