"""Start-up cost of the fast paths: bare Python, ``okr --help`` and a rules critique of
one file, each as a fresh process. Prints figures; asserts nothing.

    python bench/startup_bench.py [--runs 7]

Targets: ``okr --help`` and ``okr critique examples/weak.yaml`` stay within 0.2 s of bare
Python and import no openai, textual, httpx or rich on that path (issue 10); one small
file in <= 0.15 s end to end (issue 21, item 9). The commands run as an installed
package does, with its bytecode cached (``PYTHONPYCACHEPREFIX`` in a temporary folder,
warmed first); wall and user+sys CPU are printed (the machine is shared). The second
table lists what each path imports, the third where a critique's import time goes
(``python -X importtime``, the least of the runs per module), so a regression shows
which module it is.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openai", "textual", "httpx", "rich", "multiprocessing", "concurrent.futures")

# Runs the real console entry point in-process, then reports what it imported.
PROBE = """
import sys
from assistant.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    import json
    names = sorted(sys.modules)
    def third_party(top):
        return "site-packages" in str(getattr(sys.modules.get(top), "__file__", "") or "")
    tops = sorted({n.split(".")[0] for n in names if third_party(n.split(".")[0])})
    print(json.dumps({"modules": len(names), "tops": tops, "names": names}), file=sys.stderr)
"""


def timed(args: list[str], runs: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and user+sys CPU seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def imported(args: list[str], env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


def import_times(args: list[str], runs: int, env: dict[str, str]) -> list[tuple[str, int, int]]:
    """``(module, self µs, cumulative µs)`` of ``python -X importtime``, least per module."""
    best: dict[str, tuple[int, int]] = {}
    for _ in range(runs):
        err = subprocess.run(
            [sys.executable, "-X", "importtime", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stderr
        for line in err.splitlines():
            if not line.startswith("import time:") or "self [us]" in line:
                continue
            own, total, name = line.removeprefix("import time:").split("|")
            name = name.strip()
            seen = best.get(name, (10**9, 10**9))
            best[name] = (min(seen[0], int(own)), min(seen[1], int(total)))
    return [(name, own, total) for name, (own, total) in best.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="okr-startup-") as tmp:
        env = {**os.environ, "OKR_HOME": str(Path(tmp) / "home")}
        env.pop("OPENAI_API_KEY", None)  # "auto" must mean the rules engine here
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed package has its .pyc files
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        okr = [sys.executable, "-c", "from assistant.cli import main; main()"]
        critique = ["critique", "examples/weak.yaml", "--engine", "rules"]
        paths = {
            "bare python": [sys.executable, "-c", "pass"],
            "okr --help": [*okr, "--help"],
            "okr critique weak.yaml": [*okr, *critique],
            "okr critique strong.yaml (json)": [
                *okr,
                "critique",
                "examples/strong.yaml",
                "--format",
                "json",
                "--engine",
                "rules",
            ],  # fmt: skip
        }
        timed(paths["okr critique weak.yaml"], 1, env)  # warm the page cache and .pyc files
        print(
            f"median of {args.runs} runs, fresh process each "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        bare = statistics.median(timed(paths["bare python"], args.runs, env)[0])
        for name, cmd in paths.items():
            walls, cpus = timed(cmd, args.runs, env)
            wall = statistics.median(walls)
            over = "" if name == "bare python" else f"   +{(wall - bare) * 1000:5.0f} ms over bare"
            print(
                f"  {name:32s} {wall * 1000:6.0f} ms (cpu {statistics.median(cpus) * 1000:4.0f} ms)"
                f"{over}"
            )
        print("\nmodules imported (sys.modules after the command)")
        for name, cli_args in (("okr --help", ["--help"]), ("okr critique weak.yaml", critique)):
            info = imported(cli_args, env)
            heavy = [h for h in HEAVY if h in info["names"]]
            ours = sum(
                1 for n in info["names"] if n.split(".")[0] in ("assistant", "prompts", "tui")
            )
            print(
                f"  {name:24s} {info['modules']:4d} modules ({ours} of okr-coach); "
                f"heavy: {heavy or 'none'}\n{'':28s}third-party: {', '.join(info['tops'])}"
            )
        rows = import_times(["-c", "from assistant.cli import main; main()", *critique], 5, env)
        total = sum(own for _, own, _ in rows) / 1000
        print(f"\nokr critique weak.yaml: {total:.0f} ms importing; the costliest modules (ms)")
        print(f"  {'self':>6} {'with imports':>12}  module")
        for name, own, whole in sorted(rows, key=lambda r: -r[1])[:15]:
            print(f"  {own / 1000:6.1f} {whole / 1000:12.1f}  {name}")


if __name__ == "__main__":
    main()
