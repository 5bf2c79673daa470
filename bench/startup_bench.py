"""Start-up cost of the fast paths: bare Python, ``okr --help`` and a rules critique of
one file, each as a fresh process. Prints figures; asserts nothing.

    python bench/startup_bench.py [--runs 7]

Target (issue 10): ``okr --help`` and ``okr critique examples/weak.yaml`` stay within
0.2 s of bare Python and import no openai, textual, httpx or rich on that path. The
second table lists what each path imports, so a regression shows which module it is.
"""

from __future__ import annotations

import argparse
import json
import os
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


def timed(args: list[str], runs: int, env: dict[str, str]) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            args, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        out.append(time.perf_counter() - start)
    return out


def imported(args: list[str], env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="okr-startup-")
    env = {**os.environ, "OKR_HOME": home}
    env.pop("OPENAI_API_KEY", None)  # "auto" must mean the rules engine here
    okr = [sys.executable, "-c", "from assistant.cli import main; main()"]
    paths = {
        "bare python": [sys.executable, "-c", "pass"],
        "okr --help": [*okr, "--help"],
        "okr critique weak.yaml": [*okr, "critique", "examples/weak.yaml"],
    }
    timed(paths["okr critique weak.yaml"], 1, env)  # warm the page cache and .pyc files
    medians = {name: statistics.median(timed(cmd, args.runs, env)) for name, cmd in paths.items()}
    bare = medians["bare python"]
    print(f"median of {args.runs} runs, fresh process each")
    for name, value in medians.items():
        over = "" if name == "bare python" else f"   +{(value - bare) * 1000:5.0f} ms over bare"
        print(f"  {name:24s} {value * 1000:6.0f} ms{over}")
    print("\nmodules imported (sys.modules after the command)")
    for name, cli_args in (
        ("okr --help", ["--help"]),
        ("okr critique weak.yaml", ["critique", "examples/weak.yaml"]),
    ):
        info = imported(cli_args, env)
        heavy = [h for h in HEAVY if h in info["names"]]
        ours = sum(1 for n in info["names"] if n.split(".")[0] in ("assistant", "prompts", "tui"))
        print(
            f"  {name:24s} {info['modules']:4d} modules ({ours} of okr-coach); "
            f"heavy: {heavy or 'none'}\n{'':28s}third-party: {', '.join(info['tops'])}"
        )


if __name__ == "__main__":
    main()
