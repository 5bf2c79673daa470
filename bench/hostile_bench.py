"""Hostile-input targets of issue 11, each in a fresh process. Prints figures and
whether each meets its target; asserts nothing.

    python bench/hostile_bench.py

Targets: a billion-laughs YAML is refused in < 0.5 s and < 100 MB RSS; a YAML file
with tens of thousands of aliases is refused; a 1M-character KR is critiqued in < 1 s;
``measure`` on a KR of 500k numbers takes < 2 s.

Measures are read from the first ``measure.SCAN_LIMIT`` characters of a text (the checks
of a longer KR or objective say so in their message). The last line times the scan
itself on 20k numbers with no limit: it must grow linearly with the text (it used to
copy the text before every number, quadratic).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = r"""
import json, resource, sys, time
kind = sys.argv[1]
start = time.perf_counter()
outcome = "ok"
if kind in ("billion_laughs", "many_aliases"):
    from assistant.errors import InputError
    from assistant.io import read_path
    start = time.perf_counter()  # the refusal, not the imports
    try:
        read_path(f"tests/hostile/{kind}.yaml")
        outcome = "accepted (!)"
    except InputError as exc:
        outcome = "refused: " + str(exc).split(": ", 1)[1][:60]
elif kind == "huge_kr":
    from assistant.model import KeyResult, Objective, OKRSet
    from assistant.rubric.critic import critique_set
    text = ("Raise weekly active teams from 120 to 180 by June " * 20000)[:1_000_000]
    okr = OKRSet(name="Big", objectives=[Objective(title="Grow", key_results=[KeyResult(text=text)])])
    start = time.perf_counter()
    critique_set(okr)
elif kind == "measure":
    from assistant.measure import extract
    text = " ".join(str(i % 997) for i in range(500_000))
    start = time.perf_counter()
    extract(text)
elif kind == "measure_unlimited":
    from assistant.measure import _extract
    text = " ".join(str(i % 997) for i in range(20_000))
    start = time.perf_counter()
    _extract.__wrapped__(text)  # no scan limit, no cache
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
try:  # this process's own peak (ru_maxrss can include the parent's before exec)
    rss = int([l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM")][0]) / 1024
except (OSError, IndexError, ValueError):
    pass
print(json.dumps({"seconds": seconds, "rss_mb": rss, "outcome": outcome}))
"""

CASES = [
    ("billion_laughs", "billion-laughs YAML refused", 0.5, 100.0),
    ("many_aliases", "20,000 aliases refused", 0.5, 100.0),
    ("huge_kr", "1M-character KR critiqued", 1.0, None),
    ("measure", "measure on 500k numbers", 2.0, None),
    ("measure_unlimited", "scan of 20k numbers, no limit", 2.0, None),
]


def main() -> None:
    print(f"{'case':32} {'seconds':>8} {'RSS MB':>8}  target        result")
    for kind, label, max_s, max_mb in CASES:
        try:
            run = subprocess.run(
                [sys.executable, "-c", PROBE, kind],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
            )
            data = json.loads(run.stdout.strip().splitlines()[-1])
        except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError):
            print(f"{label:32} {'>120':>8} {'?':>8}  < {max_s} s       FAIL (timeout or crash)")
            continue
        target = f"< {max_s} s" + (f", < {max_mb:.0f} MB" if max_mb else "")
        ok = data["seconds"] < max_s and (max_mb is None or data["rss_mb"] < max_mb)
        ok = ok and "(!)" not in data["outcome"]
        note = "" if data["outcome"] == "ok" else f"  ({data['outcome']})"
        print(
            f"{label:32} {data['seconds']:8.3f} {data['rss_mb']:8.0f}  {target:13} "
            f"{'ok' if ok else 'MISS'}{note}"
        )


if __name__ == "__main__":
    main()
