"""Benchmark the rules engine end to end and the CLI start-up. Prints figures; asserts nothing.

    python bench/critique_bench.py [--sets 1000] [--repeat 3]

Targets (issue 21, item 9): `okr critique` on 1,000 sets / 5,000 KRs (the file generated
here) in <= 1.0 s end to end, json and text; `--cross` on it <= 2 s; one small file
<= 0.15 s. Each key result is read once (``measure.reading``): the bench prints how many
readings the critique made for how many key results, and where the CPU goes in one
process (reading the YAML, the critique, the renderers, the team checks).

Wall times depend on the machine and its load (2 shared cores): the user+sys CPU of each
run, its forked workers included, is printed next to them. The commands run as an
installed package does, with its bytecode cached (``PYTHONPYCACHEPREFIX`` in a temporary
folder, warmed by a first run), against an empty data home.
"""

from __future__ import annotations

import argparse
import os
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


def timed(
    argv: list[str], repeat: int, env: dict[str, str] | None = None
) -> tuple[list[float], list[float]]:
    """Wall seconds and user+sys CPU seconds (forked workers included) of each run."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def line(label: str, walls: list[float], cpus: list[float], target: float) -> str:
    median = statistics.median(walls)
    verdict = "ok" if median <= target else "over"
    return (
        f"{label:<36} median {median:5.2f} s (min {min(walls):.2f} s; "
        f"cpu {statistics.median(cpus):.2f} s; target <= {target} s: {verdict})"
    )


def in_process(team: Path) -> None:
    """Where the CPU goes in one process, and how often a key result is read."""
    sys.path.insert(0, str(ROOT))
    from assistant import forking
    from assistant.io import read_path
    from assistant.measure import _extract
    from assistant.measure.reading import read_kr
    from assistant.render import render
    from assistant.rubric.critic import critique_sets
    from assistant.services import critique as pool
    from assistant.services.cross_checks import apply_cross

    clock = time.process_time
    start = clock()
    sets = read_path(str(team))
    read = clock()
    report = critique_sets(sets)
    critique = clock()
    render(report, "json")
    as_json = clock()
    render(report, "text", color=False)
    as_text = clock()
    apply_cross(sets, report)
    cross = clock()
    print(
        f"in one process (cpu): read YAML {read - start:.2f} s, critique {critique - read:.2f} s, "
        f"JSON {as_json - critique:.2f} s, text {as_text - as_json:.2f} s, "
        f"--cross checks {cross - as_text:.2f} s"
    )
    krs = sum(len(o.key_results) for s in sets for o in s.objectives)
    texts = len({kr.text for s in sets for o in s.objectives for kr in o.key_results})
    readings = read_kr.cache_info()
    print(
        f"readings: {readings.misses} for {krs:,} KRs ({texts:,} distinct texts; "
        f"{readings.hits:,} reused); measure.extract ran {_extract.cache_info().misses:,} times "
        f"(KR texts, objective titles and the rewrites scored)"
    )
    read_kr.cache_clear()
    _extract.cache_clear()
    before, wall = os.times(), time.perf_counter()
    forked = pool.critique_sets(sets)
    after, wall = os.times(), time.perf_counter() - wall
    own = after.user + after.system - before.user - before.system
    workers = (
        after.children_user + after.children_system
        - before.children_user - before.children_system
    )  # fmt: skip
    print(
        f"the critique with forked workers ({min(forking.cores(), 4)} processes, "
        f"may fork: {forking.may_fork()}): wall {wall:.2f} s, cpu {own:.2f} s here + "
        f"{workers:.2f} s in workers; same report: {forked == report}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    okr = shutil.which("okr") or str(Path(sys.executable).with_name("okr"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "OKR_HOME": str(Path(tmp) / "home")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        team = Path(tmp) / "team.yaml"
        team.write_text(yaml.safe_dump(generate(args.sets), sort_keys=False))
        krs = args.sets * 5
        print(f"team file: {args.sets} sets / {krs} KRs, {team.stat().st_size / 1e6:.2f} MB")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        small = ROOT / "examples" / "strong.yaml"
        rules = ["--engine", "rules"]
        timed([okr, "critique", str(small), *rules], 1, env)  # the bytecode cache, warm
        for fmt in ("json", "text"):
            argv = [okr, "critique", str(team), "--format", fmt, *rules]
            print(line(f"okr critique --format {fmt}", *timed(argv, args.repeat, env), 1.0))
        for fmt in ("json", "text"):
            argv = [okr, "critique", str(team), "--cross", "--format", fmt, *rules]
            print(line(f"okr critique --cross --format {fmt}", *timed(argv, args.repeat, env), 2.0))
        for fmt in ("json", "text"):
            argv = [okr, "critique", str(small), "--format", fmt, *rules]
            print(line(f"okr critique strong.yaml ({fmt})", *timed(argv, 7, env), 0.15))
        bare = timed([sys.executable, "-c", "pass"], 7, env)
        print(f"{'bare python':<36} median {statistics.median(bare[0]):5.3f} s")
        walls, _ = timed([okr, "--help"], 5, env)
        print(f"{'okr --help':<36} median {statistics.median(walls) * 1000:.0f} ms")
        probe = (
            "import sys, time; t=time.perf_counter(); import assistant.cli;"
            "print(f'{(time.perf_counter()-t)*1000:.0f} ms', "
            "[m for m in ('openai','textual') if m in sys.modules])"
        )
        out = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env
        ).stdout.strip()
        print(f"{'import assistant.cli':<36} {out} (heavy modules loaded: should be [])")
        in_process(team)


if __name__ == "__main__":
    main()
