"""Benchmark of the simulated peer review: prints figures, asserts nothing.

    .venv/bin/python bench/review_bench.py [--delay 1.0] [--personas 5] [--rounds 2] [--runs 3]

Starts the local fake OpenAI-compatible server (tests/llm/fake_server.py, 127.0.0.1,
no network) answering every request after ``--delay`` seconds, runs an LLM review of
examples/weak.yaml and reports the requests the server received, per round, and the
wall time. Target (issue 7): 5 personas × 2 rounds cost at most 11 requests
(5 + 5 + 1 facilitator) and take about 3 s against a 1 s endpoint, because each
round sends its personas at once. Also times the offline (rules engine) review.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "services")]

from llm.fake_server import FakeOpenAI  # noqa: E402
from review_fakes import review_answer  # noqa: E402

from assistant.config import Settings  # noqa: E402
from assistant.io import read_path  # noqa: E402
from assistant.services.personas import builtin_personas  # noqa: E402
from assistant.services.review import run_review  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the endpoint takes")
    parser.add_argument("--personas", type=int, default=5)
    parser.add_argument("--rounds", type=int, choices=(1, 2), default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    os.environ.setdefault("OPENAI_API_KEY", "sk-bench-not-a-real-key")
    okr_set = read_path(str(ROOT / "examples" / "weak.yaml"))[0]
    names = [e.persona.name for e in builtin_personas()][: args.personas]
    import openai  # noqa: F401 - import once up front so the SDK's import time is not measured

    print(
        f"LLM review: {len(names)} personas, {args.rounds} round(s), endpoint delay {args.delay:g} s"
    )
    times: list[float] = []
    for run in range(1, args.runs + 1):
        with FakeOpenAI(answer=review_answer, delay=args.delay) as fake:
            settings = Settings()
            settings.llm.base_url = fake.base_url
            settings.llm.timeout = args.delay + 30
            started = time.perf_counter()
            review = asyncio.run(
                run_review(
                    okr_set, personas=names, rounds=args.rounds, engine="llm", settings=settings
                )
            )
            elapsed = time.perf_counter() - started
            requests = fake.chat_requests()
        times.append(elapsed)
        kinds = [
            next(m["content"] for m in r.body["messages"] if m["role"] == "user").split("\n")[0]
            for r in requests
        ]
        per_round = {k: kinds.count(k) for k in dict.fromkeys(kinds)}
        starts = [r.at for r in requests]
        spread = max(starts[: len(names)]) - min(starts[: len(names)])
        print(
            f"  run {run}: {len(requests)} requests at the server ({review.requests} counted by "
            f"the client) {per_round}; round-1 sends spread over {spread * 1000:.0f} ms; "
            f"wall {elapsed:.2f} s; seats ok {sum(s.status == 'ok' for s in review.seats)}/"
            f"{len(review.seats)}; {len(review.synthesis.top_changes)} top changes"
        )
    expected = len(names) * args.rounds + 1
    print(
        f"  => {expected} requests expected; wall median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s (lower bound {(args.rounds + 1) * args.delay:.1f} s = "
        f"{args.rounds + 1} sequential round trips)"
    )

    with FakeOpenAI(answer=review_answer, delay=args.delay) as fake:
        env = {**os.environ, "OPENAI_BASE_URL": fake.base_url, "OKR_HOME": tempfile.mkdtemp()}
        okr = Path(sys.executable).with_name("okr")
        command = [
            str(okr if okr.exists() else shutil.which("okr") or "okr"),
            "review",
            str(ROOT / "examples" / "weak.yaml"),
            "--engine",
            "llm",
        ]
        command += ["--personas", ",".join(names), "--rounds", str(args.rounds), "-f", "json"]
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
        print(
            f"  whole `okr review --engine llm` process (Python start-up and SDK import "
            f"included): {elapsed:.2f} s, exit {done.returncode}, "
            f"{len(fake.chat_requests())} requests"
        )

    offline: list[float] = []
    for _ in range(20):
        started = time.perf_counter()
        asyncio.run(run_review(okr_set, personas=names, rounds=args.rounds, engine="rules"))
        offline.append(time.perf_counter() - started)
    print(
        f"Offline review (rules engine), same set: median {statistics.median(offline) * 1000:.1f} ms "
        f"over {len(offline)} runs, 0 requests"
    )


if __name__ == "__main__":
    main()
