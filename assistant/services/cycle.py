"""The cycle services: launch a version, check in, status, grade (SPEC §7).

Every function takes the ``Store`` and plain inputs (a draft name or ``NAME@N``, typed
values, the day and moment from the App's clock) and returns the domain's types
(``assistant.domain.cycle_status``) or the small outcomes below; the math is the
domain's, the SQL the store's (``uow.cycles``). Retrospectives and lessons:
``services.retro``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from assistant.domain.commands import okr_command
from assistant.domain.cycle import Plan, Track, ValueProblem, plan_for, read_value, resolve_dates
from assistant.domain.cycle_status import (
    Checkin,
    CheckinInput,
    CycleInfo,
    CycleStatus,
    LaunchOutcome,
    build_status,
    grade_krs,
)
from assistant.errors import InputError, OKRError, UsageError

if TYPE_CHECKING:
    from assistant.store.cycles import CycleRow
    from assistant.store.repo import DraftRow
    from assistant.store.store import Store, UnitOfWork

# ``okr status`` with no DRAFT reads only cycles: the drafts services (and the pydantic
# models behind them) are imported by the functions that need them.

SOURCES = ("cli", "csv", "prompt", "tui", "final", "import")
# What ``okr launch`` prints once a cycle is open.
LAUNCH_MEANS = (
    "Launching freezes this version as the cycle's plan: KR ids (O1.KR2) refer to it until "
    "the cycle is graded. Later edits to the draft go into the next cycle's draft. "
    "Check in progress with `okr checkin`, follow it with `okr status`, "
    "close the cycle with `okr grade` and look back with `okr retro`."
)


@dataclass(frozen=True, slots=True)
class CheckinOutcome:
    """What a check-in recorded and the cycle's status after it."""

    status: CycleStatus
    recorded: tuple[Checkin, ...]

    @property
    def late(self) -> tuple[Checkin, ...]:
        """Check-ins dated after the cycle's last day (accepted until it is graded)."""
        return tuple(c for c in self.recorded if c.on > self.status.cycle.end)


@dataclass(frozen=True, slots=True)
class GradeOutcome:
    """The graded cycle; ``newly`` is False when it had been graded before (shown again)."""

    status: CycleStatus
    newly: bool


class EarlyGrade(UsageError):
    """Grading would close a cycle before its last day: the caller has to confirm it
    (``early=True``) — the CLI asks on a terminal, else wants ``--yes``."""

    def __init__(self, name: str, label: str, end: date) -> None:
        self.name, self.label, self.end = name, label, end
        super().__init__(
            f"{label} of '{name}' runs until {end}; grading now closes it early (no more check-ins)"
        )


def _stamp(now: datetime | None) -> str:
    from assistant.store.repo import timestamp

    return timestamp(now)


def _who(author: str | None) -> str:
    from assistant.services.drafts.names import default_author

    return author or default_author()


def info_of(row: CycleRow) -> CycleInfo:
    return CycleInfo(
        id=row.id,
        draft=row.draft,
        label=row.label,
        start=date.fromisoformat(row.start),
        end=date.fromisoformat(row.end),
        version=row.version,
        state="graded" if row.graded_at else "open",
        launched_at=row.launched_at,
        graded_at=row.graded_at,
    )


def plan_of(row: CycleRow) -> Plan:
    return Plan.from_json(json.loads(row.plan))


def status_of_row(
    uow: UnitOfWork,
    row: CycleRow,
    today: date,
    checkins: Sequence[Checkin] | None = None,
) -> CycleStatus:
    """The status of one stored cycle (its stored grades once graded)."""
    found = uow.cycles.checkins(row.id) if checkins is None else checkins
    grades = uow.cycles.kr_grades(row.id) if row.graded_at else None
    return build_status(info_of(row), plan_of(row), found, today, grades)


def draft_row(uow: UnitOfWork, name: str) -> DraftRow:
    """A live draft's row, or one line saying it is unknown (did you mean…?) or deleted."""
    from assistant.services.drafts.names import require

    return require(uow, name)


def _no_cycle(name: str) -> UsageError:
    return UsageError(
        f"draft '{name}' has no cycle yet; launch one with `{okr_command('launch', name)}`"
    )


def _unknown(name: str) -> UsageError:
    from assistant.services.drafts.names import unknown

    return unknown(name)


def _open_row(uow: UnitOfWork, name: str) -> CycleRow:
    draft = draft_row(uow, name)
    row = uow.cycles.open_for(draft.id)
    if row is None:
        graded = uow.cycles.last_graded(draft.id)
        if graded is not None:
            raise UsageError(
                f"draft '{name}' has no open cycle ({graded.label} was graded on "
                f"{(graded.graded_at or '')[:10]}); launch the next one with `{okr_command('launch', name)}`"
            )
        raise _no_cycle(name)
    return row


def _parse_ref(ref: str) -> tuple[str, int | None]:
    from assistant.services.drafts.names import parse_ref

    return parse_ref(ref)


# --- launch -----------------------------------------------------------------------------------


def launch(
    store: Store,
    ref: str,
    *,
    label: str | None = None,
    start: date | None = None,
    end: date | None = None,
    fail_under: int | None = None,
    author: str | None = None,
    now: datetime | None = None,
) -> LaunchOutcome:
    """Open a cycle on version N (the latest unless ``NAME@N``) of a draft.

    With ``fail_under`` the rules critique is a gate: below N nothing is written and
    the outcome lists the findings that block it (errors and warnings)."""
    from assistant.rubric.critic import critique_set
    from assistant.services.drafts.names import version_of

    name, number = _parse_ref(ref)
    if not store.exists():
        raise _unknown(name)
    with store.unit_of_work(write=False) as uow:
        draft = draft_row(uow, name)
        version = version_of(uow, draft, number)  # no such version: one line
        current = uow.cycles.open_for(draft.id)
    if current is not None:
        raise UsageError(
            f"draft '{name}' already has an open cycle ({current.label}, launched from "
            f"v{current.version}); grade it first with `{okr_command('grade', name)}`"
        )
    dates = resolve_dates(label or version.okr_set.cycle, start, end)
    plan = plan_for(version.okr_set)
    if not plan.tracks:
        raise UsageError(f"{name}@{version.number} has no key results to track")
    critique = critique_set(version.okr_set)
    overall = critique.scores.overall
    blocking = tuple(f for f in critique.findings if f.severity in ("error", "warning"))
    if fail_under is not None and overall < fail_under:
        return LaunchOutcome(name, version.number, overall, blocking, fail_under=fail_under)
    stamp = _stamp(now)
    with store.unit_of_work() as uow:
        draft = draft_row(uow, name)
        if uow.cycles.open_for(draft.id) is not None:
            raise UsageError(f"draft '{name}' already has an open cycle")
        vid = uow.versions.id_of(draft.id, version.number)
        if vid is None:
            raise UsageError(f"draft '{name}' has no version {version.number}")
        cycle_id = uow.cycles.insert(
            draft_id=draft.id,
            version_id=vid,
            label=dates.label,
            start=dates.start,
            end=dates.end,
            plan=plan.as_json(),
            findings=[(f.code, f.target) for f in critique.findings],
            overall=overall,
            launched_by=_who(author),
            launched_at=stamp,
        )
    info = CycleInfo(
        cycle_id, name, dates.label, dates.start, dates.end, version.number, "open", stamp
    )
    return LaunchOutcome(
        name, version.number, overall, blocking, cycle=info, plan=plan, fail_under=fail_under
    )


# --- check in ---------------------------------------------------------------------------------


def checkin_value(track: Track, text: str) -> float:
    """A check-in value in the KR's unit; ``ValueProblem`` for one that cannot be read
    or is not a finite number (a 400-digit value is not a measurement)."""
    value = read_value(track, text)
    if not math.isfinite(value):
        raise ValueProblem(f"{track.id}: '{' '.join(text.split())}' is not a finite number")
    return value


def date_problem(cycle: CycleInfo, on: date, today: date) -> str | None:
    """Why a check-in cannot be dated ``on`` (None when it can). A date after the cycle's
    end is fine until the cycle is graded: it is a late check-in."""
    if on > today:
        return f"the date {on} is in the future"
    if on < cycle.start:
        return (
            f"{on} is before the cycle starts ({cycle.start}); check-ins count from its first day"
        )
    return None


def _located(item: CheckinInput, exc: OKRError) -> OKRError:
    """A problem with a CSV row, as ``path:line: what is wrong``."""
    if item.where is None or isinstance(exc, InputError):
        return exc
    return InputError(item.where[0], str(exc), item.where[1])


def _checkin_of(
    item: CheckinInput, plan: Plan, info: CycleInfo, today: date, source: str
) -> Checkin:
    try:
        track = plan.track(item.kr)
        value = checkin_value(track, item.value)
        on = item.on or today
        problem = date_problem(info, on, today)
        if problem is not None:
            raise UsageError(f"{track.id}: {problem}")
        if item.confidence is not None and not 0 <= item.confidence <= 10:
            raise UsageError(f"{track.id}: confidence {item.confidence} is not 0–10")
    except OKRError as exc:
        raise _located(item, exc) from None
    return Checkin(track.id, on, value, item.confidence, item.note.strip(), source)


def _record(
    uow: UnitOfWork,
    row: CycleRow,
    inputs: Sequence[CheckinInput],
    records: Sequence[Checkin],
    *,
    author: str,
    stamp: str,
) -> tuple[Checkin, ...]:
    stored = []
    for item, record in zip(inputs, records, strict=True):
        cid = uow.cycles.add_checkin(
            row.id, record, raw=item.value.strip(), author=author, created_at=stamp
        )
        stored.append(record._replace(id=cid))
    return tuple(stored)


def checkin(
    store: Store,
    name: str,
    items: Sequence[CheckinInput],
    *,
    source: str = "cli",
    author: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> CheckinOutcome:
    """Record check-ins on the draft's open cycle, all or none; returns them with the new
    status. Values are read in each KR's unit; an unknown KR, a unit mismatch or a bad
    date raises (``path:line`` for CSV rows) and nothing is recorded."""
    if not items:
        raise UsageError("nothing to check in")
    day = today or date.today()
    if not store.exists():
        raise _unknown(name)
    with store.unit_of_work() as uow:
        row = _open_row(uow, name)
        plan, info = plan_of(row), info_of(row)
        new = [_checkin_of(item, plan, info, day, source) for item in items]
        recorded = _record(uow, row, items, new, author=_who(author), stamp=_stamp(now))
        return CheckinOutcome(status_of_row(uow, row, day), recorded)


# --- status and grade -------------------------------------------------------------------------


def status(store: Store, name: str, today: date | None = None) -> CycleStatus:
    """The draft's open cycle (else its last graded one) as of ``today``."""
    day = today or date.today()
    name, _ = _parse_ref(name)
    if not store.exists():
        raise _unknown(name)
    with store.unit_of_work(write=False) as uow:
        draft = draft_row(uow, name)
        row = uow.cycles.open_for(draft.id) or uow.cycles.last_graded(draft.id)
        if row is None:
            raise _no_cycle(name)
        return status_of_row(uow, row, day)


def team_status(store: Store, today: date | None = None) -> list[CycleStatus]:
    """Every live draft with an open cycle, by name (one query per table)."""
    day = today or date.today()
    if not store.exists():
        return []
    with store.unit_of_work(write=False) as uow:
        rows = uow.cycles.all_open()
        found = uow.cycles.open_checkins()
    return [build_status(info_of(r), plan_of(r), found.get(r.id, ()), day) for r in rows]


def grade(
    store: Store,
    name: str,
    finals: Sequence[tuple[str, str]] = (),
    *,
    author: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    early: bool = False,
) -> GradeOutcome:
    """Close the draft's open cycle; ``finals`` are ``(KR, VALUE)`` check-ins recorded first
    (dated the cycle's last day, or today if earlier). Before the cycle's last day this
    raises ``EarlyGrade`` unless ``early``. A cycle graded before is shown as it was when
    nothing new is asked (``newly`` False)."""
    day = today or date.today()
    name, _ = _parse_ref(name)
    if not store.exists():
        raise _unknown(name)
    with store.unit_of_work() as uow:
        draft = draft_row(uow, name)
        row = uow.cycles.open_for(draft.id)
        if row is None:
            graded = uow.cycles.last_graded(draft.id)
            if graded is None:
                raise _no_cycle(name)
            if finals:
                raise UsageError(
                    f"{graded.label} of '{name}' is already graded (closed); its grades are final"
                )
            return GradeOutcome(status_of_row(uow, graded, day), newly=False)
        plan, info = plan_of(row), info_of(row)
        on = max(info.start, min(day, info.end))
        inputs = [CheckinInput(kr, value, on=on) for kr, value in finals]
        new = [_checkin_of(item, plan, info, max(day, on), "final") for item in inputs]
        if day < info.end and not early:
            raise EarlyGrade(name, info.label, info.end)
        stamp = _stamp(now)
        who = _who(author)
        _record(uow, row, inputs, new, author=who, stamp=stamp)
        current = build_status(info, plan, uow.cycles.checkins(row.id), day)
        grades = grade_krs(current)
        closed = CycleInfo(
            info.id, info.draft, info.label, info.start, info.end, info.version, "graded",
            info.launched_at, stamp,
        )  # fmt: skip
        result = build_status(closed, plan, uow.cycles.checkins(row.id), day, grades)
        uow.cycles.add_grades(row.id, grades, result.grade, graded_by=who, graded_at=stamp)
        return GradeOutcome(result, newly=True)


def parse_finals(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """``KR=VALUE`` strings (``--final O1.KR2=41%``) → pairs."""
    out = []
    for pair in pairs:
        kr, sep, value = pair.partition("=")
        if not sep or not kr.strip() or not value.strip():
            raise UsageError(f"--final '{pair}' is not KR=VALUE (e.g. --final O1.KR2=41%)")
        out.append((kr.strip(), value.strip()))
    return out
