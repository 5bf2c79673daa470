"""The cycle use cases: launch a version, check in, status, grade (SPEC §7).

Every function takes plain inputs (the data home, a draft name or ``NAME@N``, typed
values) and returns the domain's types (``assistant.domain.cycle_status``); the math
is the domain's, the SQL the store's. Retrospectives and lessons: ``services.retro``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.domain.cycle import Plan, plan_for, read_value, resolve_dates
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
from assistant.store import cycles
from assistant.store.db import db_path, open_db, transaction

if TYPE_CHECKING:
    from assistant.store.repo import DraftRow

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


def info_of(row: cycles.CycleRow) -> CycleInfo:
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


def plan_of(row: cycles.CycleRow) -> Plan:
    return Plan.from_json(json.loads(row.plan))


def status_of_row(
    conn: sqlite3.Connection,
    row: cycles.CycleRow,
    today: date,
    checkins: Sequence[Checkin] | None = None,
) -> CycleStatus:
    """The status of one stored cycle (its stored grades once graded)."""
    found = cycles.checkins(conn, row.id) if checkins is None else checkins
    grades = cycles.kr_grades(conn, row.id) if row.graded_at else None
    return build_status(info_of(row), plan_of(row), found, today, grades)


def _no_cycle(name: str) -> UsageError:
    return UsageError(f"draft '{name}' has no cycle yet; launch one with `okr launch {name}`")


def _open_row(conn: sqlite3.Connection, name: str) -> tuple[DraftRow, cycles.CycleRow]:
    from assistant.services.drafts.names import require

    draft = require(conn, name)
    row = cycles.open_cycle(conn, draft.id)
    if row is None:
        graded = cycles.last_graded(conn, draft.id)
        if graded is not None:
            raise UsageError(
                f"draft '{name}' has no open cycle ({graded.label} was graded on "
                f"{(graded.graded_at or '')[:10]}); launch the next one with `okr launch {name}`"
            )
        raise _no_cycle(name)
    return draft, row


# --- launch -----------------------------------------------------------------------------------


def launch(
    home: Path | None,
    ref: str,
    *,
    label: str | None = None,
    start: date | None = None,
    end: date | None = None,
    fail_under: int | None = None,
    author: str | None = None,
) -> LaunchOutcome:
    """Open a cycle on version N (the latest unless ``NAME@N``) of a draft.

    With ``fail_under`` the rules critique is a gate: below N nothing is written and
    the outcome lists the findings that block it (errors and warnings)."""
    from assistant.rubric.critic import critique_set
    from assistant.services.drafts.names import (
        default_author,
        parse_ref,
        require,
        store_exists,
        unknown,
        version_of,
    )
    from assistant.store.repo import timestamp

    name, number = parse_ref(ref)
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn:
        draft = require(conn, name)
        version = version_of(conn, draft, number)
        current = cycles.open_cycle(conn, draft.id)
    if current is not None:
        raise UsageError(
            f"draft '{name}' already has an open cycle ({current.label}, launched from "
            f"v{current.version}); grade it first with `okr grade {name}`"
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
    stamp = timestamp()
    with open_db(home) as conn, transaction(conn):
        draft = require(conn, name)
        if cycles.open_cycle(conn, draft.id) is not None:
            raise UsageError(f"draft '{name}' already has an open cycle")
        vid = cycles.version_id(conn, draft.id, version.number)
        if vid is None:
            raise UsageError(f"draft '{name}' has no version {version.number}")
        cycle_id = cycles.insert_cycle(
            conn,
            draft_id=draft.id,
            version_id=vid,
            label=dates.label,
            start=dates.start,
            end=dates.end,
            plan=plan.as_json(),
            findings=[(f.code, f.target) for f in critique.findings],
            overall=overall,
            launched_by=author or default_author(),
            launched_at=stamp,
        )
    info = CycleInfo(
        cycle_id, name, dates.label, dates.start, dates.end, version.number, "open", stamp
    )
    return LaunchOutcome(
        name, version.number, overall, blocking, cycle=info, plan=plan, fail_under=fail_under
    )


# --- check in ---------------------------------------------------------------------------------


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
        value = read_value(track, item.value)
        on = item.on or today
        if on > today:
            raise UsageError(f"{track.id}: the date {on} is in the future")
        if on < info.start:
            raise UsageError(
                f"{track.id}: {on} is before the cycle starts ({info.start}); "
                "check-ins count from its first day"
            )
        if item.confidence is not None and not 0 <= item.confidence <= 10:
            raise UsageError(f"{track.id}: confidence {item.confidence} is not 0–10")
    except OKRError as exc:
        raise _located(item, exc) from None
    return Checkin(track.id, on, value, item.confidence, item.note.strip(), source)


def checkin(
    home: Path | None,
    name: str,
    items: Sequence[CheckinInput],
    *,
    source: str = "cli",
    author: str | None = None,
    today: date | None = None,
) -> CycleStatus:
    """Record check-ins on the draft's open cycle, all or none; returns the new status.

    Values are read in each KR's unit; an unknown KR, a unit mismatch or a bad date
    raises (``path:line`` for CSV rows) and nothing is recorded."""
    from assistant.services.drafts.names import default_author, store_exists, unknown
    from assistant.store.repo import timestamp

    if not items:
        raise UsageError("nothing to check in")
    day = today or date.today()
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn, transaction(conn):
        _, row = _open_row(conn, name)
        plan, info = plan_of(row), info_of(row)
        new = [_checkin_of(item, plan, info, day, source) for item in items]
        stamp = timestamp()
        who = author or default_author()
        for item, record in zip(items, new, strict=True):
            cycles.insert_checkin(
                conn, row.id, record, raw=item.value.strip(), author=who, created_at=stamp
            )
        return status_of_row(conn, row, day)


# --- status and grade -------------------------------------------------------------------------


def status(home: Path | None, name: str, today: date | None = None) -> CycleStatus:
    """The draft's open cycle (else its last graded one) as of ``today``."""
    from assistant.services.drafts.names import parse_ref, require, store_exists, unknown

    day = today or date.today()
    name, _ = parse_ref(name)
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn, transaction(conn, write=False):
        draft = require(conn, name)
        row = cycles.open_cycle(conn, draft.id) or cycles.last_graded(conn, draft.id)
        if row is None:
            raise _no_cycle(name)
        return status_of_row(conn, row, day)


def team_status(home: Path | None, today: date | None = None) -> list[CycleStatus]:
    """Every live draft with an open cycle, by name (one query per table)."""
    day = today or date.today()
    if not db_path(home).exists():
        return []
    with open_db(home) as conn, transaction(conn, write=False):
        rows = cycles.all_open(conn)
        found = cycles.open_checkins(conn)
    return [build_status(info_of(r), plan_of(r), found.get(r.id, ()), day) for r in rows]


def grade(
    home: Path | None,
    name: str,
    finals: Sequence[tuple[str, str]] = (),
    *,
    author: str | None = None,
    today: date | None = None,
) -> tuple[CycleStatus, bool]:
    """Close the draft's open cycle; ``finals`` are ``(KR, VALUE)`` check-ins recorded first
    (dated the cycle's last day, or today if earlier). Returns ``(status, newly graded)``:
    a cycle graded before is shown as it was when nothing new is asked."""
    from assistant.services.drafts.names import (
        default_author,
        parse_ref,
        require,
        store_exists,
        unknown,
    )
    from assistant.store.repo import timestamp

    day = today or date.today()
    name, _ = parse_ref(name)
    if not store_exists(home):
        raise unknown(name)
    with open_db(home) as conn, transaction(conn):
        draft = require(conn, name)
        row = cycles.open_cycle(conn, draft.id)
        if row is None:
            graded = cycles.last_graded(conn, draft.id)
            if graded is None:
                raise _no_cycle(name)
            if finals:
                raise UsageError(
                    f"{graded.label} of '{name}' is already graded (closed); its grades are final"
                )
            return status_of_row(conn, graded, day), False
        plan, info = plan_of(row), info_of(row)
        on = max(info.start, min(day, info.end))
        inputs = [CheckinInput(kr, value, on=on) for kr, value in finals]
        new = [_checkin_of(item, plan, info, max(day, on), "final") for item in inputs]
        stamp = timestamp()
        who = author or default_author()
        for item, record in zip(inputs, new, strict=True):
            cycles.insert_checkin(
                conn, row.id, record, raw=item.value.strip(), author=who, created_at=stamp
            )
        current = build_status(info, plan, cycles.checkins(conn, row.id), day)
        grades = grade_krs(current)
        closed = CycleInfo(
            info.id, info.draft, info.label, info.start, info.end, info.version, "graded",
            info.launched_at, stamp,
        )  # fmt: skip
        result = build_status(closed, plan, cycles.checkins(conn, row.id), day, grades)
        cycles.insert_grades(conn, row.id, grades, result.grade, graded_by=who, graded_at=stamp)
        return result, True


def parse_finals(pairs: Sequence[str]) -> list[tuple[str, str]]:
    """``KR=VALUE`` strings (``--final O1.KR2=41%``) → pairs."""
    out = []
    for pair in pairs:
        kr, sep, value = pair.partition("=")
        if not sep or not kr.strip() or not value.strip():
            raise UsageError(f"--final '{pair}' is not KR=VALUE (e.g. --final O1.KR2=41%)")
        out.append((kr.strip(), value.strip()))
    return out
