"""``okr doctor``: SQLite's own integrity check, the migration list, every draft's
hash chain (and that each stored text still parses to its version's content), and every
other record's hash, chain link and chain head (``store.integrity``), read without ever
modifying the database.

The doctor opens the store's file on a connection of its own, without migrating it:
the ``Store`` would migrate an older database and refuse a damaged one, while the
doctor must report on either as it is.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from assistant.domain.drafts import DoctorReport
from assistant.services.drafts.source_text import mismatch
from assistant.store.db import StoreError, connect, describe, transaction
from assistant.store.migrations import MIGRATIONS, applied_names, schema_version
from assistant.store.repositories import CycleRepository, HealthRepository, VersionRepository

if TYPE_CHECKING:
    from assistant.store.store import Store


def doctor(store: Store) -> DoctorReport:
    """Check SQLite's integrity and every draft's hash chain; never modifies the database."""
    path, timeout = store.path, store.timeout
    report = DoctorReport(path=str(path), exists=store.exists())
    if not report.exists:
        return report
    try:
        conn = connect(path, timeout)
    except sqlite3.Error as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, timeout))
        return report
    try:
        health = HealthRepository(conn)
        rows = health.integrity()
        report.integrity = "; ".join(rows[:5]) + (
            f" (+{len(rows) - 5} more)" if len(rows) > 5 else ""
        )
        if rows != ["ok"]:
            report.problems.append(f"SQLite integrity check failed: {report.integrity}")
        for table, rowid, parent in health.broken_references():
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
                hashed = health.hashed()  # older schemes are problems once 0011 ran
                report.drafts, report.versions, problems = VersionRepository(conn).chain_problems(
                    mismatch, current_only=hashed
                )
                report.cycles, report.checkins, cycle_issues = CycleRepository(conn).problems()
                record_issues = health.record_problems()[1] if hashed else []
            report.problems.extend(problems + cycle_issues + record_issues)
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc).lower() or "busy" in str(exc).lower():
            raise StoreError(describe(exc, path, timeout)) from None
        report.problems.append(describe(exc, path, timeout))
    except sqlite3.DatabaseError as exc:
        report.integrity = str(exc)
        report.problems.append(describe(exc, path, timeout))
    finally:
        conn.close()
    return report
