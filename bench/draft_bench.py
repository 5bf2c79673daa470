"""Benchmark the offline drafting interview. Prints figures; asserts nothing.

    python bench/draft_bench.py [--answers DIR] [--cli]

Targets (issue 16): the offline interview from an answer file runs end to end in
under 0.3 s (read the file, ask and check every question, compose the KRs, rules
critique, YAML out), and the drafts it produces score ≥ 90 overall when the answers
give a metric, baseline, target and deadline. The first file is timed cold (the
rubric and its regexes load on first use), the rest warm; ``--cli`` also times one
``okr draft --answers`` subprocess, Python start-up and imports included.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 0.3
TARGET_SCORE = 90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=Path, default=ROOT / "bench" / "data" / "answers")
    parser.add_argument("--cli", action="store_true", help="also time one CLI subprocess")
    args = parser.parse_args()
    files = sorted(args.answers.glob("*.yaml"))
    if not files:
        sys.exit(f"no answers files in {args.answers}")

    started = time.perf_counter()
    from assistant.io import write_sets
    from assistant.io.answers import read_answers
    from assistant.services.drafting import interview

    imports = time.perf_counter() - started
    print(f"imports: {imports * 1000:.0f} ms (once per process)")
    print(f"{'answers file':<28} {'time':>9} {'overall':>8} {'KRs':>4} {'open':>5}")
    times, scores = [], []
    for path in files:
        start = time.perf_counter()
        outcome = interview(read_answers(str(path)))
        write_sets([outcome.okr_set], "yaml")
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        overall = outcome.critique.scores.overall
        scores.append(overall)
        krs = sum(len(o.key_results) for o in outcome.okr_set.objectives)
        print(
            f"{path.name:<28} {elapsed * 1000:>7.1f}ms {overall:>8} {krs:>4} "
            f"{len(outcome.open_questions):>5}"
        )
    cold, warm = times[0], times[1:] or times
    print(
        f"\nend to end: cold {cold * 1000:.0f} ms (first file, incl. rubric load), "
        f"warm median {statistics.median(warm) * 1000:.1f} ms; "
        f"cold + imports {(cold + imports) * 1000:.0f} ms "
        f"(target < {TARGET_SECONDS * 1000:.0f} ms: "
        f"{'met' if cold + imports < TARGET_SECONDS else 'NOT met'})"
    )
    print(
        f"scores: min {min(scores)}, mean {statistics.mean(scores):.1f} over {len(scores)} "
        f"drafts (target ≥ {TARGET_SCORE}: {'met' if min(scores) >= TARGET_SCORE else 'NOT met'})"
    )
    if args.cli:
        okr = shutil.which("okr", path=str(Path(sys.executable).parent)) or "okr"
        with tempfile.TemporaryDirectory() as home:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                subprocess.run(
                    [okr, "draft", "--answers", str(files[0])],
                    check=True,
                    capture_output=True,
                    env={"OKR_HOME": home, "PATH": "/usr/bin:/bin"},
                )
                runs.append(time.perf_counter() - start)
        print(
            f"CLI subprocess (okr draft --answers): median {statistics.median(runs) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
