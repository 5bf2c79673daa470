"""Opening ``okr.db`` safely: WAL, a busy timeout, migrations, and one-line errors.

Every failure SQLite can report (a damaged file, a lock held too long, a read-only
disk) becomes a ``StoreError`` naming the database file, so the CLI prints one
line instead of a traceback.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.errors import OKRError, UsageError
from assistant.paths import data_home
from assistant.store.migrations import SchemaTooNew, migrate
from assistant.store.store import BUSY_TIMEOUT_S, DB_FILENAME  # noqa: E402 - one definition


class StoreError(OKRError):
    """The drafts database cannot be used: damaged, locked, unwritable or too new."""


class ConflictError(UsageError):
    """The draft moved on since the caller read it (optimistic concurrency for the TUI)."""


def db_path(home: Path | None = None) -> Path:
    return (home or data_home()) / DB_FILENAME


def describe(exc: BaseException, path: Path, timeout: float) -> str:
    """A one-line explanation of a SQLite or OS error, with what to do next."""
    text = str(exc)
    low = text.lower()
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return (
            f"{path}: the drafts database is damaged ({text}); move it aside and restore a "
            "backup with `okr import DIR` (see `okr export --all`)"
        )
    if "locked" in low or "busy" in low:
        return (
            f"{path}: the drafts database is locked by another process "
            f"(waited {timeout:g}s); try again when it has finished"
        )
    if "readonly" in low or "read-only" in low:
        return f"{path}: the drafts database is read-only; check the file's permissions"
    if "unable to open" in low or isinstance(exc, OSError):
        return f"{path}: cannot open the drafts database ({text}); check that the directory is writable"
    if "disk" in low or "full" in low:
        return f"{path}: could not write the drafts database ({text})"
    return f"{path}: database error: {text}"


def _enable_wal(conn: sqlite3.Connection, wait: float) -> None:
    """Switch a new database to WAL. SQLite answers BUSY at once, without calling the busy
    handler, while another process opening the same new file holds it; so retry here."""
    deadline = time.monotonic() + wait
    delay = 0.01
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            low = str(exc).lower()
            if ("locked" not in low and "busy" not in low) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def connect(
    path: Path, timeout: float | None = None, *, check_same_thread: bool = True
) -> sqlite3.Connection:
    """A raw autocommit connection with WAL, foreign keys and a busy timeout (no migrations).

    ``synchronous = FULL``: in WAL mode NORMAL may lose the last commits to a power cut,
    and a save the user saw acknowledged must survive one (the fsync costs ~1 ms here)."""
    wait = BUSY_TIMEOUT_S if timeout is None else timeout
    conn = sqlite3.connect(
        str(path), timeout=wait, isolation_level=None, check_same_thread=check_same_thread
    )
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        _enable_wal(conn, wait)
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


@contextmanager
def open_db(
    home: Path | None = None, *, timeout: float | None = None
) -> Iterator[sqlite3.Connection]:
    """Connect (creating the home and database on first use), migrate, and translate errors.

    Any ``sqlite3.Error`` or ``OSError`` raised inside the ``with`` block becomes a
    one-line ``StoreError``; the project's own errors pass through untouched.
    """
    path = db_path(home)
    wait = BUSY_TIMEOUT_S if timeout is None else timeout
    conn: sqlite3.Connection | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = connect(path, wait)
        migrate(conn)
        yield conn
    except OKRError:
        raise
    except SchemaTooNew as exc:
        raise StoreError(
            f"{path}: the drafts database has schema version {exc.found}, newer than this "
            f"okr-coach understands ({exc.known}); upgrade okr-coach"
        ) from None
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(describe(exc, path, wait)) from None
    finally:
        if conn is not None:
            conn.close()


@contextmanager
def transaction(conn: sqlite3.Connection, *, write: bool = True) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` for writes (take the write lock before reading the head, so
    concurrent savers queue instead of forking history); plain ``BEGIN`` gives readers
    one consistent snapshot."""
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
