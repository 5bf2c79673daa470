"""Benchmark reading the sources of 200 KRs of mixed kinds, as ``okr sync`` does.
Prints figures; asserts nothing.

    python bench/sync_bench.py [--krs 200] [--limit 8] [--latency-ms 50]

Target (issue 24): 200 sourced KRs finish in seconds, read concurrently with a bound.
The sources are real: CSV files, a SQLite and (with the [sql] extra) a DuckDB file
through SQLAlchemy, a Python script run as a command, and a JSON API on 127.0.0.1 that
answers after ``--latency-ms`` (a remote metrics API is not instant). A few sources are
broken on purpose: they must fail alone. Each run is timed with ``limit=1`` (one at a
time) and with ``--limit``, through ``assistant.sources.read_all``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.domain.source_spec import SourceSpec  # noqa: E402
from assistant.sources import SourceContext, SourceResult, parse_source, read_all  # noqa: E402

BROKEN_EVERY = 40  # one source in 40 points at something that is not there


def serve(latency: float) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            time.sleep(latency)  # the remote API's own time to answer
            n = int(self.path.rsplit("/", 1)[1]) if self.path[-1].isdigit() else 0
            body = json.dumps({"data": {"nps": 30 + n % 15}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def fixtures(folder: Path, krs: int) -> None:
    days = [f"2026-01-{d:02d}" for d in range(1, 29)]
    for team in range(10):
        rows = ["day,region,activation"]
        rows += [
            f"{day},{r},{30 + i % 20 + team}" for i, day in enumerate(days) for r in ("EU", "US")
        ]
        (folder / f"team{team}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with sqlite3.connect(folder / "metrics.db") as db:
        db.execute("create table latency (team int, day text, p95_ms real)")
        db.executemany(
            "insert into latency values (?, ?, ?)",
            [(t, day, 900 - 10 * i - t) for t in range(krs) for i, day in enumerate(days)],
        )
    try:
        import duckdb

        with duckdb.connect(str(folder / "metrics.duckdb")) as con:
            con.execute(
                "create table signups as select range as team, range * 3 as n from range(1000)"
            )
    except ImportError:
        pass
    (folder / "tickets.py").write_text(
        "import sys\nprint(12 - int(sys.argv[1]) % 5)\n", encoding="utf-8"
    )


def specs(krs: int, base: str, folder: Path) -> list[tuple[str, SourceSpec]]:
    has_duckdb = (folder / "metrics.duckdb").exists()
    out: list[tuple[str, SourceSpec]] = []
    for i in range(krs):
        kind = i % 5
        raw: dict[str, object]
        if kind == 0:
            raw = {"csv": f"team{i % 10}.csv", "column": "activation", "where": {"region": "EU"}}
        elif kind == 1:
            raw = {"sql": "sqlite:///metrics.db", "query":
                   f"select p95_ms from latency where team = {i} order by day desc limit 1"}  # fmt: skip
        elif kind == 2 and has_duckdb:
            raw = {
                "sql": "duckdb:///metrics.duckdb",
                "query": f"select n from signups where team = {i}",
            }
        elif kind == 3:
            raw = {"command": [sys.executable, "tickets.py", str(i)]}
        else:
            raw = {"json": f"{base}/api/nps/{i}", "pointer": "/data/nps"}
        if i % BROKEN_EVERY == BROKEN_EVERY - 1:
            raw = {"csv": f"missing-{i}.csv", "column": "activation"}
        out.append((f"kr-{i:03d}", parse_source(raw)))
    return out


async def timed(
    items: list[tuple[str, SourceSpec]], limit: int, context: SourceContext
) -> tuple[float, list[SourceResult[str]]]:
    start = time.perf_counter()
    results = await read_all(items, limit=limit, context=context)
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--krs", type=int, default=200)
    parser.add_argument("--limit", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    httpd, base = serve(args.latency_ms / 1000)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fixtures(folder, args.krs)
        items = specs(args.krs, base, folder)
        context = SourceContext(cwd=folder, allow_commands=True, timeout=30)
        kinds = Counter(spec.kind for _key, spec in items)
        print(
            f"{len(items)} sourced KRs: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        )
        print(f"json API latency {args.latency_ms:g} ms; {sys.executable}")
        for limit in (1, args.limit):
            seconds, results = asyncio.run(timed(items, limit, context))
            ok = [r for r in results if r.ok]
            failed = [r for r in results if not r.ok]
            print(
                f"limit={limit:<3} {seconds:6.2f} s  {len(items) / seconds:7.1f} sources/s  "
                f"{len(ok)} read, {len(failed)} failed alone"
            )
        for r in failed[:2]:
            print(f"  e.g. {r.key}: {r.error}")
        per_kind: dict[str, list[float]] = {}
        for key, spec in items:  # one at a time, to show what each kind costs
            start = time.perf_counter()
            asyncio.run(read_all([(key, spec)], limit=1, context=context))
            per_kind.setdefault(spec.kind, []).append(time.perf_counter() - start)
            if sum(len(v) for v in per_kind.values()) >= 50:
                break
        for kind, times in sorted(per_kind.items()):
            print(f"  {kind:<8} median {statistics.median(times) * 1000:6.1f} ms per source")
    httpd.shutdown()


if __name__ == "__main__":
    main()
