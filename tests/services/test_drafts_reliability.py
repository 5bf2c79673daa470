"""The drafts store under stress: concurrent writers, SIGKILL mid-save, damaged or
locked databases. Real processes, real SQLite files."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.model import KeyResult, Objective, OKRSet
from assistant.services import drafts
from assistant.store import store as store_module
from assistant.store.store import Store

ROOT = Path(__file__).resolve().parents[2]

# Child processes run this with: home worker count [go-file]
SAVER = textwrap.dedent(
    """
    import os, sys, time, pathlib
    from assistant.model import KeyResult, Objective, OKRSet
    from assistant.services import drafts
    from assistant.store.store import Store

    home, worker, count = pathlib.Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = Store.in_home(home)
    go = pathlib.Path(sys.argv[4]) if len(sys.argv) > 4 else None
    while go is not None and not go.exists():
        time.sleep(0.002)
    for i in range(count):
        okr_set = OKRSet(name="Shared", objectives=[Objective(
            title=f"Worker {worker} objective",
            key_results=[KeyResult(text=f"Raise signups from {i} to {i + 10} by Q4")],
        )])
        result = drafts.save(store, "Shared", okr_set, f"{worker}-{i}", author=worker)
        assert result.created
        print(f"saved {result.version.number}", flush=True)
    """
)

# Blocks inside the save transaction, just before COMMIT, after forcing SQLite to
# spill the uncommitted pages into the WAL file (a tiny page cache).
BLOCK_AT_COMMIT = textwrap.dedent(
    """
    import os, sys, time, pathlib
    import assistant.store.store as store_module
    from assistant.model import KeyResult, Objective, OKRSet, Scores
    from assistant.services import drafts

    home = pathlib.Path(sys.argv[1])
    original = store_module.connect

    def hooked(path, timeout=None, **options):
        conn = original(path, timeout, **options)
        conn.execute("PRAGMA cache_size = 2")
        def trace(sql):
            if sql.strip().upper() == "COMMIT":
                print("at-commit", flush=True)
                time.sleep(60)
        conn.set_trace_callback(trace)
        return conn

    store_module.connect = hooked
    big = OKRSet(name="Big", objectives=[Objective(
        title=f"Objective {o}",
        key_results=[KeyResult(text=f"Raise metric {o}.{k} from 1 to 2 " + "x" * 400)
                     for k in range(5)],
    ) for o in range(40)])
    drafts.save(store_module.Store.in_home(home), "Team", big, "never committed", author="killed",
                scores=Scores(clarity=1, measurability=1, ambition=1, overall=1))
    """
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _set(text: str) -> OKRSet:
    return OKRSet(
        name="Team",
        objectives=[Objective(title="Delight users", key_results=[KeyResult(text=text)])],
    )


def test_eight_processes_saving_at_once_lose_no_version(tmp_path: Path) -> None:
    home, go = tmp_path / "home", tmp_path / "go"  # a brand-new home: migrations race too
    workers, each = 8, 6
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", SAVER, str(home), f"w{w}", str(each), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for w in range(workers)
    ]
    time.sleep(0.8)  # let every interpreter start and wait at the barrier
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        numbers = [int(line.split()[1]) for line in out.splitlines()]
        assert numbers == sorted(numbers) and len(numbers) == each

    store = Store.in_home(home)
    history = drafts.history(store, "Shared")
    assert [v.number for v in history] == list(range(workers * each, 0, -1))
    assert {v.message for v in history} == {
        f"w{w}-{i}" for w in range(workers) for i in range(each)
    }
    report = drafts.doctor(store)
    assert report.ok, report.problems
    assert report.versions == workers * each
    store.close()


def test_sigkill_before_commit_leaves_no_trace_of_the_version(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path / "home")
    home = store.home
    drafts.save(store, "Team", _set("Raise signups from 1 to 2"), "v1", author="a")
    wal = Path(str(store.path) + "-wal")
    wal_before = wal.stat().st_size if wal.exists() else 0
    proc = subprocess.Popen(
        [sys.executable, "-c", BLOCK_AT_COMMIT, str(home)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "at-commit", proc.stderr.read() if proc.stderr else ""
    # The uncommitted version's pages already reached the WAL file on disk.
    assert wal.stat().st_size > wal_before
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)

    report = drafts.doctor(store)
    assert report.ok, report.problems
    assert report.versions == 1
    assert [v.message for v in drafts.history(store, "Team")] == ["v1"]
    after = drafts.save(store, "Team", _set("Raise signups from 1 to 3"), "v2", author="a")
    assert after.version.number == 2 and drafts.doctor(store).ok
    store.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_keeps_versions_whole(tmp_path: Path) -> None:
    store = Store.in_home(tmp_path / "home")
    home = store.home
    drafts.save(store, "Shared", _set("Raise signups from 1 to 2"), "seed", author="a")
    rng = random.Random(1234)
    acknowledged = 1
    for round_ in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(home), f"r{round_}", "1000"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_env(),
        )
        assert proc.stdout is not None
        first = proc.stdout.readline()  # saving is under way
        assert first.startswith("saved"), first
        time.sleep(rng.uniform(0.0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
        acknowledged += 1 + len(rest.splitlines())

        report = drafts.doctor(store)
        assert report.ok, report.problems
        # Every save that reported success is there; at most the one in flight too.
        assert report.versions in (acknowledged, acknowledged + 1)
        acknowledged = report.versions
        for version in drafts.history(store, "Shared", 3):
            assert drafts.get_version(store, "Shared", version.number).okr_set.objectives
    store.close()


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line_error(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_garbage_database_gives_a_one_line_error(
    okr_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Store.in_home(okr_home).path.write_bytes(random.Random(7).randbytes(16384))
    for args in (("drafts",), ("log", "Team"), ("save", "x.yaml", "-m", "m")):
        if args[0] == "save":
            Path("x.yaml").write_text("name: Team\nobjectives: []\n")
        code, _, err = _invoke(*args)
        assert code == 2
        line = _one_line_error(err)
        assert "okr.db: the drafts database is damaged" in line
        assert "okr import" in line
    code, out, err = _invoke("doctor")
    assert code == 1 and "Traceback" not in out + err
    assert "damaged" in out


def test_database_damaged_inside_is_caught_by_doctor(okr_home: Path) -> None:
    store = Store.in_home(okr_home)
    for i in range(30):
        drafts.save(store, f"Draft {i}", _set(f"Raise signups from {i} to {i + 5}"), "v1")
    store.close()
    path = store.path
    data = bytearray(path.read_bytes())
    assert len(data) > 8 * 4096
    data[4096 * 2 : 4096 * 5] = random.Random(3).randbytes(4096 * 3)  # past the header
    path.write_bytes(bytes(data))

    code, out, err = _invoke("doctor")
    assert code == 1
    assert "problem" in out and "Traceback" not in out + err
    code, _, err = _invoke("drafts")
    if code != 0:
        assert code == 2 and "damaged" in _one_line_error(err)


def test_locked_database_gives_a_one_line_error(
    okr_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = Store.in_home(okr_home)
    drafts.save(store, "Team", _set("Raise signups from 1 to 2"), "v1", author="a")
    store.close()
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.2)
    Path("team.yaml").write_text("name: Team\nobjectives: []\n")
    holder = sqlite3.connect(store.path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process is writing
        code, _, err = _invoke("save", "team.yaml", "-m", "blocked")
        assert code == 2
        assert "locked by another process (waited 0.2s)" in _one_line_error(err)
        code, out, _ = _invoke("log", "Team")  # readers are not blocked (WAL)
        assert code == 0 and "v1" in out
        holder.execute("ROLLBACK")
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # a tool holding the whole file
        code, _, err = _invoke("drafts")
        assert code == 2 and "locked" in _one_line_error(err)
    finally:
        holder.close()
    code, _, _ = _invoke("save", "team.yaml", "-m", "after")
    assert code == 0
