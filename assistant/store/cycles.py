"""SQL for cycles: launches, check-ins, grades and retrospectives. Only appends.

A cycle freezes one version (``version_id``) and the KR tracks read from it
(``plan``, JSON). Check-ins are never edited — a later one supersedes an earlier
one. Grading writes each KR's grade and then the ``cycle_grades`` row that closes
the cycle; after that the triggers refuse new check-ins and grades. A draft has at
most one open (ungraded) cycle. Rows go only when their draft is purged.
Only the cycle repository (``uow.cycles``, ``store.repositories``) calls this.

Every row is hashed (``store.hashing``): a draft's cycles form one chain, and each
cycle's events another, starting at the cycle's own hash: its check-ins in order, then
the grade (covering every KR's grade), then its retrospectives. Each insert extends
its chain's head (``store.chain_heads``) in the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from assistant.domain.cycle_status import Checkin
from assistant.store import chain_heads
from assistant.store.cycle_schema import CYCLES_MIGRATION
from assistant.store.hashing import (
    CHECKIN_KEYS,
    HASH_VERSION,
    checkin_fields,
    cycle_fields,
    grade_fields,
    record_hash,
    retro_fields,
)

__all__ = ["CYCLES_MIGRATION", "CycleRow", "RetroRow"]


class CycleRow(NamedTuple):
    id: int
    draft_id: int
    draft: str
    version: int
    label: str
    start: str
    end: str
    plan: str
    findings: str
    overall: int | None
    launched_by: str
    launched_at: str
    graded_at: str | None
    graded_by: str | None
    grade: float | None


_SELECT = (
    "SELECT c.id, c.draft_id, d.name, v.number, c.label, c.start_date, c.end_date, c.plan,"
    " c.findings, c.overall, c.launched_by, c.launched_at, g.graded_at, g.graded_by, g.grade"
    " FROM cycles c JOIN drafts d ON d.id = c.draft_id JOIN versions v ON v.id = c.version_id"
    " LEFT JOIN cycle_grades g ON g.cycle_id = c.id"
)


def insert_cycle(
    conn: sqlite3.Connection,
    *,
    draft_id: int,
    version_id: int,
    label: str,
    start: date,
    end: date,
    plan: dict[str, Any],
    findings: Sequence[tuple[str, str]],
    overall: int | None,
    launched_by: str,
    launched_at: str,
) -> int:
    plan_text = json.dumps(plan, ensure_ascii=False, separators=(",", ":"))
    findings_text = json.dumps(
        [list(f) for f in findings], ensure_ascii=False, separators=(",", ":")
    )
    found = conn.execute("SELECT hash FROM versions WHERE id = ?", (version_id,)).fetchone()
    fields = cycle_fields(
        found[0] if found else None, label, start.isoformat(), end.isoformat(), plan_text,
        findings_text, overall, launched_by, launched_at,
    )  # fmt: skip
    head = chain_heads.get(conn, "cycles", draft_id)
    prev = head[1] if head else None
    digest = record_hash("cycle", fields, prev)
    cursor = conn.execute(
        "INSERT INTO cycles (draft_id, version_id, label, start_date, end_date, plan, findings,"
        " overall, launched_by, launched_at, hash_version, prev_hash, row_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft_id,
            version_id,
            label,
            start.isoformat(),
            end.isoformat(),
            plan_text,
            findings_text,
            overall,
            launched_by,
            launched_at,
            HASH_VERSION,
            prev,
            digest,
        ),
    )
    cycle_id = int(cursor.lastrowid or 0)
    chain_heads.advance(conn, "cycles", draft_id, draft_id, digest)
    chain_heads.put(conn, "events", cycle_id, draft_id, 0, digest)
    return cycle_id


def _event_link(conn: sqlite3.Connection, cycle_id: int) -> tuple[int | None, str | None]:
    """``(draft id, hash the next event links to)`` of a cycle: its events chain's head
    (the cycle's own hash before its first event); ``(None, None)`` when no such cycle
    (the insert that follows then fails on its foreign key)."""
    row = conn.execute(
        "SELECT c.draft_id, h.head, c.row_hash FROM cycles c LEFT JOIN chain_heads h"
        " ON h.chain = 'events' AND h.owner = c.id WHERE c.id = ?",
        (cycle_id,),
    ).fetchone()
    if row is None:
        return None, None
    return int(row[0]), (row[1] if row[1] is not None else row[2])


def _extend_events(
    conn: sqlite3.Connection, cycle_id: int, draft_id: int | None, digest: str
) -> None:
    if draft_id is not None:
        chain_heads.advance(conn, "events", cycle_id, draft_id, digest)


def cycles_of(conn: sqlite3.Connection, draft_id: int) -> list[CycleRow]:
    """A draft's cycles, oldest first."""
    return [CycleRow(*r) for r in conn.execute(f"{_SELECT} WHERE c.draft_id = ? ORDER BY c.id", (draft_id,))]  # fmt: skip


def open_cycle(conn: sqlite3.Connection, draft_id: int) -> CycleRow | None:
    row = conn.execute(
        f"{_SELECT} WHERE c.draft_id = ? AND g.cycle_id IS NULL ORDER BY c.id DESC LIMIT 1",
        (draft_id,),
    ).fetchone()
    return CycleRow(*row) if row else None


def last_graded(conn: sqlite3.Connection, draft_id: int) -> CycleRow | None:
    row = conn.execute(
        f"{_SELECT} WHERE c.draft_id = ? AND g.cycle_id IS NOT NULL ORDER BY c.id DESC LIMIT 1",
        (draft_id,),
    ).fetchone()
    return CycleRow(*row) if row else None


def all_open(conn: sqlite3.Connection) -> list[CycleRow]:
    """Every live draft's open cycle, by draft name."""
    rows = conn.execute(
        f"{_SELECT} WHERE g.cycle_id IS NULL AND d.deleted_at IS NULL"
        " ORDER BY d.name COLLATE NOCASE, d.name"
    )
    return [CycleRow(*r) for r in rows]


def insert_checkin(
    conn: sqlite3.Connection,
    cycle_id: int,
    checkin: Checkin,
    *,
    raw: str,
    author: str,
    created_at: str,
    provenance: str | None = None,
) -> int:
    values = {
        "kr": checkin.kr,
        "on_date": checkin.on.isoformat(),
        "value": checkin.value,
        "raw": raw,
        "confidence": checkin.confidence,
        "note": checkin.note,
        "source": checkin.source,
        "author": author,
        "created_at": created_at,
        "provenance": provenance,
    }
    draft_id, prev = _event_link(conn, cycle_id)
    digest = record_hash("checkin", checkin_fields(values), prev)
    cursor = conn.execute(
        "INSERT INTO checkins (cycle_id, kr, on_date, value, raw, confidence, note, source,"
        " author, created_at, provenance, hash_version, prev_hash, row_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cycle_id, *(values[k] for k in CHECKIN_KEYS), HASH_VERSION, prev, digest),
    )
    _extend_events(conn, cycle_id, draft_id, digest)
    return int(cursor.lastrowid or 0)


_CHECKIN_COLS = "cycle_id, id, kr, on_date, value, confidence, note, source, provenance"


def _checkin(row: Sequence[Any]) -> Checkin:
    return Checkin(
        row[2],
        date.fromisoformat(row[3]),
        float(row[4]),
        row[5],
        row[6],
        row[7],
        int(row[1]),
        provenance=row[8],
    )


def checkins(conn: sqlite3.Connection, cycle_id: int) -> list[Checkin]:
    """One cycle's check-ins in (date, insertion) order."""
    rows = conn.execute(
        f"SELECT {_CHECKIN_COLS} FROM checkins WHERE cycle_id = ? ORDER BY on_date, id",
        (cycle_id,),
    )
    return [_checkin(row) for row in rows]


def open_checkins(conn: sqlite3.Connection) -> dict[int, list[Checkin]]:
    """The check-ins of every live draft's open cycle in one query, by cycle id, without
    their notes (the team table shows none). Read in the order of the ``checkins_cycle``
    index, so SQLite sorts nothing."""
    out: dict[int, list[Checkin]] = {}
    rows = conn.execute(
        "SELECT cycle_id, id, kr, on_date, value, confidence FROM checkins WHERE cycle_id IN"
        " (SELECT c.id FROM cycles c JOIN drafts d ON d.id = c.draft_id"
        "  WHERE d.deleted_at IS NULL"
        "  AND NOT EXISTS (SELECT 1 FROM cycle_grades g WHERE g.cycle_id = c.id))"
        " ORDER BY cycle_id, kr, on_date, id"
    )
    days: dict[str, date] = {}
    for cycle_id, cid, kr, on, value, confidence in rows:
        day = days.get(on)
        if day is None:
            day = days[on] = date.fromisoformat(on)
        found = out.get(cycle_id)
        if found is None:
            found = out[cycle_id] = []
        found.append(Checkin(kr, day, value, confidence, "", "", cid))
    return out


def checkin_rows(conn: sqlite3.Connection, cycle_id: int) -> list[dict[str, Any]]:
    """Every stored column of a cycle's check-ins in the order of their chain (backups),
    with the row's hash under ``hash``."""
    cols = (*CHECKIN_KEYS, "hash")
    rows = conn.execute(
        f"SELECT {', '.join(CHECKIN_KEYS)}, row_hash FROM checkins WHERE cycle_id = ? ORDER BY id",
        (cycle_id,),
    )
    return [dict(zip(cols, r, strict=True)) for r in rows]


def record_hashes(conn: sqlite3.Connection, cycle_id: int) -> dict[str, Any]:
    """The stored hashes of a cycle (backups): its own, its grade's, its retrospectives'
    (in order) and its events chain's recorded head ``(length, hash)``."""
    own = conn.execute("SELECT row_hash FROM cycles WHERE id = ?", (cycle_id,)).fetchone()
    grade = conn.execute(
        "SELECT row_hash FROM cycle_grades WHERE cycle_id = ?", (cycle_id,)
    ).fetchone()
    retros = [
        r[0]
        for r in conn.execute(
            "SELECT row_hash FROM retros WHERE cycle_id = ? ORDER BY id", (cycle_id,)
        )
    ]
    return {
        "cycle": own[0] if own else None,
        "grade": grade[0] if grade else None,
        "retros": retros,
        "head": chain_heads.get(conn, "events", cycle_id),
    }


def insert_grades(
    conn: sqlite3.Connection,
    cycle_id: int,
    grades: dict[str, float | None],
    grade: float | None,
    *,
    graded_by: str,
    graded_at: str,
) -> None:
    """Write every KR's grade, then the row that closes the cycle (one transaction); that
    row's hash covers every KR's grade."""
    conn.executemany(
        "INSERT INTO kr_grades (cycle_id, kr, grade) VALUES (?, ?, ?)",
        [(cycle_id, kr, g) for kr, g in grades.items()],
    )
    draft_id, prev = _event_link(conn, cycle_id)
    digest = record_hash("grade", grade_fields(grade, graded_by, graded_at, grades), prev)
    conn.execute(
        "INSERT INTO cycle_grades (cycle_id, grade, graded_by, graded_at, hash_version,"
        " prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (cycle_id, grade, graded_by, graded_at, HASH_VERSION, prev, digest),
    )
    _extend_events(conn, cycle_id, draft_id, digest)


def kr_grades(conn: sqlite3.Connection, cycle_id: int) -> dict[str, float | None]:
    rows = conn.execute("SELECT kr, grade FROM kr_grades WHERE cycle_id = ?", (cycle_id,))
    return {str(kr): (float(g) if g is not None else None) for kr, g in rows}


class RetroRow(NamedTuple):
    id: int
    cycle_id: int
    went_well: list[str]
    did_not: list[str]
    change: list[str]
    lessons: list[dict[str, Any]]
    engine: str
    summary: str | None
    author: str
    created_at: str


def insert_retro(
    conn: sqlite3.Connection,
    cycle_id: int,
    *,
    went_well: Sequence[str],
    did_not: Sequence[str],
    change: Sequence[str],
    lessons: Sequence[dict[str, Any]],
    engine: str,
    summary: str | None,
    author: str,
    created_at: str,
) -> int:
    dump = lambda v: json.dumps(list(v), ensure_ascii=False)  # noqa: E731
    texts = (dump(went_well), dump(did_not), dump(change), dump(lessons))
    draft_id, prev = _event_link(conn, cycle_id)
    digest = record_hash("retro", retro_fields(*texts, engine, summary, author, created_at), prev)
    cursor = conn.execute(
        "INSERT INTO retros (cycle_id, went_well, did_not, change, lessons, engine, summary,"
        " author, created_at, hash_version, prev_hash, row_hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cycle_id, *texts, engine, summary, author, created_at, HASH_VERSION, prev, digest),
    )
    _extend_events(conn, cycle_id, draft_id, digest)
    return int(cursor.lastrowid or 0)


def retros(conn: sqlite3.Connection, cycle_id: int) -> list[RetroRow]:
    """A cycle's retrospectives, oldest first (the last one is current)."""
    rows = conn.execute(
        "SELECT id, cycle_id, went_well, did_not, change, lessons, engine, summary, author,"
        " created_at FROM retros WHERE cycle_id = ? ORDER BY id",
        (cycle_id,),
    )
    return [
        RetroRow(r[0], r[1], json.loads(r[2]), json.loads(r[3]), json.loads(r[4]),
                 json.loads(r[5]), r[6], r[7], r[8], r[9])
        for r in rows
    ]  # fmt: skip


def cycle_problems(conn: sqlite3.Connection) -> tuple[int, int, list[str]]:
    """``(cycles, check-ins, problems)``: every cycle's plan and dates readable, at most one
    open cycle per draft, check-ins name KRs of the plan and fall in range, graded cycles
    have a grade for every KR and no check-in recorded after grading."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'cycles'"
    ).fetchone():
        return 0, 0, []
    problems: list[str] = []
    rows = [CycleRow(*r) for r in conn.execute(f"{_SELECT} ORDER BY c.draft_id, c.id")]
    open_per_draft: dict[str, int] = {}
    count = 0
    for row in rows:
        where = f"draft '{row.draft}' cycle {row.label}"
        ids: set[str] = set()
        try:
            plan = json.loads(row.plan)
            ids = {str(k["id"]) for k in plan["key_results"]}
            json.loads(row.findings)
            start, end = date.fromisoformat(row.start), date.fromisoformat(row.end)
            if end < start:
                problems.append(f"{where}: ends before it starts")
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(f"{where}: unreadable plan or dates ({exc})")
        if row.graded_at is None:
            open_per_draft[row.draft] = open_per_draft.get(row.draft, 0) + 1
        else:
            graded = kr_grades(conn, row.id)
            if ids and set(graded) != ids:
                problems.append(f"{where}: graded, but the grades do not cover its KRs")
        for kr, created in conn.execute(
            "SELECT kr, created_at FROM checkins WHERE cycle_id = ?", (row.id,)
        ):
            count += 1
            if ids and kr not in ids:
                problems.append(f"{where}: a check-in names {kr}, not a KR of the cycle")
            if row.graded_at is not None and created > row.graded_at:
                problems.append(f"{where}: a check-in of {kr} was recorded after grading")
    for draft, n in open_per_draft.items():
        if n > 1:
            problems.append(f"draft '{draft}': {n} open cycles (at most one is allowed)")
    return len(rows), count, problems
