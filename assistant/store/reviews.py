"""SQL for stored peer reviews (``okr review DRAFT``). Only ``services.review`` calls this.

A review belongs to the draft version it reviewed; its transcript is the ``Review``
model as JSON. Accepting one of its changes records which version that created.
Rows go when their draft is purged (``ON DELETE CASCADE``).

A draft's reviews form one hash chain (``store.hashing``: the reviewed version by its
chain hash, engine, personas, rounds, time and transcript); a review's acceptances are
a set whose order-free digest is their chain head (``store.chain_heads``), since
accepting a change again replaces the earlier record of it.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

from assistant.store import chain_heads
from assistant.store.hashing import (
    HASH_VERSION,
    acceptance_fields,
    digest_add,
    record_hash,
    review_fields,
)

REVIEWS_MIGRATION = """
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    draft_id    INTEGER NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    engine      TEXT NOT NULL,
    personas    TEXT NOT NULL,
    rounds      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    transcript  TEXT NOT NULL
);
CREATE INDEX reviews_draft ON reviews (draft_id, id);

CREATE TABLE review_acceptances (
    review_id   INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    change      INTEGER NOT NULL,
    version_id  INTEGER NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (review_id, change)
);
"""


class ReviewRow(NamedTuple):
    id: int
    draft: str
    version: int
    engine: str
    personas: str
    rounds: int
    created_at: str
    transcript: str


_SELECT = (
    "SELECT r.id, d.name, v.number, r.engine, r.personas, r.rounds, r.created_at, r.transcript"
    " FROM reviews r JOIN drafts d ON d.id = r.draft_id JOIN versions v ON v.id = r.version_id"
)


def insert_review(
    conn: sqlite3.Connection,
    *,
    draft_id: int,
    version_id: int,
    engine: str,
    personas: str,
    rounds: int,
    created_at: str,
    transcript: str,
) -> int:
    found = conn.execute("SELECT hash FROM versions WHERE id = ?", (version_id,)).fetchone()
    fields = review_fields(
        found[0] if found else None, engine, personas, rounds, created_at, transcript
    )
    head = chain_heads.get(conn, "reviews", draft_id)
    prev = head[1] if head else None
    digest = record_hash("review", fields, prev)
    cursor = conn.execute(
        "INSERT INTO reviews (draft_id, version_id, engine, personas, rounds, created_at,"
        " transcript, hash_version, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (draft_id, version_id, engine, personas, rounds, created_at, transcript, HASH_VERSION,
         prev, digest),
    )  # fmt: skip
    chain_heads.advance(conn, "reviews", draft_id, draft_id, digest)
    return int(cursor.lastrowid or 0)


def list_reviews(conn: sqlite3.Connection, draft_id: int) -> list[ReviewRow]:
    """A draft's reviews, newest first."""
    rows = conn.execute(f"{_SELECT} WHERE r.draft_id = ? ORDER BY r.id DESC", (draft_id,))
    return [ReviewRow(*row) for row in rows]


def get_review(conn: sqlite3.Connection, review_id: int) -> ReviewRow | None:
    row = conn.execute(f"{_SELECT} WHERE r.id = ?", (review_id,)).fetchone()
    return ReviewRow(*row) if row else None


def accepted_changes(conn: sqlite3.Connection, review_id: int) -> dict[int, int]:
    """Change number → the version number accepting it created."""
    rows = conn.execute(
        "SELECT a.change, v.number FROM review_acceptances a JOIN versions v ON v.id = a.version_id"
        " WHERE a.review_id = ? ORDER BY a.change",
        (review_id,),
    )
    return {int(change): int(number) for change, number in rows}


def record_acceptance(
    conn: sqlite3.Connection, review_id: int, change: int, version_id: int, created_at: str
) -> None:
    """Record (or record again) which version accepting ``change`` created; the review's
    acceptance digest moves with it."""
    review = conn.execute(
        "SELECT draft_id, row_hash FROM reviews WHERE id = ?", (review_id,)
    ).fetchone()
    version = conn.execute("SELECT hash FROM versions WHERE id = ?", (version_id,)).fetchone()
    earlier = conn.execute(
        "SELECT row_hash FROM review_acceptances WHERE review_id = ? AND change = ?",
        (review_id, change),
    ).fetchone()
    fields = acceptance_fields(
        review[1] if review else None, change, version[0] if version else None, created_at
    )
    digest = record_hash("acceptance", fields, None)
    conn.execute(
        "INSERT OR REPLACE INTO review_acceptances (review_id, change, version_id, created_at,"
        " hash_version, row_hash) VALUES (?, ?, ?, ?, ?, ?)",
        (review_id, change, version_id, created_at, HASH_VERSION, digest),
    )
    if review is None:
        return  # the foreign key refused the insert above
    head = chain_heads.get(conn, "acceptances", review_id)
    length = (head[0] if head else 0) + (0 if earlier else 1)
    total = digest_add(
        head[1] if head else None, add=digest, remove=earlier[0] if earlier else None
    )
    chain_heads.put(conn, "acceptances", review_id, int(review[0]), length, total)
