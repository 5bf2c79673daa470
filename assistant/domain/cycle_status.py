"""The status of one cycle: check-ins in, progress against expected per KR, roll-ups, grades.

``build_status`` is the one function ``okr status``, ``okr grade``, the HTML report and
the TUI read; it is pure (the service loads the cycle, its plan and check-ins).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from assistant.domain.cycle import (
    FLAG_COMMITTED,
    FLAG_DONE_ONLY,
    FLAG_NEVER,
    FLAG_SANDBAG,
    STALE_DAYS,
    CycleState,
    Plan,
    Status,
    Track,
    expected,
    mean,
    progress,
    round_grade,
    status_of,
    worst,
)

if TYPE_CHECKING:
    from assistant.model import Finding, OKRType


class Checkin(NamedTuple):
    """One check-in as stored: never edited; a later one supersedes an earlier one.
    (A named tuple: ``okr status`` builds tens of thousands of them.)"""

    kr: str
    on: date
    value: float
    confidence: int | None = None
    note: str = ""
    source: str = "cli"
    id: int = 0
    provenance: str | None = None  # where ``okr sync`` read it (``source`` ``sync:<kind>``)


@dataclass(frozen=True, slots=True)
class CycleInfo:
    id: int
    draft: str
    label: str
    start: date
    end: date
    version: int
    state: CycleState
    launched_at: str = ""
    graded_at: str | None = None


class Point(NamedTuple):
    """One check-in as charted: its value, progress and what was expected that day."""

    on: date
    value: float
    progress: float
    expected: float
    confidence: int | None
    note: str


@dataclass(frozen=True, slots=True)
class KRStatus:
    """One KR of a cycle. ``checkins`` are in time order, superseded ones included;
    ``points`` (one per day, the day's last check-in) are computed when asked for, so
    the team table over thousands of KRs only pays for the latest reading."""

    track: Track
    checkins: tuple[Checkin, ...]
    start: date
    end: date
    latest: Point | None
    confidence: int | None
    confidence_trend: int | None
    status: Status
    expected_now: float
    stale: bool
    days_since_update: int | None
    grade: float | None = None
    flags: tuple[str, ...] = ()

    @property
    def points(self) -> tuple[Point, ...]:
        out: list[Point] = []
        for c in self.checkins:
            if out and out[-1].on == c.on:
                out.pop()  # a later check-in the same day supersedes the earlier one
            out.append(_point(self.track, self.start, self.end, c))
        return tuple(out)

    @property
    def days_checked_in(self) -> int:
        return len({c.on for c in self.checkins})

    @property
    def value(self) -> float | None:
        return self.latest.value if self.latest else None

    @property
    def progress(self) -> float | None:
        return self.latest.progress if self.latest else None

    @property
    def expected(self) -> float | None:
        return self.latest.expected if self.latest else None


def _point(track: Track, start: date, end: date, c: Checkin) -> Point:
    return Point(
        c.on, c.value, progress(track, c.value), expected(start, end, c.on), c.confidence, c.note
    )


def _readings(checkins: Sequence[Checkin]) -> tuple[Checkin | None, int | None, int | None]:
    """``(latest, its confidence, the known confidence before it)`` walking back from the
    end and skipping check-ins superseded by a later one on the same day."""
    latest: Checkin | None = None
    known: list[int] = []
    day: date | None = None
    for c in reversed(checkins):
        if c.on == day:
            continue  # superseded
        day = c.on
        latest = latest or c
        if c.confidence is not None:
            known.append(c.confidence)
            if len(known) == 2:
                break
    return latest, (known[0] if known else None), (known[0] - known[1] if len(known) == 2 else None)


@dataclass(frozen=True, slots=True)
class ObjectiveStatus:
    id: str
    title: str
    type: OKRType | None
    progress: float | None
    status: Status
    grade: float | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CycleStatus:
    """Everything ``okr status`` and ``okr grade`` show about one cycle."""

    cycle: CycleInfo
    as_of: date
    key_results: tuple[KRStatus, ...]
    objectives: tuple[ObjectiveStatus, ...]
    progress: float | None
    status: Status
    grade: float | None = None
    flags: tuple[str, ...] = field(default=())

    @property
    def stale(self) -> list[KRStatus]:
        return [kr for kr in self.key_results if kr.stale]


def latest_by_kr(checkins: Iterable[Checkin]) -> dict[str, list[Checkin]]:
    """Each KR's check-ins in time order (date, then insertion): the last one is current."""
    out: dict[str, list[Checkin]] = {}
    for c in checkins:
        found = out.get(c.kr)
        if found is None:
            found = out[c.kr] = []
        found.append(c)
    for found in out.values():
        found.sort(key=_order)  # already in order from the store: a linear pass
    return out


def _order(c: Checkin) -> tuple[date, int]:
    return (c.on, c.id)


def build_status(
    cycle: CycleInfo,
    plan: Plan,
    checkins: Iterable[Checkin],
    today: date,
    grades: dict[str, float | None] | None = None,
) -> CycleStatus:
    """The status of a cycle as of ``today`` (a graded cycle: as of its end)."""
    as_of = min(today, cycle.end) if cycle.state == "graded" else today
    expected_now = expected(cycle.start, cycle.end, as_of)
    started = (min(today, cycle.end) - cycle.start).days
    by_kr = latest_by_kr(checkins)
    krs: list[KRStatus] = []
    for track in plan.tracks:
        mine = tuple(by_kr.get(track.id, ()))
        last, confidence, trend = _readings(mine)
        point = _point(track, cycle.start, cycle.end, last) if last else None
        status = (
            status_of(point.progress, point.expected, confidence, track.guardrail)
            if point
            else "no-data"
        )
        since = (today - point.on).days if point else None
        stale = cycle.state == "open" and (
            since >= STALE_DAYS if since is not None else started >= STALE_DAYS
        )
        grade = grades.get(track.id) if grades else None
        krs.append(
            KRStatus(
                track,
                mine,
                cycle.start,
                cycle.end,
                point,
                confidence,
                trend,
                status,
                expected_now,
                stale,
                since,
                grade=grade,
            )  # fmt: skip
        )
    if grades is not None:
        krs = [replace_flags(kr, kr_flags(kr)) for kr in krs]
    objectives = _objectives(plan, krs, graded=grades is not None)
    set_progress = mean([o.progress for o in objectives])
    set_grade = None
    if grades is not None:
        set_grade = _round_mean([o.grade for o in objectives])
    flags = tuple(
        sorted({f for kr in krs for f in kr.flags} | {f for o in objectives for f in o.flags})
    )
    return CycleStatus(
        cycle,
        as_of,
        tuple(krs),
        tuple(objectives),
        set_progress,
        worst(kr.status for kr in krs),
        grade=set_grade,
        flags=flags if grades is not None else (),
    )


def _round_mean(values: Sequence[float | None]) -> float | None:
    m = mean(values)
    return round_grade(m) if m is not None else None


def replace_flags(kr: KRStatus, flags: tuple[str, ...]) -> KRStatus:
    return dataclasses.replace(kr, flags=flags)


def kr_flags(kr: KRStatus) -> tuple[str, ...]:
    """The grade flags of one KR (committed below 1.0, never checked in, done/not done)."""
    flags = []
    if not kr.checkins:
        flags.append(FLAG_NEVER)
    if kr.track.type == "committed" and (kr.grade if kr.grade is not None else 0.0) < 1.0:
        flags.append(FLAG_COMMITTED)
    if kr.track.mode == "fraction":
        flags.append(FLAG_DONE_ONLY)
    return tuple(flags)


def _objectives(plan: Plan, krs: Sequence[KRStatus], *, graded: bool) -> list[ObjectiveStatus]:
    out = []
    for objective in plan.objectives:
        mine = [kr for kr in krs if kr.track.objective == objective.id]
        grade = _round_mean([kr.grade for kr in mine]) if graded else None
        flags: tuple[str, ...] = ()
        aspirational = objective.type == "aspirational" or (
            bool(mine) and all(kr.track.type == "aspirational" for kr in mine)
        )
        # a guardrail held at 1.0 is no stretch met, and never a missed one
        stretch = [kr for kr in mine if not kr.track.guardrail]
        if graded and aspirational and stretch and all(kr.grade == 1.0 for kr in stretch):
            flags = (FLAG_SANDBAG,)
        out.append(
            ObjectiveStatus(
                objective.id,
                objective.title,
                objective.type,
                mean([kr.progress for kr in mine]),
                worst(kr.status for kr in mine),
                grade=grade,
                flags=flags,
            )
        )
    return out


def grade_krs(status: CycleStatus) -> dict[str, float | None]:
    """Each KR's grade: its final progress rounded to one decimal; None if never checked in."""
    return {
        kr.track.id: (round_grade(kr.progress) if kr.progress is not None else None)
        for kr in status.key_results
    }


@dataclass(frozen=True, slots=True)
class CheckinInput:
    """A check-in as typed (CLI, CSV row, prompt, TUI); ``where`` locates a CSV row."""

    kr: str
    value: str
    confidence: int | None = None
    note: str = ""
    on: date | None = None
    where: tuple[str, int] | None = None  # (path, line)


@dataclass(frozen=True, slots=True)
class LaunchOutcome:
    """What ``okr launch`` did: the cycle it opened, or why the quality gate refused."""

    draft: str
    version: int
    overall: int
    findings: tuple[Finding, ...]
    cycle: CycleInfo | None = None
    plan: Plan | None = None
    fail_under: int | None = None

    @property
    def refused(self) -> bool:
        return self.cycle is None
