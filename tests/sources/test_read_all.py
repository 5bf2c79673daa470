"""Many sources at once: a bound on how many run together, and a failure stays its own."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.sources import SourceContext, parse_source, read_all, read_all_blocking

from .conftest import Server


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


async def test_no_more_than_limit_sources_run_at_once(http: Server) -> None:
    gate = threading.Event()

    def held(_handler: object) -> tuple[int, dict[str, str], bytes]:
        gate.wait(10)  # every request waits until the test has seen the peak
        return 200, {}, b"5"

    http.routes["/metric"] = held
    items = [(i, parse_source({"json": f"{http.base}/metric?i={i}"})) for i in range(12)]

    async def release_at_the_bound() -> None:
        await asyncio.to_thread(_wait_for, lambda: http.peak >= 3)
        gate.set()

    results, _ = await asyncio.gather(
        read_all(items, limit=3, context=SourceContext(env={})), release_at_the_bound()
    )
    assert [r.key for r in results] == list(range(12))  # input order
    assert all(r.ok and r.reading and r.reading.value == 5.0 for r in results)
    assert http.peak == 3  # the bound was reached, and never passed
    assert len(http.received) == 12


def test_a_failing_source_is_isolated(tmp_path: Path, http: Server) -> None:
    (tmp_path / "a.csv").write_text("v\n1\n2\n", encoding="utf-8")
    with sqlite3.connect(tmp_path / "m.db") as db:
        db.execute("create table t (v real)")
        db.execute("insert into t values (7)")
    http.json("/n", {"n": 3})
    specs = [
        {"csv": "a.csv", "column": "v", "pick": "sum"},
        {"csv": "missing.csv", "column": "v"},
        {"sql": "sqlite:///m.db", "query": "select v from t"},
        {"command": "echo 4"},  # commands are not allowed in this context
        {"json": f"{http.base}/n", "pointer": "/n"},
        {"json": f"{http.base}/n", "pointer": "/nope"},
    ]
    items = [(f"O1.KR{i}", parse_source(s)) for i, s in enumerate(specs, start=1)]
    results = read_all_blocking(items, limit=4, context=SourceContext(cwd=tmp_path, env={}))
    assert [r.reading.value if r.reading else None for r in results] == [
        3.0,
        None,
        7.0,
        None,
        3.0,
        None,
    ]
    errors = {r.key: str(r.error) for r in results if r.error}
    assert errors["O1.KR2"] == "missing.csv: no such file"
    assert "commands are not allowed" in errors["O1.KR4"]
    assert "no 'nope' in the object" in errors["O1.KR6"]
    assert all(r.error is None or r.error.kind == r.spec.kind for r in results)


def test_nothing_to_read() -> None:
    assert read_all_blocking([]) == []
    with pytest.raises(ValueError):
        read_all_blocking([("x", parse_source({"csv": "a", "column": "b"}))], limit=0)
