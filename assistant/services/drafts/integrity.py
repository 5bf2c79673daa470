"""``okr doctor``: SQLite's own integrity check, the migration list and every draft's
hash chain (and that each stored text still parses to its version's content), read
without ever modifying the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.domain.drafts import DoctorReport
from assistant.services.drafts.source_text import mismatch
from assistant.store import cycles, repo
from assistant.store.db import BUSY_TIMEOUT_S, StoreError, connect, db_path, describe, transaction
from assistant.store.migrations import MIGRATIONS, applied_names, schema_version


def doctor(home: Path | None = None) -> DoctorReport:
    """Check SQLite's integrity and every draft's hash chain; never modifies the database."""
    path = db_path(home)
    report = DoctorReport(path=str(path), exists=path.exists())
    if not report.exists:
        return report
    try:
        conn = connect(path, BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
        return report
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        report.integrity = "; ".join(rows[:5]) + (
            f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        )
        if rows != ["ok"]:
            report.problems.append(f"SQLite integrity check failed: {report.integrity}")
        for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
            report.problems.append(f"{table} row {rowid} points to a missing {parent} row")
        report.schema_version = schema_version(conn)
        applied = applied_names(conn)
        report.migrations = [name for _, name in applied]
        known = [m.name for m in MIGRATIONS]
        for number, name in applied:
            if number <= len(known) and known[number - 1] != name:
                report.problems.append(
                    f"migration {number} is '{name}' in the database but '{known[number - 1]}' "
                    "in this okr-coach (built from a different migration list)"
                )
        if report.schema_version > len(known):
            report.problems.append(
                f"schema version {report.schema_version} is newer than this okr-coach ({len(known)})"
            )
        if report.schema_version >= 1:
            with transaction(conn, write=False):
                report.drafts, report.versions, problems = repo.chain_problems(conn, mismatch)
                report.cycles, report.checkins, cycle_issues = cycles.cycle_problems(conn)
            report.problems.extend(problems + cycle_issues)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreError(describe(exc, path, BUSY_TIMEOUT_S)) from None
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
    except sqlite3.DatabaseError as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, BUSY_TIMEOUT_S))
    finally:
        conn.close()
    return report
