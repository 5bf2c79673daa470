"""Item 12 of issue 11: every file of the hostile corpus (escape sequences, markup,
template placeholders, alias bombs, deep nesting, huge numbers, bidi text) goes
through every reader, renderer, writer and ``okr critique``: each either refuses it in
one located line or handles it, and nothing raw reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.errors import InputError
from assistant.io import FORMATS, read_path, write_sets
from assistant.io.writers import WRITE_FORMATS
from assistant.render import render
from assistant.rubric.critic import critique_sets

from .test_terminal_safety import assert_terminal_safe

HERE = Path(__file__).parent
CORPUS = sorted(p for p in HERE.iterdir() if p.suffix in (".yaml", ".json", ".md", ".csv"))


def test_the_corpus_is_there() -> None:
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", [None, *FORMATS])
def test_every_reader_refuses_in_one_line_or_reads(path: Path, fmt: str | None) -> None:
    try:
        sets = read_path(str(path), fmt)
    except InputError as exc:
        message = str(exc)
        assert message.startswith(str(path)) and "\n" not in message
        assert_terminal_safe(message)
        return
    report = critique_sets(sets)
    for out in ("text", "markdown", "json"):
        for color in (False, True):
            assert_terminal_safe(render(report, out, color=color, width=100))
    for writer in WRITE_FORMATS:
        write_sets(sets, writer)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_okr_critique_on_every_corpus_file(path: Path) -> None:
    for args in ([], ["--format", "json"], ["--format", "markdown"]):
        result = CliRunner().invoke(main, ["critique", str(path), *args])
        assert result.exit_code in (0, 1, 2), result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), repr(result.exception)
        assert_terminal_safe(result.output)
        if result.exit_code == 2:
            assert len(result.output.strip().splitlines()) == 1, result.output


READABLE = [p for p in CORPUS if p.name in ("markup.yaml", "placeholders.yaml")]


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_drafts_commands_on_readable_corpus_files(path: Path) -> None:
    runner = CliRunner()
    saved = runner.invoke(main, ["save", str(path), "-m", "[bold]msg[/] {{findings}}"])
    assert saved.exit_code == 0, saved.output
    name = read_path(str(path))[0].name or path.stem
    for args in (
        ["drafts"],
        ["log", name],
        ["show", name],
        ["diff", name, "1"],
        ["export", name],
        ["doctor"],
        ["review", str(path), "--engine", "rules"],
    ):
        result = runner.invoke(main, args, env={"COLUMNS": "300"})
        assert result.exit_code == 0, (args, result.output)
        assert_terminal_safe(result.output)
    assert (
        "[bold]msg[/] {{findings}}"
        in runner.invoke(main, ["log", name], env={"COLUMNS": "300"}).output
    )
