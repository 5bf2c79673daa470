"""Content-addressed cache of model answers, and the record of submitted batches.

One SQLite file, ``llm_cache.db`` in the data home, independent of the drafts store.
The key is a hash of everything that decides the answer (model, prompt version, style,
output schema and the exact messages), so re-running an unchanged file sends nothing
and changing one set re-sends only that set. The stored value is the validated model
answer, not the final critique: guards and rules scores are re-applied on every read,
so improvements there never need a re-ask. The API key is never part of anything here.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

CACHE_FILE = "llm_cache.db"

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS answers (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        prompt TEXT NOT NULL,
        value TEXT NOT NULL,
        usage TEXT NOT NULL,
        created REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS batches (
        id TEXT PRIMARY KEY,
        created REAL NOT NULL,
        model TEXT NOT NULL,
        style TEXT NOT NULL,
        prompt TEXT NOT NULL,
        status TEXT NOT NULL,
        record TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS modes (
        base_url TEXT NOT NULL,
        model TEXT NOT NULL,
        mode TEXT NOT NULL,
        created REAL NOT NULL,
        PRIMARY KEY (base_url, model)
    )""",
]


def cache_key(
    *, model: str, prompt_id: str, style: str, schema: str, messages: list[dict[str, Any]]
) -> str:
    """Hash of everything that decides the answer."""
    payload = json.dumps(
        {
            "model": model,
            "prompt": prompt_id,
            "style": style,
            "schema": schema,
            "messages": messages,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class LLMCache:
    """Opened lazily on first use; safe to share across the tasks of one event loop.
    Built by the caller (the App, from its data home) and handed to the services."""

    def __init__(self, home: Path) -> None:
        self.path = home / CACHE_FILE
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            import sqlite3  # on first use: the rules engine's commands never pay for it

            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                db.execute(statement)
            db.commit()
            self._db = db
        return self._db

    def get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """``(value, usage)`` for a key, or None."""
        if self._db is None and not self.path.exists():
            return None
        row = (
            self._conn()
            .execute("SELECT value, usage FROM answers WHERE key = ?", (key,))
            .fetchone()
        )
        return (row[0], json.loads(row[1])) if row else None

    def put(self, key: str, *, model: str, prompt: str, value: str, usage: dict[str, Any]) -> None:
        db = self._conn()
        db.execute(
            "INSERT OR REPLACE INTO answers (key, model, prompt, value, usage, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (key, model, prompt, value, json.dumps(usage), time.time()),
        )
        db.commit()

    def count(self) -> int:
        if self._db is None and not self.path.exists():
            return 0
        return int(self._conn().execute("SELECT COUNT(*) FROM answers").fetchone()[0])

    # --- response modes ----------------------------------------------------------------
    def get_mode(self, base_url: str | None, model: str) -> str | None:
        """The structured-output mode that last worked for this endpoint and model."""
        if self._db is None and not self.path.exists():
            return None
        row = (
            self._conn()
            .execute(
                "SELECT mode FROM modes WHERE base_url = ? AND model = ?", (base_url or "", model)
            )
            .fetchone()
        )
        return str(row[0]) if row else None

    def set_mode(self, base_url: str | None, model: str, mode: str) -> None:
        db = self._conn()
        db.execute(
            "INSERT OR REPLACE INTO modes (base_url, model, mode, created) VALUES (?, ?, ?, ?)",
            (base_url or "", model, mode, time.time()),
        )
        db.commit()

    # --- batches -------------------------------------------------------------------------
    def save_batch(self, batch_id: str, *, model: str, style: str, prompt: str, status: str,
                   record: dict[str, Any]) -> None:  # fmt: skip
        db = self._conn()
        db.execute(
            "INSERT OR REPLACE INTO batches (id, created, model, style, prompt, status, record) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (batch_id, time.time(), model, style, prompt, status, json.dumps(record)),
        )
        db.commit()

    def set_batch_status(self, batch_id: str, status: str) -> None:
        db = self._conn()
        db.execute("UPDATE batches SET status = ? WHERE id = ?", (status, batch_id))
        db.commit()

    def get_batch(self, batch_id: str) -> dict[str, Any] | None:
        if self._db is None and not self.path.exists():
            return None
        row = (
            self._conn()
            .execute(
                "SELECT id, created, model, style, prompt, status, record FROM batches WHERE id = ?",
                (batch_id,),
            )
            .fetchone()
        )
        return _batch_row(row) if row else None

    def list_batches(self) -> list[dict[str, Any]]:
        if self._db is None and not self.path.exists():
            return []
        rows = (
            self._conn()
            .execute(
                "SELECT id, created, model, style, prompt, status, record FROM batches "
                "ORDER BY created DESC"
            )
            .fetchall()
        )
        return [_batch_row(row) for row in rows]

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _batch_row(row: tuple) -> dict[str, Any]:
    batch_id, created, model, style, prompt, status, record = row
    return {
        "id": batch_id,
        "created": created,
        "model": model,
        "style": style,
        "prompt": prompt,
        "status": status,
        **json.loads(record),
    }
