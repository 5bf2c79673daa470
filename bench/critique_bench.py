"""Benchmark the rules engine end to end and the CLI start-up. Prints figures; asserts nothing.

    python bench/critique_bench.py [--sets 1000] [--repeat 3]

Targets (issue 21, item 9): `okr critique` on 1,000 sets / 5,000 KRs (the file generated
here) in <= 1.0 s end to end, json and text; `--cross` on it <= 2 s; one small file
<= 0.15 s. Each key result is read once (``measure.reading``): the bench prints how many
readings the critique made for how many key results, and where the CPU goes in one
process (reading the YAML, the critique, the JSON). Wall times depend on the machine and
its load: the user+sys CPU of each run is printed next to them.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
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


def timed(argv: list[str], repeat: int) -> tuple[list[float], list[float]]:
    """Wall seconds and user+sys CPU seconds of each run."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=False, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def line(label: str, walls: list[float], cpus: list[float], target: float) -> str:
    median = statistics.median(walls)
    verdict = "ok" if median <= target else "over"
    return (
        f"{label:<34} median {median:5.2f} s (min {min(walls):.2f} s; "
        f"cpu {statistics.median(cpus):.2f} s; target <= {target} s: {verdict})"
    )


def in_process(team: Path) -> None:
    """Where the CPU goes in one process, and how often a key result is read."""
    sys.path.insert(0, str(ROOT))
    from assistant.io import read_path
    from assistant.measure import _extract
    from assistant.measure.reading import read_kr
    from assistant.render import to_json
    from assistant.rubric.critic import critique_sets

    clock = time.process_time
    start = clock()
    sets = read_path(str(team))
    read = clock()
    report = critique_sets(sets)
    critique = clock()
    to_json(report)
    rendered = clock()
    krs = sum(len(o.key_results) for s in sets for o in s.objectives)
    texts = len({kr.text for s in sets for o in s.objectives for kr in o.key_results})
    readings = read_kr.cache_info()
    print(
        f"in one process (cpu): read YAML {read - start:.2f} s, critique {critique - read:.2f} s, "
        f"JSON {rendered - critique:.2f} s"
    )
    print(
        f"readings: {readings.misses} for {krs:,} KRs ({texts:,} distinct texts; "
        f"{readings.hits:,} reused); measure.extract ran {_extract.cache_info().misses:,} times "
        f"(KR texts, objective titles and the rewrites scored)"
    )


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
            argv = [okr, "critique", str(team), "--format", fmt, "--engine", "rules"]
            print(line(f"okr critique --format {fmt}", *timed(argv, args.repeat), 1.0))
        argv = [okr, "critique", str(team), "--cross", "--format", "json", "--engine", "rules"]
        print(line("okr critique --cross --format json", *timed(argv, args.repeat), 2.0))
        small = ROOT / "examples" / "strong.yaml"
        argv = [okr, "critique", str(small), "--format", "json", "--engine", "rules"]
        print(line("okr critique examples/strong.yaml", *timed(argv, 5), 0.15))
        bare = timed([sys.executable, "-c", "pass"], 5)
        print(f"{'bare python':<34} median {statistics.median(bare[0]):5.3f} s")
        in_process(team)
    walls, _ = timed([okr, "--help"], 5)
    print(f"{'okr --help':<34} median {statistics.median(walls) * 1000:.0f} ms")
    probe = (
        "import sys, time; t=time.perf_counter(); import assistant.cli;"
        "print(f'{(time.perf_counter()-t)*1000:.0f} ms', "
        "[m for m in ('openai','textual') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True
    ).stdout.strip()
    print(f"{'import assistant.cli':<34} {out} (heavy modules loaded: should be [])")


if __name__ == "__main__":
    main()
