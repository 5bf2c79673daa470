"""One unit of work: one connection and one write transaction for writes that belong
together, so a crash or an error between them can never leave half of them.

Saving a version and recording what goes with it (the dismissals carried forward to
it, the review change it accepted) commit together or not at all::

    with UnitOfWork(home) as uow:
        result = drafts.save(home, name, okr_set, message, uow=uow)
        reviews.record_acceptance(uow.conn, review_id, change, version_id, stamp)

Service functions that take ``uow=`` write through ``uow.conn`` and leave committing to
the ``with`` block; without one they open a unit of work of their own (``joined``).
Each such call is all-or-nothing inside the unit of work too (a savepoint).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from types import TracebackType

from assistant.store import db


class UnitOfWork:
    """``okr.db`` opened (and migrated) with one ``BEGIN IMMEDIATE`` transaction held
    for the ``with`` block: committed when the block ends normally, rolled back on any
    exception. SQLite and OS errors leave the block as one-line ``StoreError``s."""

    def __init__(self, home: Path | None = None, *, timeout: float | None = None) -> None:
        self.home = home
        self._timeout = timeout
        self._conn: sqlite3.Connection | None = None
        self._scope: AbstractContextManager[sqlite3.Connection] | None = None

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection holding the transaction (only inside the ``with`` block)."""
        if self._conn is None:
            raise RuntimeError("this unit of work is not open: use it in a `with` block")
        return self._conn

    def same_store(self, home: Path | None) -> bool:
        """Whether ``home``'s database is the one this unit of work writes."""
        return db.db_path(home) == db.db_path(self.home)

    def __enter__(self) -> UnitOfWork:
        if self._scope is not None:
            raise RuntimeError("this unit of work is already open")
        scope = self._open()
        self._conn = scope.__enter__()
        self._scope = scope
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        scope, self._scope, self._conn = self._scope, None, None
        assert scope is not None
        return scope.__exit__(kind, exc, tb)

    @contextmanager
    def _open(self) -> Iterator[sqlite3.Connection]:
        with db.open_db(self.home, timeout=self._timeout) as conn, db.transaction(conn):
            yield conn


@contextmanager
def joined(home: Path | None, uow: UnitOfWork | None) -> Iterator[UnitOfWork]:
    """The caller's unit of work when it passed one (its block commits everything),
    else a new one for this call alone."""
    if uow is not None:
        if not uow.same_store(home):
            raise ValueError("the unit of work belongs to another data home")
        # A savepoint keeps the call all-or-nothing even when the caller catches its
        # error and goes on with the rest of the unit of work.
        conn = uow.conn
        conn.execute("SAVEPOINT joined")
        try:
            yield uow
        except BaseException:
            if conn.in_transaction:
                with suppress(sqlite3.Error):  # the unit of work rolls back anyway
                    conn.execute("ROLLBACK TO joined")
                    conn.execute("RELEASE joined")
            raise
        conn.execute("RELEASE joined")
        return
    with UnitOfWork(home) as own:
        yield own
