"""Cycles in backups: ``okr export --all`` writes each draft's cycles (plan, check-ins,
grades, retrospectives) into its backup document; ``okr import`` restores them.

Both run in the unit of work of the drafts backup (``services.drafts.backup`` calls
them), so a draft and its cycles are restored together or not at all.
Importing is idempotent: a cycle already present (same launch time and label) only
gains the check-ins it lacks, and only while it is open.

A backup carries every record's hash and each chain's head (``store.hashing``): the
cycles of the draft, and each cycle's events (check-ins, grade, retrospectives).
:func:`verify_cycles` recomputes them all before anything is written, so an edited,
removed or inserted check-in, grade or retrospective is refused.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from assistant.domain.cycle import Plan
from assistant.domain.cycle_status import Checkin
from assistant.errors import InputError
from assistant.store.hashing import (
    checkin_fields,
    cycle_fields,
    grade_fields,
    record_hash,
    retro_fields,
)

if TYPE_CHECKING:
    from assistant.store.store import UnitOfWork


def backup_cycles(uow: UnitOfWork, draft_id: int) -> list[dict[str, Any]]:
    """Every cycle of a draft, oldest first, as plain JSON data with the stored hash of
    each record and the recorded head of each cycle's events."""
    out = []
    for row in uow.cycles.of_draft(draft_id):
        hashes = uow.cycles.record_hashes(row.id)
        head = hashes["head"]
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
            "hash": hashes["cycle"],
            "head": {"length": head[0], "hash": head[1]} if head else None,
        }
        if row.graded_at is not None:
            entry["grade"] = {
                "grade": row.grade,
                "graded_by": row.graded_by,
                "graded_at": row.graded_at,
                "key_results": uow.cycles.kr_grades(row.id),
                "hash": hashes["grade"],
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
                    "hash": digest,
                }
                # both in the order of their ids, read in the same transaction
                for r, digest in zip(uow.cycles.retros(row.id), hashes["retros"], strict=True)
            ]
        out.append(entry)
    return out


def _carried(entry: Any, where: str, label: str) -> str:
    digest = entry.get("hash") if isinstance(entry, dict) else None
    if not isinstance(digest, str):
        raise InputError(label, f"{where}: carries no hash; nothing was imported")
    return digest


def _edited(label: str, where: str) -> InputError:
    return InputError(
        label, f"{where}: does not match its hash (file was edited); nothing was imported"
    )


def _linked(
    kind: str, fields: dict[str, Any], prev: str | None, entry: Any, where: str, label: str
) -> str:
    """The carried hash of one record, after checking it is the hash of its fields
    linked to ``prev``."""
    digest = _carried(entry, where, label)
    if record_hash(kind, fields, prev) != digest:
        raise _edited(label, where)
    return digest


def verify_cycles(
    data: Any, version_hashes: dict[int, str], label: str, name: str
) -> tuple[int, str | None]:
    """Check every hash a backup's cycles carry (format 2) and each cycle's events head;
    ``(cycles, last cycle hash)``, the draft's cycles chain as the backup holds it.
    ``version_hashes``: the backup's versions, number to chain hash."""
    if not data:
        return 0, None
    if not isinstance(data, list):
        raise InputError(label, f"draft '{name}': 'cycles' must be a list")
    prev: str | None = None
    for n, entry in enumerate(data, start=1):
        where = f"draft '{name}' cycle {n}"
        try:
            number = entry["launched_version"]
            version = version_hashes.get(number) if isinstance(number, int) else None
            fields = cycle_fields(
                version, entry["label"], entry["start"], entry["end"], entry["plan"],
                entry["findings"], entry.get("overall"), entry["launched_by"],
                entry["launched_at"],
            )  # fmt: skip
            prev = _linked("cycle", fields, prev, entry, where, label)
            event = prev
            events = 0
            for i, c in enumerate(entry.get("checkins") or [], start=1):
                event = _linked(
                    "checkin", checkin_fields(c), event, c, f"{where} check-in {i}", label
                )
                events += 1
            grade = entry.get("grade")
            if grade:
                fields = grade_fields(
                    grade.get("grade"), grade["graded_by"], grade["graded_at"],
                    grade["key_results"],
                )  # fmt: skip
                event = _linked("grade", fields, event, grade, f"{where} grade", label)
                events += 1
            for i, r in enumerate(entry.get("retros") or [], start=1):
                fields = retro_fields(
                    r["went_well"], r["did_not"], r["change"], r["lessons"], r["engine"],
                    r.get("summary"), r["author"], r["created_at"],
                )  # fmt: skip
                event = _linked("retro", fields, event, r, f"{where} retrospective {i}", label)
                events += 1
            head = entry.get("head")
            if not isinstance(head, dict) or (head.get("length"), head.get("hash")) != (
                events,
                event,
            ):
                recorded = head.get("length") if isinstance(head, dict) else None
                raise InputError(
                    label,
                    f"{where}: holds {events} check-in(s), grade and retrospective(s) but its "
                    f"head records {recorded if isinstance(recorded, int) else 'another'}: "
                    "truncated or edited; nothing was imported",
                )
        except InputError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise InputError(label, f"{where}: missing or malformed field {exc}") from None
    return len(data), prev


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
    provenance = entry.get("provenance")
    extra = {
        "raw": str(entry.get("raw") or entry["value"]),
        "author": str(entry.get("author") or "unknown"),
        "created_at": str(entry["created_at"]),
        "provenance": None if provenance is None else str(provenance),
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
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
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
