"""The head of every hash chain in ``okr.db``: its length and its latest hash.

A chain's records each name the one before them, so a record removed from the middle
breaks a link; the last one leaves no trace in the records themselves. ``chain_heads``
keeps, per chain, how long it is and what its last hash is, updated in the same
transaction as the record that extends it, so ``okr doctor`` sees a missing tail.
(Someone with SQL access can edit this table too; the README's threat model says so.)

Chains (``chain``, ``owner``): ``versions``, ``cycles`` and ``reviews`` of a draft (owner:
the draft id); ``events`` of a cycle (owner: the cycle id; its head starts at the
cycle's own hash, length 0); ``acceptances`` of a review (owner: the review id; an
order-free digest of a set, ``store.hashing.set_digest``). ``draft_id`` lets a purge
remove a draft's heads with it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

CHAIN_HEADS_TABLE = """
CREATE TABLE chain_heads (
    chain     TEXT NOT NULL,
    owner     INTEGER NOT NULL,
    draft_id  INTEGER NOT NULL,
    length    INTEGER NOT NULL,
    head      TEXT,
    PRIMARY KEY (chain, owner)
);
CREATE INDEX chain_heads_draft ON chain_heads (draft_id);
"""

Key = tuple[str, int]


def get(conn: sqlite3.Connection, chain: str, owner: int) -> tuple[int, str | None] | None:
    """``(length, head hash)`` of a chain, or None when none is recorded."""
    row = conn.execute(
        "SELECT length, head FROM chain_heads WHERE chain = ? AND owner = ?", (chain, owner)
    ).fetchone()
    return (int(row[0]), row[1]) if row else None


def put(
    conn: sqlite3.Connection, chain: str, owner: int, draft_id: int, length: int, head: str | None
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO chain_heads (chain, owner, draft_id, length, head)"
        " VALUES (?, ?, ?, ?, ?)",
        (chain, owner, draft_id, length, head),
    )


def advance(conn: sqlite3.Connection, chain: str, owner: int, draft_id: int, head: str) -> None:
    """One more record at the end of a chain (created on its first record)."""
    found = get(conn, chain, owner)
    put(conn, chain, owner, draft_id, (found[0] if found else 0) + 1, head)


def forget_drafts(conn: sqlite3.Connection, draft_ids: Iterable[int]) -> None:
    """A purge: the heads of the drafts removed for good go with them."""
    conn.executemany("DELETE FROM chain_heads WHERE draft_id = ?", [(i,) for i in draft_ids])


def all_heads(conn: sqlite3.Connection) -> dict[Key, tuple[int, int, str | None]]:
    """Every recorded head: ``(chain, owner) -> (draft id, length, head)``."""
    return {
        (str(chain), int(owner)): (int(draft_id), int(length), head)
        for chain, owner, draft_id, length, head in conn.execute(
            "SELECT chain, owner, draft_id, length, head FROM chain_heads"
        )
    }
