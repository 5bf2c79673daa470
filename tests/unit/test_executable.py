"""The ``okr`` executable ends its process quickly (``os._exit``): everything written is
still flushed, every exit status is the one ``cli.main`` decided, exit handlers run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def okr(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = code or "from assistant.cli.executable import main; main()"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_a_long_report_is_written_whole_and_the_status_kept() -> None:
    team = ROOT / "examples" / "team.yaml"
    done = okr("critique", str(team), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # all of it flushed before the process ended
    assert len(report["sets"]) > 1
    assert done.stderr == ""


def test_bad_input_is_still_one_line_and_exit_2(tmp_path: Path) -> None:
    done = okr("critique", str(tmp_path / "missing.yaml"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{tmp_path / 'missing.yaml'}: no such file"]


def test_exit_handlers_run_and_a_message_status_is_exit_1() -> None:
    script = (
        "import atexit, sys; atexit.register(lambda: print('handler ran'));"
        "from assistant.cli.executable import leave; leave('stopped: why')"
    )
    done = okr(code=script)
    assert done.returncode == 1
    assert done.stdout == "handler ran\n"
    assert done.stderr == "stopped: why\n"


def test_with_another_thread_running_it_exits_the_usual_way() -> None:
    script = (
        "import threading, time; threading.Thread(target=time.sleep, args=(0.2,)).start();"
        "from assistant.cli.executable import leave; print('out', end=''); leave(3)"
    )
    done = okr(code=script)
    assert (done.returncode, done.stdout) == (3, "out")
