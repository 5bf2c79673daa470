"""Migration 0011 (every stored record under one hash scheme) and the check ``okr doctor``
runs over the records that are not versions.

The migration verifies each older row once and re-hashes it under the current scheme
(``store.hashing``): a version of hash version 1 or 2 whose content hash (and, for 2,
metadata hash) verifies gets a version 3 ``meta_hash``; one that does not is left as it
is, so the doctor keeps naming it. Drafts, cycles, check-ins, grades, retrospectives,
reviews and review acceptances get their first ``row_hash``; every chain gets its head
(``store.chain_heads``). What the migration cannot know is whether a record was removed
before it ran: it takes the database as it finds it.

SQL only; no domain code, so opening the database imports none.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

from assistant.store import chain_heads
from assistant.store.chain_heads import CHAIN_HEADS_TABLE
from assistant.store.hashing import (
    CHECKIN_KEYS,
    HASH_VERSION,
    acceptance_fields,
    chain_hash,
    checkin_fields,
    cycle_fields,
    draft_fields,
    grade_fields,
    metadata_hash,
    record_hash,
    retro_fields,
    review_fields,
    set_digest,
)

MIGRATION_NAME = "0011_integrity"

_CHAINED = ("cycles", "checkins", "cycle_grades", "retros", "reviews")

COLUMNS = (
    [
        "ALTER TABLE drafts ADD COLUMN hash_version INTEGER",
        "ALTER TABLE drafts ADD COLUMN row_hash TEXT",
        "ALTER TABLE review_acceptances ADD COLUMN hash_version INTEGER",
        "ALTER TABLE review_acceptances ADD COLUMN row_hash TEXT",
    ]
    + [
        f"ALTER TABLE {table} ADD COLUMN {column}"
        for table in _CHAINED
        for column in ("hash_version INTEGER", "prev_hash TEXT", "row_hash TEXT")
    ]
    + [s.strip() + ";" for s in CHAIN_HEADS_TABLE.split(";") if s.strip()]
)

# Tables whose append-only guard refuses every UPDATE: lifted for the migration's own
# re-hashing, then put back exactly as they were.
_GUARDED = ("versions", "cycles", "checkins", "cycle_grades", "retros")


@contextmanager
def _guards_lifted(conn: sqlite3.Connection) -> Iterator[None]:
    names = [f"{t}_no_update" for t in _GUARDED]
    saved = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
        f" AND name IN ({', '.join('?' for _ in names)})",
        names,
    ).fetchall()
    for name, _ in saved:
        conn.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in saved:
        conn.execute(sql)


def migrate(conn: sqlite3.Connection) -> None:
    """Migration 0011: the columns, the heads table, and every existing row hashed."""
    for statement in COLUMNS:
        conn.execute(statement)
    with _guards_lifted(conn):
        _versions(conn)
        for draft_id, name, created_at, deleted_at in conn.execute(
            "SELECT id, name, created_at, deleted_at FROM drafts"
        ).fetchall():
            conn.execute(
                "UPDATE drafts SET hash_version = ?, row_hash = ? WHERE id = ?",
                (HASH_VERSION, _draft_hash(draft_id, name, created_at, deleted_at), draft_id),
            )
        _cycles(conn)
        _reviews(conn)


def _draft_hash(draft_id: int, name: str, created_at: str, deleted_at: str | None) -> str:
    return record_hash("draft", draft_fields(draft_id, name, created_at, deleted_at), None)


def _scores(values: tuple[Any, ...]) -> SimpleNamespace | None:
    if any(v is None for v in values):
        return None
    return SimpleNamespace(
        clarity=values[0], measurability=values[1], ambition=values[2], overall=values[3]
    )


def _versions(conn: sqlite3.Connection) -> None:
    """Verify each version of hash version 1 or 2 on its own and re-hash it (3); record
    every draft's versions head as the database holds it."""
    rows = conn.execute(
        "SELECT id, hash, parent_hash, content, message, author, source, created_at, clarity,"
        " measurability, ambition, overall, hash_version, meta_hash, source_text FROM versions"
        " WHERE hash_version IN (1, 2)"
    ).fetchall()
    for row in rows:
        vid, digest, parent, content, message, author, source, created_at = row[:8]
        scores, version, meta, text = _scores(row[8:12]), row[12], row[13], row[14]
        if text is not None or not isinstance(content, str):
            continue  # the text was never covered by a hash: it cannot be vouched for
        if not isinstance(parent, str | None) or chain_hash(content, parent) != digest:
            continue
        args = dict(
            message=message, author=author, source=source, created_at=created_at, scores=scores
        )
        if version == 2 and meta != metadata_hash(digest, **args, hash_version=2):
            continue
        conn.execute(
            "UPDATE versions SET hash_version = ?, meta_hash = ? WHERE id = ?",
            (HASH_VERSION, metadata_hash(digest, **args, hash_version=HASH_VERSION), vid),
        )
    for draft_id, number, digest in conn.execute(
        "SELECT draft_id, MAX(number), hash FROM versions GROUP BY draft_id"
    ).fetchall():
        chain_heads.put(conn, "versions", draft_id, draft_id, number, digest)


def _version_hashes(conn: sqlite3.Connection) -> dict[int, str]:
    return {int(i): str(h) for i, h in conn.execute("SELECT id, hash FROM versions")}


def _next_in_chain(
    conn: sqlite3.Connection, table: str, kind: str, row_id: int, draft_id: int, fields: Any
) -> str:
    """Hash row ``row_id`` of ``table`` (also the chain's name) as the next link of its
    draft's chain, store the hash and advance the chain's head; the new hash."""
    head = chain_heads.get(conn, table, draft_id)
    prev = head[1] if head else None
    digest = record_hash(kind, fields, prev)
    conn.execute(
        f"UPDATE {table} SET hash_version = ?, prev_hash = ?, row_hash = ? WHERE id = ?",
        (HASH_VERSION, prev, digest, row_id),
    )
    chain_heads.advance(conn, table, draft_id, draft_id, digest)
    return digest


def _cycles(conn: sqlite3.Connection) -> None:
    hashes = _version_hashes(conn)
    rows = conn.execute(
        "SELECT id, draft_id, version_id, label, start_date, end_date, plan, findings, overall,"
        " launched_by, launched_at FROM cycles ORDER BY draft_id, id"
    ).fetchall()
    for row in rows:
        cycle_id, draft_id = row[0], row[1]
        fields = cycle_fields(hashes.get(row[2]), *row[3:])
        digest = _next_in_chain(conn, "cycles", "cycle", cycle_id, draft_id, fields)
        event, length = digest, 0
        for table, kind, rowid, fields in _events(conn, cycle_id):
            prev_event, event = event, record_hash(kind, fields, event)
            conn.execute(
                f"UPDATE {table} SET hash_version = ?, prev_hash = ?, row_hash = ? WHERE rowid = ?",
                (HASH_VERSION, prev_event, event, rowid),
            )
            length += 1
        chain_heads.put(conn, "events", cycle_id, draft_id, length, event)


def _events(
    conn: sqlite3.Connection, cycle_id: int
) -> Iterator[tuple[str, str, int, dict[str, Any]]]:
    """A cycle's events in chain order: ``(table, kind, rowid, fields)``."""
    for row in conn.execute(
        f"SELECT rowid, {', '.join(CHECKIN_KEYS)} FROM checkins WHERE cycle_id = ? ORDER BY id",
        (cycle_id,),
    ).fetchall():
        yield (
            "checkins",
            "checkin",
            row[0],
            checkin_fields(dict(zip(CHECKIN_KEYS, row[1:], strict=True))),
        )
    grade = conn.execute(
        "SELECT rowid, grade, graded_by, graded_at FROM cycle_grades WHERE cycle_id = ?",
        (cycle_id,),
    ).fetchone()
    if grade is not None:
        krs = dict(conn.execute("SELECT kr, grade FROM kr_grades WHERE cycle_id = ?", (cycle_id,)))
        yield "cycle_grades", "grade", grade[0], grade_fields(grade[1], grade[2], grade[3], krs)
    for row in conn.execute(
        "SELECT rowid, went_well, did_not, change, lessons, engine, summary, author, created_at"
        " FROM retros WHERE cycle_id = ? ORDER BY id",
        (cycle_id,),
    ).fetchall():
        yield "retros", "retro", row[0], retro_fields(*row[1:])


def _reviews(conn: sqlite3.Connection) -> None:
    hashes = _version_hashes(conn)
    for row in conn.execute(
        "SELECT id, draft_id, version_id, engine, personas, rounds, created_at, transcript"
        " FROM reviews ORDER BY draft_id, id"
    ).fetchall():
        review_id, draft_id = row[0], row[1]
        fields = review_fields(hashes.get(row[2]), *row[3:])
        digest = _next_in_chain(conn, "reviews", "review", review_id, draft_id, fields)
        accepted = []
        for rowid, change, version_id, created_at in conn.execute(
            "SELECT rowid, change, version_id, created_at FROM review_acceptances"
            " WHERE review_id = ?",
            (review_id,),
        ).fetchall():
            fields = acceptance_fields(digest, change, hashes.get(version_id), created_at)
            accepted.append(record_hash("acceptance", fields, None))
            conn.execute(
                "UPDATE review_acceptances SET hash_version = ?, row_hash = ? WHERE rowid = ?",
                (HASH_VERSION, accepted[-1], rowid),
            )
        if accepted:
            chain_heads.put(
                conn, "acceptances", review_id, draft_id, len(accepted), set_digest(accepted)
            )


# --- the doctor's check ---------------------------------------------------------------------


def applied(conn: sqlite3.Connection) -> bool:
    """Whether migration 0011 ran on this database (by any of its traces, so setting
    ``user_version`` back does not switch the checks off)."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "chain_heads" in tables:
        return True
    return "schema_migrations" in tables and bool(
        conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", (MIGRATION_NAME,)).fetchone()
    )


_NOUNS = {
    "versions": "version",
    "cycles": "cycle",
    "events": "check-in, grade or retrospective",
    "reviews": "review",
    "acceptances": "accepted change",
}


class _Walk:
    """One pass over the hashed records, collecting problems and each chain's tail."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.problems: list[str] = []
        self.tails: dict[chain_heads.Key, tuple[int, str | None]] = {}
        self.names = {int(i): str(n) for i, n in conn.execute("SELECT id, name FROM drafts")}
        self.cycle_labels: dict[int, str] = {}
        self.hashes = _version_hashes(conn)

    def draft(self, draft_id: int) -> str:
        name = self.names.get(draft_id)
        return f"draft '{name}'" if name is not None else f"draft #{draft_id}"

    def scheme(self, where: str, version: Any) -> None:
        if version != HASH_VERSION:
            self.problems.append(
                f"{where}: hash version {version!r} is not the current scheme ({HASH_VERSION}):"
                " set back behind okr's back, or never hashed"
            )

    def link(
        self,
        where: str,
        kind: str,
        row: tuple[Any, ...],
        fields: dict[str, Any],
        expected_prev: str | None,
        before: str,
    ) -> str | None:
        """Check one chained record ``(hash_version, prev_hash, row_hash)``; its hash."""
        version, prev, stored = row
        self.scheme(where, version)
        if stored != record_hash(kind, fields, prev):
            self.problems.append(f"{where}: does not match its hash (edited behind okr's back)")
        if prev != expected_prev:
            self.problems.append(
                f"{where}: does not link to {before} (a record was deleted, inserted or "
                "changed before it)"
            )
        return stored if isinstance(stored, str) else None


def record_problems(conn: sqlite3.Connection) -> tuple[int, list[str]]:
    """``(reviews, problems)``: every draft row, cycle, check-in, grade, retrospective,
    review and acceptance checked against its hash and its chain, then every chain's
    tail against its recorded head (``chain_heads``)."""
    walk = _Walk(conn)
    _check_drafts(walk)
    _check_cycles(walk)
    reviews = _check_reviews(walk)
    for draft_id, number, digest in conn.execute(
        # SQLite takes the bare column from the row holding the MAX
        "SELECT draft_id, MAX(number), hash FROM versions GROUP BY draft_id"
    ):
        walk.tails[("versions", int(draft_id))] = (int(number), digest)
    _check_heads(walk)
    return reviews, walk.problems


def _check_drafts(walk: _Walk) -> None:
    for draft_id, name, created_at, deleted_at, version, stored in walk.conn.execute(
        "SELECT id, name, created_at, deleted_at, hash_version, row_hash FROM drafts"
    ):
        where = walk.draft(draft_id)
        walk.scheme(where, version)
        if stored != _draft_hash(draft_id, name, created_at, deleted_at):
            walk.problems.append(
                f"{where}: its name, creation or deletion time do not match its hash "
                "(edited behind okr's back)"
            )


def _check_cycles(walk: _Walk) -> None:
    conn = walk.conn
    rows = conn.execute(
        "SELECT id, draft_id, version_id, label, start_date, end_date, plan, findings, overall,"
        " launched_by, launched_at, hash_version, prev_hash, row_hash FROM cycles"
        " ORDER BY draft_id, id"
    ).fetchall()
    counts: dict[int, int] = {}
    for row in rows:
        cycle_id, draft_id = row[0], row[1]
        where = f"{walk.draft(draft_id)} cycle {row[3]}"
        walk.cycle_labels[cycle_id] = where
        if row[2] not in walk.hashes:
            walk.problems.append(f"{where}: launched from a version that does not exist")
        previous = walk.tails.get(("cycles", draft_id), (0, None))
        digest = walk.link(
            where,
            "cycle",
            row[11:14],
            cycle_fields(walk.hashes.get(row[2]), *row[3:11]),
            previous[1],
            "the cycle launched before it",
        )
        counts[draft_id] = counts.get(draft_id, 0) + 1
        walk.tails[("cycles", draft_id)] = (counts[draft_id], digest)
        _check_events(walk, cycle_id, where, digest)
    for (cycle_id,) in conn.execute(
        "SELECT DISTINCT cycle_id FROM kr_grades"
        " WHERE cycle_id NOT IN (SELECT cycle_id FROM cycle_grades)"
    ):
        where = walk.cycle_labels.get(cycle_id, f"cycle #{cycle_id}")
        walk.problems.append(
            f"{where}: KR grades are stored without the grade that closes the cycle "
            "(added, or the grade deleted, behind okr's back)"
        )


def _check_events(walk: _Walk, cycle_id: int, where: str, start: str | None) -> None:
    conn = walk.conn
    events: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = []
    for n, row in enumerate(
        conn.execute(
            f"SELECT {', '.join(CHECKIN_KEYS)}, hash_version, prev_hash, row_hash FROM checkins"
            " WHERE cycle_id = ? ORDER BY id",
            (cycle_id,),
        ).fetchall(),
        start=1,
    ):
        values = dict(zip(CHECKIN_KEYS, row[:10], strict=True))
        label = f"{where} check-in {n} ({values['kr']} on {values['on_date']})"
        events.append((label, "checkin", row[10:13], checkin_fields(values)))
    grade = conn.execute(
        "SELECT grade, graded_by, graded_at, hash_version, prev_hash, row_hash FROM cycle_grades"
        " WHERE cycle_id = ?",
        (cycle_id,),
    ).fetchone()
    if grade is not None:
        krs = dict(conn.execute("SELECT kr, grade FROM kr_grades WHERE cycle_id = ?", (cycle_id,)))
        events.append(
            (
                f"{where} grade (with its KR grades)",
                "grade",
                grade[3:6],
                grade_fields(grade[0], grade[1], grade[2], krs),
            )
        )
    for n, row in enumerate(
        conn.execute(
            "SELECT went_well, did_not, change, lessons, engine, summary, author, created_at,"
            " hash_version, prev_hash, row_hash FROM retros WHERE cycle_id = ? ORDER BY id",
            (cycle_id,),
        ).fetchall(),
        start=1,
    ):
        events.append((f"{where} retrospective {n}", "retro", row[8:11], retro_fields(*row[:8])))
    prev = start
    before = "the cycle"
    for label, kind, hashes, fields in events:
        prev = walk.link(label, kind, hashes, fields, prev, before)
        before = "the record before it"
    walk.tails[("events", cycle_id)] = (len(events), prev)


def _check_reviews(walk: _Walk) -> int:
    conn = walk.conn
    rows = conn.execute(
        "SELECT id, draft_id, version_id, engine, personas, rounds, created_at, transcript,"
        " hash_version, prev_hash, row_hash FROM reviews ORDER BY draft_id, id"
    ).fetchall()
    stored_hash: dict[int, str | None] = {}
    for row in rows:
        review_id, draft_id = row[0], row[1]
        where = f"{walk.draft(draft_id)} review {review_id}"
        previous = walk.tails.get(("reviews", draft_id), (0, None))
        digest = walk.link(
            where,
            "review",
            row[8:11],
            review_fields(walk.hashes.get(row[2]), *row[3:8]),
            previous[1],
            "the review before it",
        )
        walk.tails[("reviews", draft_id)] = (previous[0] + 1, digest)
        stored_hash[review_id] = digest
    accepted: dict[int, list[Any]] = {}
    for review_id, change, version_id, created_at, version, stored in conn.execute(
        "SELECT review_id, change, version_id, created_at, hash_version, row_hash"
        " FROM review_acceptances ORDER BY review_id, change"
    ):
        where = f"review {review_id} accepted change {change}"
        walk.scheme(where, version)
        fields = acceptance_fields(
            stored_hash.get(review_id), change, walk.hashes.get(version_id), created_at
        )
        if stored != record_hash("acceptance", fields, None):
            walk.problems.append(f"{where}: does not match its hash (edited behind okr's back)")
        accepted.setdefault(review_id, []).append(stored)
    for review_id, hashes in accepted.items():
        walk.tails[("acceptances", review_id)] = (len(hashes), set_digest(hashes))
    return len(rows)


def _owner_label(walk: _Walk, chain: str, owner: int, draft_id: int) -> str:
    if chain == "events":
        return walk.cycle_labels.get(owner, f"{walk.draft(draft_id)} cycle #{owner}")
    if chain == "acceptances":
        return f"{walk.draft(draft_id)} review {owner}"
    return walk.draft(owner)


def _check_heads(walk: _Walk) -> None:
    heads = chain_heads.all_heads(walk.conn)
    for key in sorted(set(walk.tails) | set(heads)):
        chain, owner = key
        noun = _NOUNS.get(chain, "record")
        tail = walk.tails.get(key)
        recorded = heads.get(key)
        label = _owner_label(walk, chain, owner, recorded[0] if recorded else owner)
        if recorded is None:
            assert tail is not None
            walk.problems.append(
                f"{label}: {tail[0]} {noun}(s) stored but no chain head recorded (added "
                "behind okr's back, or the head was deleted)"
            )
        elif tail is None:
            if recorded[1]:
                walk.problems.append(
                    f"{label}: a chain of {recorded[1]} {noun}(s) is recorded but none is "
                    "stored (deleted behind okr's back)"
                )
            elif chain == "events" and owner not in walk.cycle_labels:
                walk.problems.append(f"{label}: recorded, but the cycle is gone (deleted)")
        elif (recorded[1], recorded[2]) != tail:
            if recorded[1] > tail[0]:
                which = "some before the last" if recorded[2] == tail[1] else "the last one(s)"
                walk.problems.append(
                    f"{label}: {recorded[1]} {noun}(s) recorded but {tail[0]} stored: "
                    f"{which} were deleted behind okr's back"
                )
            elif recorded[1] < tail[0]:
                walk.problems.append(
                    f"{label}: {tail[0]} {noun}(s) stored but {recorded[1]} recorded: "
                    "added behind okr's back"
                )
            else:
                walk.problems.append(
                    f"{label}: the last {noun} is not the one recorded (replaced, or its "
                    "chain head edited, behind okr's back)"
                )
