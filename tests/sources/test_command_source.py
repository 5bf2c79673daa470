"""Command sources run real programs: only when allowed, without a shell, with a timeout."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from assistant.sources import SourceContext, SourceError, parse_source, read_source

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell scripts")


def script(folder: Path, name: str, body: str) -> Path:
    path = folder / "scripts" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o755)
    return path


def allowed(folder: Path, **env: str) -> SourceContext:
    return SourceContext(cwd=folder, env={"PATH": os.environ["PATH"], **env}, allow_commands=True)


def test_the_last_line_of_the_output_is_the_number(tmp_path: Path) -> None:
    script(
        tmp_path, "tickets.sh", 'echo "counting tickets..." >&2\necho "fetched 3 pages"\necho 9.5\n'
    )
    reading = read_source(parse_source({"command": "./scripts/tickets.sh"}), allowed(tmp_path))
    assert reading.value == 9.5
    assert (reading.source, reading.provenance) == ("sync:command", "./scripts/tickets.sh")


def test_commands_are_off_unless_allowed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script(tmp_path, "touch.sh", f"touch {marker}\necho 1\n")
    spec = parse_source({"command": "./scripts/touch.sh"})
    with pytest.raises(SourceError) as caught:
        read_source(spec, SourceContext(cwd=tmp_path))
    assert "commands are not allowed; set sources.allow_commands = true" in str(caught.value)
    assert not marker.exists()


def test_no_shell_words_are_passed_as_written(tmp_path: Path) -> None:
    script(tmp_path, "args.sh", 'printf "%s|" "$@" >&2; echo "$#"\n')
    marker = tmp_path / "pwned"
    command = f"./scripts/args.sh 'two words' $HOME; touch {marker} `id`"
    reading = read_source(parse_source({"command": command}), allowed(tmp_path))
    assert reading.value == 5.0  # 'two words', '$HOME;', 'touch', the path, '`id`'
    assert "|two words|$HOME;|touch|" in "|" + _stderr_of(tmp_path, command)
    assert not marker.exists()


def _stderr_of(folder: Path, command: str) -> str:
    """What the script received, one ``|`` after each argument (run by the source again,
    failing on purpose so its stderr lands in the error line)."""
    script(folder, "args.sh", 'printf "%s|" "$@" >&2; exit 1\n')
    with pytest.raises(SourceError) as caught:
        read_source(parse_source({"command": command}), allowed(folder))
    return str(caught.value).rpartition("exited with status 1: ")[2]


def test_placeholders_are_filled_per_word_and_hidden_in_errors(tmp_path: Path) -> None:
    script(tmp_path, "check.sh", 'if [ "$1" = "s3cret value" ]; then echo 4; exit 0; fi\n'
                                 'echo "token $1 refused" >&2; exit 3\n')  # fmt: skip
    spec = parse_source({"command": "./scripts/check.sh ${TOKEN}"})
    assert read_source(spec, allowed(tmp_path, TOKEN="s3cret value")).value == 4.0
    with pytest.raises(SourceError) as caught:
        read_source(spec, allowed(tmp_path, TOKEN="wrong-s3cret"))
    message = str(caught.value)
    assert message == "./scripts/check.sh ${TOKEN}: exited with status 3: token ${TOKEN} refused"


def test_a_list_command_and_a_unit(tmp_path: Path) -> None:
    (tmp_path / "p95.py").write_text("print('  812  ')\n", encoding="utf-8")
    spec = parse_source({"command": [sys.executable, "p95.py"], "unit": "ms"})
    reading = read_source(spec, allowed(tmp_path))
    assert (reading.value, reading.as_text()) == (812.0, "812 ms")


def test_the_timeout_ends_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script(tmp_path, "hang.sh", f"sleep 60 &\necho $! > {pid_file}\nwait\n")
    spec = parse_source({"command": "./scripts/hang.sh", "timeout": 0.5})
    with pytest.raises(SourceError, match=r"hang.sh: timed out after 0.5 s"):
        read_source(spec, allowed(tmp_path))
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling for the kill to land, not waiting for time to pass
    assert not _alive(child)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")  # a zombie is gone


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("echo n/a\n", "./scripts/x.sh: its output is not a number: 'n/a'"),
        ("true\n", "./scripts/x.sh: printed nothing (empty result)"),
        ("echo oops >&2\nexit 2\n", "./scripts/x.sh: exited with status 2: oops"),
        ("printf 'nan\\n'\n", "its output is not a number: 'nan'"),
        ("printf '\\033[31m12\\n'\n", "its output is not a number: '?[31m12'"),
    ],
)
def test_failures(tmp_path: Path, body: str, message: str) -> None:
    script(tmp_path, "x.sh", body)
    with pytest.raises(SourceError) as caught:
        read_source(parse_source({"command": "./scripts/x.sh"}), allowed(tmp_path))
    assert message in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_a_missing_program(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no such program './scripts/none.sh'"):
        read_source(parse_source({"command": "./scripts/none.sh"}), allowed(tmp_path))
