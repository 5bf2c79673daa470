"""Item 6 of issue 11: a file the user names that cannot be written is one line and
exit 2, and nothing is left half-written (the old file stays, no temp file remains)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.errors import InputError
from assistant.paths import write_output

ROOT = Path(__file__).resolve().parents[2]
WEAK = str(ROOT / "examples" / "weak.yaml")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line_exit_2(result: Result, path: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"{path}: cannot write the file (")
    assert "Traceback" not in result.output


def commands(target: str) -> list[tuple[str, ...]]:
    return [
        ("critique", WEAK, "-o", target),
        ("critique", WEAK, "-o", target, "--format", "json"),
        ("review", WEAK, "--engine", "rules", "-o", target),
        ("init", target),
    ]


def test_parent_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("afile").write_text("x")
    for args in commands("afile/out.txt"):
        one_line_exit_2(run(*args), "afile/out.txt")
    result = run("examples", "--save", "afile/examples")
    assert result.exit_code == 2
    assert "afile/examples/" in result.output.strip().splitlines()[-1]
    assert "cannot write the file (a parent of this path is not a directory)" in result.output
    assert Path("afile").read_text() == "x"


@pytest.mark.parametrize(
    "failure",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        PermissionError(errno.EACCES, "Permission denied"),
    ],
)
def test_disk_full_or_no_permission_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("out.md").write_text("old report\n")

    def fail(fd: int) -> None:
        raise failure

    monkeypatch.setattr("assistant.paths.os.fsync", fail)
    for args in commands("out.md")[:3]:
        one_line_exit_2(run(*args), "out.md")
        assert Path("out.md").read_text() == "old report\n"
        assert sorted(os.listdir(".")) == ["out.md"]  # no temp file left behind
    result = run("config", "set", "engine", "rules")
    assert result.exit_code == 2, result.output
    assert "cannot write the file (" in result.output
    assert failure.strerror in result.output
    assert not list((tmp_path).glob("**/.config.toml.*"))


def test_config_set_on_a_home_that_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "home").write_text("not a directory")
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    result = run("config", "set", "engine", "rules")
    assert result.exit_code == 2, result.output
    assert "cannot write the file (a parent of this path is not a directory)" in result.output
    assert "Traceback" not in result.output


def test_write_output_raises_one_input_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError) as caught:
        write_output(tmp_path / "f" / "deep" / "out.txt", "text")
    assert caught.value.path.endswith("f/deep/out.txt")
    assert written_ok(tmp_path / "ok.txt")


def written_ok(path: Path) -> bool:
    write_output(path, "fine\n")
    return path.read_text() == "fine\n"
