"""SQL sources against real engines: a SQLite file, a DuckDB file and a PostgreSQL server,
all through SQLAlchemy."""

from __future__ import annotations

import sqlite3
import sys
import uuid
from pathlib import Path

import pytest

from assistant.sources import SourceContext, SourceError, parse_source, read_source

pytest.importorskip("sqlalchemy", reason="the [sql] extra is not installed")

LATENCY = [("2026-01-05", 900.0), ("2026-01-12", 720.5), ("2026-01-19", 610.0)]
LAST = "select p95_ms from latency order by day desc limit 1"


def read(url: str, query: str = LAST, folder: Path | None = None, **extra: object) -> float:
    spec = parse_source({"sql": url, "query": query, **extra})
    return read_source(spec, SourceContext(cwd=folder or Path.cwd(), env={})).value


def fails(url: str, query: str = LAST, folder: Path | None = None, env: dict | None = None,
          **extra: object) -> str:  # fmt: skip
    spec = parse_source({"sql": url, "query": query, **extra})
    with pytest.raises(SourceError) as caught:
        read_source(spec, SourceContext(cwd=folder or Path.cwd(), env=env or {}))
    assert caught.value.exit_code == 3
    return str(caught.value)


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture
def sqlite_folder(tmp_path: Path) -> Path:
    with sqlite3.connect(tmp_path / "metrics.db") as db:
        db.execute("create table latency (day text, p95_ms real, service text)")
        db.executemany("insert into latency values (?, ?, 'api')", LATENCY)
    return tmp_path


def test_sqlite_file_relative_to_the_current_directory(sqlite_folder: Path) -> None:
    assert read("sqlite:///metrics.db", folder=sqlite_folder) == 610.0
    spec = parse_source({"sql": "sqlite:///metrics.db", "query": "select avg(p95_ms) from latency"})
    reading = read_source(spec, SourceContext(cwd=sqlite_folder))
    assert reading.value == pytest.approx(743.5)
    assert reading.source == "sync:sql"
    assert reading.provenance == "sqlite:///metrics.db: select avg(p95_ms) from latency"


def test_sqlite_query_text_is_passed_as_written(sqlite_folder: Path) -> None:
    # ``%`` and ``:name`` are SQL here, not parameters.
    query = "select count(*) from latency where service like 'a%' and day > '2026-01-06 10:00'"
    assert read("sqlite:///metrics.db", query, sqlite_folder) == 2.0


def test_a_query_never_changes_the_database(sqlite_folder: Path) -> None:
    message = fails("sqlite:///metrics.db", "delete from latency", sqlite_folder)
    assert "returned no rows" in message
    with sqlite3.connect(sqlite_folder / "metrics.db") as db:
        assert db.execute("select count(*) from latency").fetchone() == (3,)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("select p95_ms from latency where day > '2027'", "returned no rows (empty result)"),
        ("select p95_ms from latency", "returned more than one row (add LIMIT 1 or an aggregate)"),
        ("select day, p95_ms from latency limit 1", "returned 2 columns; select one number"),
        ("select day from latency limit 1", "the query's value is not a number: '2026-01-05'"),
        ("select max(p95_ms) from latency where 0", "returned NULL (empty result)"),
        ("select p95 from latency", "sqlite:///metrics.db: no such column: p95"),
    ],
)
def test_sqlite_failures(sqlite_folder: Path, query: str, message: str) -> None:
    assert message in fails("sqlite:///metrics.db", query, sqlite_folder)


def test_a_missing_database_file_is_an_error_not_a_new_database(tmp_path: Path) -> None:
    message = fails("sqlite:///nowhere.db", "select 1", tmp_path)
    assert message == "sqlite:///nowhere.db: no such database file 'nowhere.db'"
    assert not (tmp_path / "nowhere.db").exists()


def test_a_slow_query_is_interrupted_at_the_timeout(tmp_path: Path) -> None:
    endless = (
        "with recursive r(i) as (select 1 union all select i + 1 from r) select count(*) from r"
    )
    assert "timed out after 0.3 s" in fails("sqlite://", endless, tmp_path, timeout=0.3)


def test_without_sqlalchemy_the_hint_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, sqlite_folder: Path
) -> None:
    monkeypatch.setitem(sys.modules, "sqlalchemy", None)  # as if the extra were not installed
    message = fails("sqlite:///metrics.db", folder=sqlite_folder)
    assert message == "sql sources need SQLAlchemy: pip install 'okr-coach[sql]'"


def test_an_unknown_driver_names_the_extra(tmp_path: Path) -> None:
    message = fails("nosuchdb://host/db", "select 1", tmp_path)
    assert "no driver for 'nosuchdb'" in message and "pip install 'okr-coach[sql]'" in message


# --- DuckDB ---------------------------------------------------------------------------------


def test_duckdb_file(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    with duckdb.connect(str(tmp_path / "metrics.duckdb")) as db:
        db.execute("create table latency (day date, p95_ms double)")
        db.executemany("insert into latency values (?, ?)", LATENCY)
    assert read("duckdb:///metrics.duckdb", folder=tmp_path) == 610.0
    assert read("duckdb:///metrics.duckdb", "select quantile_cont(p95_ms, 0.5) from latency",
                tmp_path) == 720.5  # fmt: skip
    assert "no such database file" in fails("duckdb:///other.duckdb", folder=tmp_path)


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def pg_table(pg_url: str) -> str:
    """A table of its own in the test server (the server may be shared with other runs)."""
    import psycopg

    table = f"latency_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f"create table {table} (day date, p95_ms numeric)")
        for day, value in LATENCY:
            db.execute(f"insert into {table} values (%s, %s)", (day, value))
    return table


def test_postgresql_server(pg_url: str, pg_table: str) -> None:
    assert read(pg_url, f"select p95_ms from {pg_table} order by day desc limit 1") == 610.0
    # numeric comes back as Decimal; ``like 'x%'`` is SQL, not a parameter
    query = f"select sum(p95_ms) from {pg_table} where to_char(day, 'YYYY') like '20%'"
    assert read(pg_url, query) == pytest.approx(2230.5)


def test_postgresql_url_placeholders_are_filled_and_hidden(pg_url: str, pg_table: str) -> None:
    host_and_db = pg_url.split("@", 1)[1]
    url = "postgresql://${PG_USER}@" + host_and_db
    spec = parse_source({"sql": url, "query": f"select count(*) from {pg_table}"})
    reading = read_source(spec, SourceContext(env={"PG_USER": "okr"}))
    assert reading.value == 3.0
    assert reading.provenance.startswith("postgresql://${PG_USER}@")
    base = pg_url.rsplit("/", 1)[0]
    message = fails(base + "/${METRICS_DB}", "select 1", env={"METRICS_DB": "secret_db_name_42"})
    assert "secret_db_name_42" not in message
    assert '"${METRICS_DB}" does not exist' in message


def test_postgresql_statement_is_cancelled_at_the_timeout(pg_url: str) -> None:
    message = fails(pg_url, "select 1 from pg_sleep(30)", timeout=0.5)
    assert message.endswith("the query timed out after 0.5 s")


def test_postgresql_errors_are_the_servers_first_line(pg_url: str) -> None:
    message = fails(pg_url, "select p95 from no_such_table_here")
    assert 'relation "no_such_table_here" does not exist' in message
    assert "\n" not in message and "[SQL:" not in message
