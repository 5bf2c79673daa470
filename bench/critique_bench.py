"""Benchmark the rules engine end to end and the CLI start-up. Prints figures; asserts nothing.

    python bench/critique_bench.py [--sets 1000]

Targets (issue 3): `okr critique` on 1,000 sets / 5,000 KRs under 2 s end to end on a
2-core machine; `okr --help` starts fast (no openai/textual import on that path).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

METRICS = [
    "week-1 activation", "trial-to-paid conversion", "monthly churn", "NPS", "CSAT",
    "p95 API latency", "median time to first dashboard", "self-serve revenue", "qualified pipeline",
    "first-contact resolution", "weekly active teams", "deploy frequency", "change failure rate",
]  # fmt: skip
TEMPLATES = [
    "Raise {m} from {a}% to {b}% by 31 Mar 2026",
    "Cut {m} from {a} days to {c} days",
    "Reach {b}% {m} by Q3",
    "Launch the new {m} dashboard",
    "Significantly improve {m}",
    "Grow {m} to ${a}k and NPS to {c}",
    "Grow {m} from {a} to {a} by Q2",
]


def generate(sets: int, krs_per_set: int = 5, seed: int = 7) -> dict:
    rng = random.Random(seed)
    data = []
    for i in range(sets):
        objectives = []
        for o in range(2):
            count = krs_per_set // 2 + (o < krs_per_set % 2)
            krs = [
                rng.choice(TEMPLATES).format(
                    m=rng.choice(METRICS) + f" for segment {rng.randint(1, 400)}",
                    a=rng.randint(10, 60),
                    b=rng.randint(61, 95),
                    c=rng.randint(1, 9),
                )
                for _ in range(count)
            ]
            objectives.append(
                {"title": f"Make team {i} customers successful, part {o + 1}", "key_results": krs}
            )
        data.append({"name": f"Team {i}", "owner": f"Owner {i % 37}", "objectives": objectives})
    return {"cycle": "2026-Q1", "sets": data}


def timed(argv: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    okr = shutil.which("okr") or str(Path(sys.executable).with_name("okr"))
    with tempfile.TemporaryDirectory() as tmp:
        team = Path(tmp) / "team.yaml"
        team.write_text(yaml.safe_dump(generate(args.sets), sort_keys=False))
        krs = args.sets * 5
        print(f"team file: {args.sets} sets / {krs} KRs, {team.stat().st_size / 1e6:.2f} MB")
        for fmt in ("json", "text"):
            t = timed(
                [okr, "critique", str(team), "--format", fmt, "--engine", "rules"], args.repeat
            )
            print(
                f"okr critique --format {fmt:<5} median {statistics.median(t):.2f} s "
                f"(min {min(t):.2f} s; target < 2 s)"
            )
    t = timed([okr, "--help"], 5)
    print(f"okr --help              median {statistics.median(t) * 1000:.0f} ms")
    probe = (
        "import sys, time; t=time.perf_counter(); import assistant.cli;"
        "print(f'{(time.perf_counter()-t)*1000:.0f} ms', "
        "[m for m in ('openai','textual') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True
    ).stdout.strip()
    print(f"import assistant.cli    {out} (heavy modules loaded: should be [])")


if __name__ == "__main__":
    main()
