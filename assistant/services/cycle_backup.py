"""Cycles in backups: ``okr export --all`` writes each draft's cycles (plan, check-ins,
grades, retrospectives) into its backup document; ``okr import`` restores them.

Both run in the unit of work of the drafts backup (``services.drafts.backup`` calls
them), so a draft and its cycles are restored together or not at all.
Importing is idempotent: a cycle already present (same launch time and label) only
gains the check-ins it lacks, and only while it is open.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.domain.cycle import Plan
from assistant.domain.cycle_status import Checkin
from assistant.errors import InputError

if TYPE_CHECKING:
    from assistant.store.store import UnitOfWork

_CHECKIN_KEYS = ("kr", "on_date", "value", "raw", "confidence", "note", "source", "author",
                 "created_at")  # fmt: skip


def backup_cycles(uow: UnitOfWork, draft_id: int) -> list[dict[str, Any]]:
    """Every cycle of a draft, oldest first, as plain JSON data."""
    out = []
    for row in uow.cycles.of_draft(draft_id):
        entry: dict[str, Any] = {
            "label": row.label,
            "start": row.start,
            "end": row.end,
            "launched_version": row.version,
            "launched_by": row.launched_by,
            "launched_at": row.launched_at,
            "overall": row.overall,
            "plan": json.loads(row.plan),
            "findings": json.loads(row.findings),
            "checkins": uow.cycles.checkin_rows(row.id),
            "grade": None,
            "retros": [],
        }
        if row.graded_at is not None:
            entry["grade"] = {
                "grade": row.grade,
                "graded_by": row.graded_by,
                "graded_at": row.graded_at,
                "key_results": uow.cycles.kr_grades(row.id),
            }
            entry["retros"] = [
                {
                    "went_well": r.went_well,
                    "did_not": r.did_not,
                    "change": r.change,
                    "lessons": r.lessons,
                    "engine": r.engine,
                    "summary": r.summary,
                    "author": r.author,
                    "created_at": r.created_at,
                }
                for r in uow.cycles.retros(row.id)
            ]
        out.append(entry)
    return out


def _checkin(entry: dict[str, Any]) -> tuple[Checkin, dict[str, Any]]:
    confidence = entry.get("confidence")
    record = Checkin(
        kr=str(entry["kr"]),
        on=date.fromisoformat(str(entry["on_date"])),
        value=float(entry["value"]),
        confidence=None if confidence is None else int(confidence),
        note=str(entry.get("note") or ""),
        source=str(entry.get("source") or "import"),
    )
    extra = {
        "raw": str(entry.get("raw") or entry["value"]),
        "author": str(entry.get("author") or "unknown"),
        "created_at": str(entry["created_at"]),
    }
    return record, extra


def _key(entry: dict[str, Any]) -> tuple[str, str, str, float]:
    return (
        str(entry["created_at"]),
        str(entry["kr"]),
        str(entry["on_date"]),
        float(entry["value"]),
    )


def restore_cycles(uow: UnitOfWork, draft_id: int, data: Any, label: str, name: str) -> int:
    """Restore a backup's cycles of one draft (after its versions); returns how many
    cycles were added. A malformed entry is an ``InputError`` on ``label``."""
    if not data:
        return 0
    if not isinstance(data, list):
        raise InputError(label, f"draft '{name}': 'cycles' must be a list")
    existing = {(r.launched_at, r.label): r for r in uow.cycles.of_draft(draft_id)}
    added = 0
    for n, entry in enumerate(data, start=1):
        where = f"draft '{name}' cycle {n}"
        try:
            key = (str(entry["launched_at"]), str(entry["label"]))
            checkins = list(entry.get("checkins") or [])
            grade = entry.get("grade")
            found = existing.get(key)
            if found is not None:
                have = {_key(c) for c in uow.cycles.checkin_rows(found.id)}
                missing = [c for c in checkins if _key(c) not in have]
                if missing and found.graded_at is not None:
                    raise InputError(label, f"{where}: differs from the graded cycle here")
                for c in missing:
                    record, extra = _checkin(c)
                    uow.cycles.add_checkin(found.id, record, **extra)
                if grade and found.graded_at is None:
                    _grade(uow, found.id, grade)
                continue
            Plan.from_json(entry["plan"])  # readable, or KeyError/TypeError below
            vid = uow.versions.id_of(draft_id, int(entry["launched_version"]))
            if vid is None:
                raise InputError(label, f"{where}: launched from a version the backup lacks")
            if uow.cycles.open_for(draft_id) is not None:
                raise InputError(label, f"{where}: the draft already has an open cycle here")
            cycle_id = uow.cycles.insert(
                draft_id=draft_id,
                version_id=vid,
                label=key[1],
                start=date.fromisoformat(str(entry["start"])),
                end=date.fromisoformat(str(entry["end"])),
                plan=entry["plan"],
                findings=[(str(c), str(t)) for c, t in entry.get("findings") or []],
                overall=entry.get("overall"),
                launched_by=str(entry.get("launched_by") or "unknown"),
                launched_at=key[0],
            )
            for c in checkins:
                record, extra = _checkin(c)
                uow.cycles.add_checkin(cycle_id, record, **extra)
            if grade:
                _grade(uow, cycle_id, grade)
                for r in entry.get("retros") or []:
                    uow.cycles.add_retro(
                        cycle_id,
                        went_well=[str(x) for x in r.get("went_well") or []],
                        did_not=[str(x) for x in r.get("did_not") or []],
                        change=[str(x) for x in r.get("change") or []],
                        lessons=list(r.get("lessons") or []),
                        engine=str(r.get("engine") or "rules"),
                        summary=r.get("summary"),
                        author=str(r.get("author") or "unknown"),
                        created_at=str(r["created_at"]),
                    )
            added += 1
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(label, f"{where}: missing or malformed field {exc}") from None
        except sqlite3.IntegrityError as exc:
            raise InputError(label, f"{where}: refused by the database ({exc})") from None
    return added


def _grade(uow: UnitOfWork, cycle_id: int, grade: dict[str, Any]) -> None:
    grades = {str(k): (None if v is None else float(v)) for k, v in grade["key_results"].items()}
    uow.cycles.add_grades(
        cycle_id,
        grades,
        None if grade.get("grade") is None else float(grade["grade"]),
        graded_by=str(grade.get("graded_by") or "unknown"),
        graded_at=str(grade["graded_at"]),
    )
