"""Benchmark of the LLM batch critique against the local fake endpoint (no network).

    .venv/bin/python bench/llm_bench.py [--sets 200] [--concurrency 16] [--delay 0.5]

Runs, each in a fresh data home unless said otherwise:
  1. clean      every request answered after --delay seconds;
  2. rerun      the clean file again in the same data home (cache: expect 0 requests);
  3. flaky      10% of requests fail with a transient 500 (SDK retries them; a set
                fails only when all 3 of its tries do, and is then reported);
  4. down       40 sets at concurrency 8 against a server failing every request: the
                circuit breaker stops the run within seconds, the rest not attempted;
  5. scale      4× the sets, to show that peak memory stays flat.
The fake server runs in a child process, so the client's peak RSS is its own.
Targets: clean wall time within 1.15× of ceil(sets / concurrency) × delay (the first
request probes the response mode alone, then every worker is busy from the first
success on); down under 5 s with at most 2 × 8 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.io import read_text  # noqa: E402
from assistant.llm.cache import LLMCache  # noqa: E402
from assistant.services.engines import LLMCritic  # noqa: E402

TARGET = 1.15


def _serve(conn, delay: float, fail_rate: float) -> None:
    from tests.llm.fake_server import FakeOpenAI

    server = FakeOpenAI(delay=delay, fail_rate=fail_rate, seed=7).start()
    conn.send(server.base_url)
    conn.recv()  # block until told to stop
    server.stop()


class Server:
    def __init__(self, delay: float, fail_rate: float = 0.0) -> None:
        parent, child = mp.Pipe()
        self._conn = parent
        self._proc = mp.get_context("fork").Process(
            target=_serve, args=(child, delay, fail_rate), daemon=True
        )
        self._proc.start()
        self.base_url = parent.recv()

    def stats(self) -> dict:
        url = self.base_url.removesuffix("/v1") + "/_stats"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self._conn.send("stop")
        self._proc.join(timeout=5)


def team(n: int) -> str:
    parts = ["sets:"]
    for i in range(n):
        parts.append(
            f"""  - name: Team {i}
    cycle: 2026-Q1
    objectives:
      - title: Make onboarding effortless for segment {i}
        key_results:
          - Raise week-1 activation from 32% to {40 + i % 50}% by 31 Mar 2026
          - Launch the new onboarding flow for region {i}
          - Improve NPS significantly
      - title: Become the team other teams copy
        key_results:
          - Cut median time-to-first-dashboard from {3 + i % 5} days to 1 day
          - Hold weekly demos"""
        )
    return "\n".join(parts) + "\n"


def cpu_seconds() -> float:
    """This process's CPU time (the server runs in a child: not counted)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run(label: str, sets_yaml: str, home: Path, server: Server, concurrency: int) -> dict:
    sets = read_text(sets_yaml, "team.yaml", "yaml")
    settings = Settings()
    settings.llm.base_url = server.base_url
    before = server.stats()["chat_requests"]
    critic = LLMCritic(settings, LLMCache(home), style="balanced", concurrency=concurrency)
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    report = asyncio.run(critic.critique(sets))  # the CLI's edge
    wall = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_before
    stats = server.stats()
    done = sum(1 for s in report.sets if not s.error)
    row = {
        "run": label,
        "sets": len(sets),
        "done": done,
        "reported": len(report.errors),
        "not_attempted": sum(1 for c in report.sets if (c.error or "").startswith("not attempted")),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "requests": stats["chat_requests"] - before,
        "max_requests_per_item": stats["max_per_item"],
        "max_in_flight": stats["max_in_flight"],
        "cache_hits": report.usage.cache_hits if report.usage else 0,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(
        f"{label:<7} {row['sets']:>4} sets  done {done:>4}  not attempted "
        f"{row['not_attempted']:>3}  reported {row['reported']:>2}  "
        f"wall {wall:6.2f}s (client CPU {cpu:5.2f}s)  requests {row['requests']:>4} (max {row['max_requests_per_item']}"
        f"/item, {row['max_in_flight']} in flight)  cache hits {row['cache_hits']:>4}  "
        f"peak RSS {row['peak_rss_mb']} MB",
        flush=True,
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--no-scale", action="store_true", help="skip the 4× memory run")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-dummy")
    ideal = math.ceil(args.sets / args.concurrency) * args.delay
    print(
        f"{args.sets} sets, concurrency {args.concurrency}, {args.delay}s per answer: "
        f"ideal {ideal:.2f}s, target ≤ {TARGET * ideal:.2f}s"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        clean_home = Path(tmp) / "clean"
        server = Server(args.delay)
        try:
            rows.append(run("clean", team(args.sets), clean_home, server, args.concurrency))
            rows.append(run("rerun", team(args.sets), clean_home, server, args.concurrency))
        finally:
            server.stop()
        flaky = Server(args.delay, fail_rate=0.10)
        try:
            rows.append(run("flaky", team(args.sets), Path(tmp) / "flaky", flaky, args.concurrency))
        finally:
            flaky.stop()
        down = Server(0.0, fail_rate=1.0)
        try:
            rows.append(run("down", team(40), Path(tmp) / "down", down, 8))
        finally:
            down.stop()
        if not args.no_scale:
            server = Server(args.delay)
            try:
                rows.append(
                    run("scale", team(4 * args.sets), Path(tmp) / "scale", server, args.concurrency)
                )
            finally:
                server.stop()
    clean, rerun, flaky_row, down_row = rows[0], rows[1], rows[2], rows[3]
    ok = (
        clean["wall_s"] <= TARGET * ideal
        and clean["done"] == args.sets
        and rerun["requests"] == 0
        # an item fails only when all 3 of its tries do (p = 0.001): reported, not lost
        and flaky_row["done"] + flaky_row["reported"] == args.sets
        and flaky_row["done"] >= 0.99 * args.sets
        and down_row["wall_s"] < 5
        and down_row["requests"] <= 16
    )
    print(
        f"clean wall {clean['wall_s']}s = {clean['wall_s'] / ideal:.2f}× ideal "
        f"(max {clean['max_in_flight']} in flight); "
        f"flaky: {flaky_row['done']}/{args.sets} done; rerun: {rerun['requests']} requests; "
        f"down: {down_row['wall_s']}s, {down_row['requests']} requests, "
        f"{down_row['not_attempted']} not attempted" + ("" if ok else "  — TARGET MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
