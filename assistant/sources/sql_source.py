"""A KR's number from one SQL query, through any SQLAlchemy URL (SQLite, PostgreSQL,
DuckDB, …). SQLAlchemy and the drivers are the optional ``[sql]`` extra.

The query runs in a transaction that is rolled back, on a connection of its own (no
pool), and is interrupted at the timeout. A SQLite or DuckDB file that does not exist
is an error, not a new empty database; DuckDB files open read-only.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from assistant.domain.source_spec import SourceSpec, SqlSource
from assistant.sources.expand import Expansion
from assistant.sources.reading import (
    SQL_HINT,
    SourceContext,
    SourceError,
    SourceReading,
    as_number,
)

_FILE_DIALECTS = ("sqlite", "duckdb")


def read_sql(spec: SourceSpec, context: SourceContext) -> SourceReading:
    assert isinstance(spec, SqlSource)
    try:
        import sqlalchemy
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool
    except ImportError:
        raise SourceError("sql", f"sql sources need SQLAlchemy: {SQL_HINT}") from None
    expand = Expansion("sql", context.env)
    shown = _masked(spec.location)
    try:
        url = make_url(expand(spec.location, "sql URL"))
    except sqlalchemy.exc.ArgumentError:
        raise SourceError("sql", f"{shown}: not a SQLAlchemy URL") from None
    timeout = context.timeout_for(spec)
    url, connect_args = _prepared(url, context, shown, timeout)
    try:
        engine = sqlalchemy.create_engine(url, poolclass=NullPool, connect_args=connect_args)
    except (ImportError, sqlalchemy.exc.NoSuchModuleError) as exc:
        raise SourceError(
            "sql", f"{shown}: no driver for '{url.drivername}' ({_first_line(exc)}); {SQL_HINT}"
        ) from None
    timer: threading.Timer | None = None
    timed_out = threading.Event()
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            timer = threading.Timer(timeout, _interrupt, (raw, timed_out))
            timer.daemon = True
            timer.start()
            result = conn.exec_driver_sql(_as_written(spec.query, engine.dialect.paramstyle))
            if not result.returns_rows:
                raise SourceError("sql", f"{shown}: the query returned no rows (not a SELECT?)")
            rows = result.fetchmany(2)
            columns = len(result.keys())
            conn.rollback()
    except SourceError:
        raise
    except sqlalchemy.exc.SQLAlchemyError as exc:
        if timed_out.is_set():
            raise SourceError("sql", f"{shown}: the query timed out after {timeout:g} s") from None
        raise expand.error(f"{shown}: {_first_line(exc)}") from None
    finally:
        if timer is not None:
            timer.cancel()
        engine.dispose()
    if not rows:
        raise SourceError("sql", f"{shown}: the query returned no rows (empty result)")
    if len(rows) > 1:
        raise SourceError(
            "sql", f"{shown}: the query returned more than one row (add LIMIT 1 or an aggregate)"
        )
    if columns != 1:
        raise SourceError(
            "sql", f"{shown}: the query returned {columns} columns; select one number"
        )
    value = rows[0][0]
    if value is None:
        raise SourceError("sql", f"{shown}: the query returned NULL (empty result)")
    number = as_number(value, "sql", f"{shown}: the query's value")
    return SourceReading("sql", number, f"{shown}: {_short(spec.query)}", spec.unit)


def _prepared(
    url: Any, context: SourceContext, shown: str, timeout: float
) -> tuple[Any, dict[str, Any]]:
    """The URL with a file database resolved from ``cwd`` (and required to exist), the
    default PostgreSQL driver made psycopg 3, and each driver's own timeouts."""
    backend = url.get_backend_name()
    connect_args: dict[str, Any] = {}
    database = url.database
    on_file = backend in _FILE_DIALECTS and bool(database) and database != ":memory:"
    if on_file and not database.startswith("file:"):
        path = context.path(database)
        if not path.is_file():
            raise SourceError("sql", f"{shown}: no such database file '{database}'")
        url = url.set(database=str(path))
    if backend == "sqlite":
        connect_args["timeout"] = timeout  # waiting for a writer's lock
    elif backend == "duckdb" and on_file:
        connect_args["read_only"] = True  # many readers of one file, and nothing written
    elif backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        connect_args["connect_timeout"] = max(1, round(timeout))
    return url, connect_args


def _as_written(query: str, paramstyle: str) -> str:
    """The query as the driver must get it to run it as written: with no parameters, a
    ``format``/``pyformat`` driver (psycopg) still reads ``%`` as a placeholder."""
    return query.replace("%", "%%") if paramstyle in ("format", "pyformat") else query


def _interrupt(raw: Any, timed_out: threading.Event) -> None:
    """Stop a running query from the timer's thread: ``interrupt()`` (SQLite, DuckDB) or
    ``cancel()`` (psycopg)."""
    timed_out.set()
    for name in ("interrupt", "cancel"):
        stop = getattr(raw, name, None)
        if callable(stop):
            with contextlib.suppress(Exception):  # the query may have just finished
                stop()
            return


def _masked(url: str) -> str:
    """The URL as written, with a password written into it (not a ``${VAR}``) hidden."""
    head, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    auth, _, host = rest.partition("@")
    user, colon, password = auth.partition(":")
    if colon and not password.startswith("${"):
        auth = f"{user}:***"
    return f"{head}://{auth}@{host}"


def _first_line(exc: BaseException) -> str:
    """The driver's own message (``no such table: latency``), not SQLAlchemy's framing."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).splitlines() if line.strip()]
    return lines[0] if lines else type(orig).__name__


def _short(query: str, limit: int = 80) -> str:
    text = " ".join(query.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
