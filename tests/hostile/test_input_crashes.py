"""Item 5 of issue 22: the inputs that gave tracebacks (exit 1, the ``--fail-under`` code)
now give one located line and exit 2 in every command that reads them: a number over
4,300 digits, a lone surrogate, YAML tags that crash PyYAML's constructor, unknown and
Python tags, deep nesting, duplicate keys (controls in them shown as escapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main

from .test_terminal_safety import assert_terminal_safe

BIG = "9" * 5000
DEEP = "[" * 100 + "]" * 100
# (value written where a number belongs, the message, the format)
VALUES = [
    (BIG, "a number of 5,000 digits (at most 1,000)", "yaml"),
    (BIG, "a number of 5,000 digits (at most 1,000)", "json"),
    ('"\\ud800"', "a lone surrogate U+D800 in target (not a character)", "json"),
    ('"\\ud800"', "invalid YAML: found invalid Unicode character escape code", "yaml"),
    ('!!timestamp "x"', "'x' is not a date (!!timestamp)", "yaml"),
    ('!!bool "maybe"', "'maybe' is not true or false (!!bool)", "yaml"),
    ('!!int "-"', "'-' is not a whole number (!!int)", "yaml"),
    ("!!float lots", "'lots' is not a number (!!float)", "yaml"),
    ("2026-02-30", "'2026-02-30' is not a date (day is out of range for month)", "yaml"),
    (
        "!!python/object/apply:os.system ['true']",
        "the tag '!!python/object/apply:os.system' is not supported here: remove it",
        "yaml",
    ),
    ("!custom 5", "the tag '!custom' is not supported here: remove it", "yaml"),
    ("!!binary AAAA", "the tag '!!binary' is not supported here: remove it", "yaml"),
    (DEEP, "nested too deeply (more than 64 levels)", "yaml"),
    (DEEP, "nested too deeply (more than 64 levels)", "json"),
]
OKR_FILE = {
    "yaml": "objectives:\n  - title: Grow\n    key_results:\n      - text: Raise NPS\n"
    "        target: {value}\n",
    "json": '{{"objectives": [{{"title": "Grow", "key_results": [\n'
    '  {{"text": "Raise NPS",\n\n\n   "target": {value}}}]}}]}}\n',
}
ANSWERS_FILE = (
    "objective: Grow\nkey_results:\n  - metric: NPS\n    baseline: 30\n    target: {value}\n"
)


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def assert_one_located_line(result: Result, where: str, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert result.stderr == f"{where}: {message}\n"
    assert_terminal_safe(result.stderr)


@pytest.mark.parametrize(("value", "message", "fmt"), VALUES, ids=lambda v: str(v)[:20])
def test_every_command_reading_an_okr_file_says_one_located_line(
    tmp_path: Path, value: str, message: str, fmt: str
) -> None:
    path = tmp_path / f"team.{fmt}"
    path.write_text(OKR_FILE[fmt].format(value=value), encoding="utf-8")
    where = f"{path}:5"
    assert_one_located_line(run("critique", str(path)), where, message)
    assert_one_located_line(run("save", str(path), "-m", "x"), where, message)
    assert_one_located_line(run("import", str(path), "--draft", "imported"), where, message)
    assert_one_located_line(run("review", str(path), "--engine", "rules"), where, message)
    stdin = run("critique", "-", "--format-in", fmt, input=path.read_text("utf-8"))
    assert_one_located_line(stdin, "-:5", message)
    assert "Saved" not in run("drafts").output  # nothing was stored


@pytest.mark.parametrize(
    ("value", "message", "fmt"), [v for v in VALUES if v[2] == "yaml"], ids=lambda v: str(v)[:20]
)
def test_an_answers_file_says_one_located_line(
    tmp_path: Path, value: str, message: str, fmt: str
) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS_FILE.format(value=value), encoding="utf-8")
    assert_one_located_line(run("draft", "--answers", str(path)), f"{path}:5", message)


@pytest.mark.parametrize(
    ("name", "content", "where", "message"),
    [
        ("dup.yaml", "objectives: []\nobjectives: []\n", 2, "duplicate key 'objectives'"),
        ("dup.json", '{"objectives": [],\n "objectives": []}', 2, "duplicate key 'objectives'"),
        (
            "dup-key.yaml",
            'objectives: []\n"\\e]52;c;SGVsbG8=\\a": 1\n"\\e]52;c;SGVsbG8=\\a": 1\n',
            3,
            "duplicate key '\\x1b]52;c;SGVsbG8=\\x07'",
        ),
        (
            "merge.yaml",
            "base: &b {owner: Ana}\nobjectives:\n  - <<: *b\n    title: Grow\n",
            3,
            "merge keys ('<<') are not supported: write the fields out",
        ),
        (
            "surrogate-key.json",
            '{"objectives": [{"title": "Grow",\n "\\udfff": 1}]}',
            2,
            "a lone surrogate U+DFFF in a key (not a character)",
        ),
        ("\x1b]0;pwned\x07.yaml", "objectives: 5\n", 1, "objectives must be a list, not a number"),
    ],
)
def test_duplicate_keys_merges_and_hostile_names_are_one_safe_line(
    tmp_path: Path, name: str, content: str, where: int, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    shown = str(path).replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    for args in (["critique", str(path)], ["save", str(path), "-m", "x"]):
        assert_one_located_line(run(*args), f"{shown}:{where}", message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("kr,value,note\nO1.KR1,41,\x1b]52;c;SGVsbG8=\x07\n", "control character U+001B in the 'note' cell"),
        ("kr,value\nO1.KR1,4\x9b2J\n", "control character U+009B in the 'value' cell"),
        ("kr,value,confidence\nO1.KR1,41," + BIG + "\n", "confidence '" + "9" * 59 + "…' is not a whole number 0–10"),
    ],
)  # fmt: skip
def test_checkins_from_a_hostile_csv_say_one_located_line(
    tmp_path: Path, launched: str, content: str, message: str
) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text(content, encoding="utf-8")
    result = run("checkin", launched, "--from", str(path))
    assert_one_located_line(result, f"{path}:2", message)
    status = json.loads(run("status", launched, "-f", "json").stdout)
    assert status["key_results"][0]["checkins"] == []  # nothing recorded
