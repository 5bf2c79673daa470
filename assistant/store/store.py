"""The store: ``okr.db`` opened and migrated once per process, written through units of work.

A process (one CLI command, one TUI run, one test) builds one ``Store``. Its connection
is opened and migrated on first use and then shared by every unit of work; a lock
serialises them, because the TUI runs some use cases in worker threads. A unit of work
is one transaction (``BEGIN IMMEDIATE`` for writes, so concurrent savers in other
processes queue instead of forking history) whose repositories hold all SQL::

    with store.unit_of_work() as uow:
        draft = uow.drafts.require(name)
        info = uow.versions.append(draft, ...)
        uow.dismissals.copy(draft.id, old, new)

A unit of work opened while the same thread already holds one joins it as a savepoint:
the inner block is all-or-nothing on its own, and everything commits with the outer
block. SQLite and OS errors leave a unit of work as one-line ``StoreError``s.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.errors import OKRError

if TYPE_CHECKING:
    import sqlite3

# sqlite3, the repositories and the migrations are imported on first use: building the
# App (every command does) must not cost `okr critique FILE` the store's imports.
DB_FILENAME = "okr.db"
# Seconds a writer waits for another process's write to finish before giving up.
BUSY_TIMEOUT_S = 10.0


def connect(path: Path, timeout: float, *, check_same_thread: bool = True) -> sqlite3.Connection:
    """``db.connect``: WAL, foreign keys, ``synchronous=FULL``, a busy timeout."""
    from assistant.store.db import connect as open_connection

    return open_connection(path, timeout, check_same_thread=check_same_thread)


class UnitOfWork:
    """One transaction on the store's connection, with a repository per kind of record."""

    def __init__(self, conn: sqlite3.Connection, *, write: bool) -> None:
        from assistant.store.llm_log import LogRepository
        from assistant.store.repositories import (
            CycleRepository,
            DismissalRepository,
            DraftRepository,
            ReviewRepository,
            VersionRepository,
        )

        self.conn = conn
        self.write = write
        self.drafts = DraftRepository(conn)
        self.versions = VersionRepository(conn)
        self.cycles = CycleRepository(conn)
        self.reviews = ReviewRepository(conn)
        self.dismissals = DismissalRepository(conn)
        self.logs = LogRepository(conn)


class Store:
    """``okr.db`` for this process. Nothing touches the disk until the first unit of work;
    reading never creates the database (see :meth:`exists`)."""

    def __init__(self, path: Path, *, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = BUSY_TIMEOUT_S if timeout is None else timeout
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self._depth = 0  # units of work open on the owning thread (nesting -> savepoints)
        self._write = False  # whether the outermost open unit of work writes

    @classmethod
    def in_home(cls, home: Path, *, timeout: float | None = None) -> Store:
        """The store of a data home (``home/okr.db``)."""
        return cls(home / DB_FILENAME, timeout=timeout)

    @property
    def home(self) -> Path:
        """The data home the database lives in (backups and caches sit beside it)."""
        return self.path.parent

    def exists(self) -> bool:
        """Whether there is a database yet: readers answer "nothing yet" without creating it."""
        return self._conn is not None or self.path.exists()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _connection(self) -> sqlite3.Connection:
        """The process's connection: opened, switched to WAL and migrated once."""
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            from assistant.store.migrations import migrate

            conn = connect(self.path, self.timeout, check_same_thread=False)
            try:
                migrate(conn)
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[UnitOfWork]:
        """One transaction: committed when the block ends normally, rolled back on any
        exception. Nested on the same thread, it joins the open one as a savepoint."""
        import sqlite3

        from assistant.store.db import StoreError, describe
        from assistant.store.migrations import SchemaTooNew

        with self._lock:
            try:
                if self._depth:
                    if write and not self._write:
                        raise RuntimeError("a write cannot join a read-only unit of work")
                    with self._savepoint() as conn:
                        yield UnitOfWork(conn, write=write)
                    return
                conn = self._connection()
                self._depth, self._write = 1, write
                try:
                    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                    try:
                        yield UnitOfWork(conn, write=write)
                    except BaseException:
                        if conn.in_transaction:
                            with suppress(sqlite3.Error):
                                conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
                finally:
                    self._depth, self._write = 0, False
            except OKRError:
                raise
            except SchemaTooNew as exc:
                raise StoreError(
                    f"{self.path}: the drafts database has schema version {exc.found}, newer "
                    f"than this okr-coach understands ({exc.known}); upgrade okr-coach"
                ) from None
            except (sqlite3.Error, OSError) as exc:
                raise StoreError(describe(exc, self.path, self.timeout)) from None

    @contextmanager
    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        import sqlite3

        conn = self._connection()
        name = f"uow_{self._depth}"
        self._depth += 1
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                with suppress(sqlite3.Error):  # the outer unit of work rolls back anyway
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
            raise
        else:
            conn.execute(f"RELEASE {name}")
        finally:
            self._depth -= 1
