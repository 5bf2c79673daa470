"""The LLM request log in ``okr.db``: its table and its repository (``uow.logs``).

Unlike versions and check-ins the log is not part of anyone's history: rows are
appended as requests are made and may be cleared by the user, so it carries no hash
chain. Messages are stored as JSON, the key already scrubbed (``llm.call_log``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assistant.llm.call_log import LLMCall

LLM_LOG_MIGRATION = """
CREATE TABLE llm_log (
    id                 INTEGER PRIMARY KEY,
    at                 TEXT NOT NULL,
    command            TEXT NOT NULL,
    model              TEXT NOT NULL,
    base_url           TEXT,
    prompt             TEXT,
    mode               TEXT,
    messages           TEXT NOT NULL,
    reply              TEXT,
    prompt_tokens      INTEGER NOT NULL DEFAULT 0,
    completion_tokens  INTEGER NOT NULL DEFAULT 0,
    cached_tokens      INTEGER NOT NULL DEFAULT 0,
    cost_usd           REAL,
    seconds            REAL NOT NULL,
    outcome            TEXT NOT NULL
);
CREATE INDEX llm_log_at ON llm_log (at);
"""


@dataclass(frozen=True)
class LoggedCall:
    """A stored request: the call, its id and what it cost (None: no price known)."""

    id: int
    call: LLMCall
    cost_usd: float | None


@dataclass(frozen=True)
class DayTotal:
    """Requests, tokens and cost of one model on one day."""

    day: str
    model: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None


_COLUMNS = (
    "id, at, command, model, base_url, prompt, mode, messages, reply, prompt_tokens,"
    " completion_tokens, cached_tokens, cost_usd, seconds, outcome"
)


def _row(row: tuple[Any, ...]) -> LoggedCall:
    call = LLMCall(
        at=datetime.fromisoformat(row[1]),
        command=row[2],
        model=row[3],
        base_url=row[4],
        prompt=row[5],
        mode=row[6],
        messages=json.loads(row[7]),
        reply=row[8],
        prompt_tokens=int(row[9]),
        completion_tokens=int(row[10]),
        cached_tokens=int(row[11]),
        seconds=float(row[13]),
        outcome=row[14],
    )
    return LoggedCall(id=int(row[0]), call=call, cost_usd=row[12])


class LogRepository:
    """Append, list, read and total logged LLM requests."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def add(self, call: LLMCall, cost_usd: float | None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO llm_log (at, command, model, base_url, prompt, mode, messages, reply,"
            " prompt_tokens, completion_tokens, cached_tokens, cost_usd, seconds, outcome)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                call.at.isoformat(timespec="milliseconds"),
                call.command,
                call.model,
                call.base_url,
                call.prompt,
                call.mode,
                json.dumps(list(call.messages), ensure_ascii=False),
                call.reply,
                call.prompt_tokens,
                call.completion_tokens,
                call.cached_tokens,
                cost_usd,
                call.seconds,
                call.outcome,
            ),
        )
        return int(cursor.lastrowid or 0)

    def newest(self, limit: int | None = None, since: str | None = None) -> list[LoggedCall]:
        """Newest first; ``since`` an ISO date (inclusive)."""
        sql = f"SELECT {_COLUMNS} FROM llm_log"
        args: list[Any] = []
        if since:
            sql += " WHERE at >= ?"
            args.append(since)
        sql += " ORDER BY at DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return [_row(r) for r in self.conn.execute(sql, args)]

    def get(self, log_id: int) -> LoggedCall | None:
        row = self.conn.execute(
            f"SELECT {_COLUMNS} FROM llm_log WHERE id = ?", (log_id,)
        ).fetchone()
        return _row(row) if row else None

    def totals(self, since: str | None = None) -> list[DayTotal]:
        """Per day (UTC) and model, newest day first."""
        sql = (
            "SELECT substr(at, 1, 10) AS day, model, count(*), sum(prompt_tokens),"
            " sum(completion_tokens), sum(cost_usd) FROM llm_log"
        )
        args: list[Any] = []
        if since:
            sql += " WHERE at >= ?"
            args.append(since)
        sql += " GROUP BY day, model ORDER BY day DESC, model"
        return [
            DayTotal(
                day=r[0],
                model=r[1],
                requests=int(r[2]),
                prompt_tokens=int(r[3] or 0),
                completion_tokens=int(r[4] or 0),
                cost_usd=None if r[5] is None else round(float(r[5]), 6),
            )
            for r in self.conn.execute(sql, args)
        ]
