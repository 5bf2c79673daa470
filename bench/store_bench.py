"""Benchmark of the drafts store: prints figures, asserts nothing.

    .venv/bin/python bench/store_bench.py [--versions 10000] [--drafts 1000]
    .venv/bin/python bench/store_bench.py --sync-only [--saves 200] [--dir PATH]

Builds a throw-away data home with one draft of N versions and M drafts of 3
versions each (through the store's own append path, so hashes chain as usual),
then times what a user waits for: the service call, the command run in-process,
and the whole ``okr`` process (Python start-up included). Target: ``okr log`` on
the long draft and ``okr drafts`` over all drafts each under 200 ms.

It also measures what ``synchronous = FULL`` (``store.db.connect``: a save the user saw
acknowledged survives a power cut) costs against ``NORMAL`` (WAL's default, which may
lose the last commits): the same saves, in a fresh database on the file system of
``--dir`` (a temporary directory by default; tmpfs makes every fsync free, so point
it at the disk the data home lives on).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from assistant.cli import main  # noqa: E402
from assistant.model import KeyResult, Objective, OKRSet  # noqa: E402
from assistant.services import drafts  # noqa: E402
from assistant.services.critique import critique_set  # noqa: E402
from assistant.store import repo  # noqa: E402
from assistant.store.store import Store  # noqa: E402

LONG = "Platform team"


def variant(i: int) -> OKRSet:
    """A realistic set (3 objectives, 9 KRs) that differs a little at every version."""
    return OKRSet(
        name=LONG,
        cycle="2026-Q1",
        objectives=[
            Objective(
                title=f"Make onboarding effortless for segment {o + 1}",
                key_results=[
                    KeyResult(text=f"Raise week-1 activation from 32% to {40 + (i + k) % 30}%"),
                    KeyResult(text=f"Cut time-to-first-dashboard from 3 days to {1 + k} day"),
                    KeyResult(text=f"Grow weekly sign-ups from 100 to {120 + i % 50 + o}"),
                ],
            )
            for o, k in ((0, 0), (1, 1), (2, 2))
        ],
    )


def populate(store: Store, versions: int, draft_count: int) -> None:
    sets = [variant(i) for i in range(50)]
    scores = [critique_set(s).scores for s in sets]
    texts = [repo.canonical_json(s.content()) for s in sets]
    with store.unit_of_work() as uow:
        draft = uow.drafts.create(LONG, repo.timestamp())
        for i in range(versions):
            uow.versions.append(
                draft,
                texts[i % 50],
                message=f"Revision {i + 1}",
                author="bench",
                source="manual" if i % 3 else "accept:rules",
                scores=scores[i % 50],
                created_at=repo.timestamp(),
                expected_head=i,
            )
        for d in range(draft_count):
            other = uow.drafts.create(f"Team {d:04d}", repo.timestamp())
            for i in range(3):
                uow.versions.append(
                    other,
                    texts[(d + i) % 50],
                    message=f"Draft {d} revision {i + 1}",
                    author="bench",
                    source="manual",
                    scores=scores[(d + i) % 50],
                    created_at=repo.timestamp(),
                    expected_head=i,
                )


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and max wall time in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def cli(*args: str) -> Callable[[], object]:
    def run() -> None:
        result = CliRunner().invoke(main, list(args))
        if result.exit_code != 0:
            raise SystemExit(f"okr {' '.join(args)} failed: {result.output}")

    return run


def process(*args: str, pycache: Path | None = None) -> Callable[[], object]:
    """A whole ``okr`` run. With ``pycache``, bytecode is cached there (as in a normal
    install); without it, respects the caller's PYTHONDONTWRITEBYTECODE."""
    command = [str(Path(sys.executable).with_name("okr")), *args]
    env = os.environ.copy()
    if pycache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)

    def run() -> None:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)

    return run


def sync_cost(saves: int, where: str | None) -> list[tuple[str, tuple[float, float]]]:
    """Median and max ms of one save (scores computed beforehand, so the store's own
    work: hashing, the insert, the chain head, the commit) under FULL and NORMAL, the
    modes taking turns so that disk noise falls on both."""
    sets = [variant(i) for i in range(saves)]
    scores = [critique_set(s).scores for s in sets]
    samples: dict[str, list[float]] = {"FULL": [], "NORMAL": []}
    with tempfile.TemporaryDirectory(prefix="okr-sync-", dir=where) as tmp:
        stores = {}
        for mode in samples:
            store = Store.in_home(Path(tmp) / mode.lower())
            with store.unit_of_work() as uow:  # opens and migrates
                uow.conn.execute("SELECT 1")
            assert store._conn is not None
            store._conn.execute(f"PRAGMA synchronous = {mode}")
            stores[mode] = store
        for i, (okr_set, set_scores) in enumerate(zip(sets, scores, strict=True)):
            for mode in ("FULL", "NORMAL") if i % 2 else ("NORMAL", "FULL"):
                start = time.perf_counter()
                drafts.save(stores[mode], LONG, okr_set, f"save {i}", author="b", scores=set_scores)
                samples[mode].append((time.perf_counter() - start) * 1000)
        for store in stores.values():
            store.close()
    return [
        (f"save, synchronous={mode:6}         ", (statistics.median(ms), max(ms)))
        for mode, ms in samples.items()
    ]


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--drafts", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--saves", type=int, default=200, help="saves per synchronous mode")
    parser.add_argument("--dir", help="where the FULL/NORMAL databases go (its file system)")
    parser.add_argument("--sync-only", action="store_true", help="only FULL vs NORMAL")
    args = parser.parse_args()

    sync_rows = sync_cost(args.saves, args.dir)
    if args.sync_only:
        print(f"{'what':34} {'median ms':>10} {'max ms':>8}")
        for label, (median, worst) in sync_rows:
            print(f"{label:34} {median:10.1f} {worst:8.1f}")
        return

    with tempfile.TemporaryDirectory(prefix="okr-bench-") as tmp:
        home = Path(tmp)
        os.environ["OKR_HOME"] = str(home)
        start = time.perf_counter()
        store = Store.in_home(home)
        populate(store, args.versions, args.drafts)
        build = time.perf_counter() - start
        size = (home / "okr.db").stat().st_size / 1e6
        print(
            f"built {args.versions:,} versions of '{LONG}' + {args.drafts:,} drafts x 3 versions "
            f"in {build:.1f}s ({size:.1f} MB)"
        )
        rows: list[tuple[str, tuple[float, float]]] = [
            (
                "service  history(limit=20)     ",
                timed(lambda: drafts.history(store, LONG, 21), args.runs),
            ),
            (
                "service  list_drafts()          ",
                timed(lambda: drafts.list_drafts(store), args.runs),
            ),
            (
                "service  get_version(head)      ",
                timed(lambda: drafts.get_version(store, LONG), args.runs),
            ),
            ("cli      okr log NAME           ", timed(cli("log", LONG), args.runs)),
            ("cli      okr log NAME --json    ", timed(cli("log", LONG, "--json"), args.runs)),
            ("cli      okr drafts             ", timed(cli("drafts"), args.runs)),
            ("cli      okr drafts --json      ", timed(cli("drafts", "--json"), args.runs)),
            ("cli      okr show NAME@5000     ", timed(cli("show", f"{LONG}@5000"), args.runs)),
            (
                "cli      okr diff NAME 1 10000  ",
                timed(cli("diff", LONG, "1", str(args.versions)), args.runs),
            ),
        ]
        cache = home / "pycache"
        process("--version", pycache=cache)()  # warm the bytecode cache
        no_cache = " (no .pyc)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ""
        rows += [
            (
                "process  okr --version (startup)",
                timed(process("--version", pycache=cache), args.runs),
            ),
            (
                "process  okr log NAME           ",
                timed(process("log", LONG, pycache=cache), args.runs),
            ),
            (
                "process  okr drafts             ",
                timed(process("drafts", pycache=cache), args.runs),
            ),
            (f"process  okr --version{no_cache:10}", timed(process("--version"), args.runs)),
            (f"process  okr log NAME{no_cache:11}", timed(process("log", LONG), args.runs)),
            (f"process  okr drafts{no_cache:13}", timed(process("drafts"), args.runs)),
        ]
        counter = iter(range(10_000, 20_000))
        rows.append(
            (
                "service  save (new version)     ",
                timed(
                    lambda: drafts.save(store, LONG, variant(next(counter)), "bench", author="b"),
                    args.runs,
                ),
            )
        )
        rows.append(("service  doctor (whole db)      ", timed(lambda: drafts.doctor(store), 1)))
        rows += sync_rows
        rows.append(("cli      okr log NAME --all     ", timed(cli("log", LONG, "--all"), 1)))
        print(f"{'what':34} {'median ms':>10} {'max ms':>8}")
        for label, (median, worst) in rows:
            print(f"{label:34} {median:10.1f} {worst:8.1f}")


if __name__ == "__main__":
    main_bench()
