"""Item 5 of issue 22: mutated example files and hostile-corpus files, in every input
format, go through the CLI's readers (``critique`` from a file and from stdin, ``save``,
``draft --answers``, ``checkin --from``, ``retro --notes``). Whatever the bytes, the
answer is a report or one located line: no traceback, exit 0, 1 or 2, nothing raw for
the terminal."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant.cli import main
from assistant.io import read_path, write_sets

from .test_terminal_safety import assert_terminal_safe

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
SUFFIX = {"yaml": ".yaml", "json": ".json", "markdown": ".md", "csv": ".csv"}
_OF_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".md": "markdown", ".csv": "csv"}


def _seeds() -> dict[str, list[str]]:
    """Every example and corpus file under its own format, and each example written
    in every format the writers know."""
    seeds: dict[str, list[str]] = {fmt: [] for fmt in SUFFIX}
    files = [*sorted((ROOT / "examples").iterdir()), *sorted(HERE.iterdir())]
    for path in files:
        fmt = _OF_SUFFIX.get(path.suffix)
        if fmt is None:
            continue
        seeds[fmt].append(path.read_text("utf-8", errors="replace"))
        if path.parent.name == "examples":  # twice: most mutants of a good file are near-good
            seeds[fmt].append(seeds[fmt][-1])
            sets = read_path(str(path))
            for writer in ("yaml", "json", "markdown"):
                seeds[writer] += [write_sets(sets, writer)] * 2
    return seeds


SEEDS = _seeds()
ANSWERS = [p.read_text("utf-8") for p in sorted((ROOT / "bench" / "data" / "answers").iterdir())]
CHECKINS = [
    "kr,value,confidence,note,date\nO1.KR1,41%,6,emails live,2026-02-10\nO1.KR1,45,7,,\n",
    'kr,value,note\nO1.KR1,"2 days","a ""quoted"" note\nover two lines"\n',
]
NOTES = ["went_well:\n  - onboarding emails\ndid_not: pricing page\nchange: [ship earlier]\n"]

# What broke the readers before (issue 22), and what YAML, JSON, CSV and Markdown give
# meaning to: spliced into the seeds at random places.
HOSTILE = [
    "9" * 5000,
    "1" + "0" * 400,
    '"\\ud800"',
    "\\udfff",
    '!!timestamp "x"',
    '!!bool "maybe"',
    '!!int "-"',
    "!!float x",
    "!!binary AAAA",
    "!!python/object/apply:os.system ['true']",
    "!custom ",
    "!!set ",
    "<<: *a",
    "&a ",
    "*a",
    "[" * 300,
    "{" * 300,
    "- " * 80,
    "  " * 70 + "- deep",
    "\n- Raise NPS: from 30 to 45\n",
    "\nobjectives: 5\n",
    "\nsets:\n  - hello\n",
    ": ",
    "\n  - ",
    "#",
    '"',
    "'",
    ",",
    "\r",
    "\t",
    "\x00",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b2J",
    "\u202e",
    "\\u001b",
    "\\e",
    "1e999",
    "NaN",
    "-Infinity",
    "2026-02-30",
    "2026-Q9",
    "```\n",
    "## ",
    "# ",
    "> ",
    "\ufeff",
]
FRAGMENT = st.integers(0, 3).flatmap(  # three times in four: one of the known troublemakers
    lambda pick: (
        st.sampled_from(HOSTILE)
        if pick
        else st.text(st.characters(blacklist_characters="\x00"), max_size=12)
    )  # NUL: in HOSTILE
)
BYTES = st.lists(st.integers(1, 255), min_size=1, max_size=6).map(bytes)  # NUL: in HOSTILE
# A value: a JSON string or number, the rest of a line after "key: " or "- " (YAML,
# Markdown), a CSV cell.
VALUE = re.compile(r'"(?:[^"\\\n]|\\.)*"|-?\d+(?:\.\d+)?|(?<=: |- ).+$|(?<=,)[^,\n]*', re.M)
OTHER_EDITS = ["insert", "delete", "replace", "repeat", "swap"]
WORD = re.compile(r"[\w.%$-]+")
NAMES = ["okrs", "o\x1b]52;c;x\x07k", "\u202egnp", "a b"]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[str]) -> bytes:
    """A seed with a few random edits: a whole value or a word replaced (the file mostly
    keeps its shape), text spliced in or cut out, lines repeated or swapped; now and then
    raw bytes flipped afterwards (invalid UTF-8, NULs, BOMs)."""
    text = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        end = draw(st.integers(at, min(len(text), at + 60)))
        op = draw(st.sampled_from(["value"] * 4 + ["word"] * 2 + OTHER_EDITS))
        spans = list((VALUE if op == "value" else WORD).finditer(text))
        if op in ("value", "word") and spans:
            span = draw(st.sampled_from(spans))
            text = text[: span.start()] + draw(FRAGMENT) + text[span.end() :]
        elif op in ("insert", "value", "word"):
            text = text[:at] + draw(FRAGMENT) + text[at:]
        elif op == "delete":
            text = text[:at] + text[end:]
        elif op == "replace":
            text = text[:at] + draw(FRAGMENT) + text[end:]
        else:
            lines = text.splitlines(keepends=True) or [""]
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "repeat":
                lines.insert(j, lines[i] * draw(st.integers(1, 3)))
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(BYTES) + data[at + 1 :]
    return data


def assert_one_line_or_report(result: Result, args: list[str]) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-500:])
    event(f"exit {result.exit_code}")
    assert "Traceback" not in result.output
    assert_terminal_safe(result.output)
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].strip(), (args, result.stderr)
        assert ": " in lines[0], lines[0]  # path[:line]: what is wrong


_counter = itertools.count()


def _write(tmp_path: Path, name: str, suffix: str, data: bytes) -> Path:
    path = tmp_path / f"{next(_counter)}-{name}{suffix}"
    path.write_bytes(data)
    return path


FUZZ = settings(
    max_examples=int(os.environ.get("OKR_FUZZ_EXAMPLES") or 60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_the_seeds_cover_every_format() -> None:
    assert all(len(SEEDS[fmt]) >= 3 for fmt in SUFFIX), {k: len(v) for k, v in SEEDS.items()}
    assert ANSWERS


@pytest.mark.parametrize("fmt", list(SUFFIX))
@FUZZ
@given(data=st.data())
def test_critique_reads_a_mutated_file_or_says_one_line(
    tmp_path: Path, fmt: str, data: st.DataObject
) -> None:
    content = data.draw(mutated(SEEDS[fmt]))
    if data.draw(st.booleans()):
        args = ["critique", "-", "--format-in", fmt]
        result = CliRunner().invoke(main, args, input=content)
    else:
        path = _write(tmp_path, data.draw(st.sampled_from(NAMES)), SUFFIX[fmt], content)
        args = ["critique", str(path)]
        result = CliRunner().invoke(main, args)
    assert_one_line_or_report(result, args)


@FUZZ
@given(data=st.data())
def test_save_stores_a_mutated_file_or_says_one_line(tmp_path: Path, data: st.DataObject) -> None:
    fmt = data.draw(st.sampled_from(list(SUFFIX)))
    content = data.draw(mutated(SEEDS[fmt]))
    path = _write(tmp_path, data.draw(st.sampled_from(NAMES)), SUFFIX[fmt], content)
    args = ["save", str(path), "-m", "fuzz", "--draft", "fuzz"]
    result = CliRunner().invoke(main, args)
    assert_one_line_or_report(result, args)
    if result.exit_code == 0:  # what was stored reads back
        shown = CliRunner().invoke(main, ["show", "fuzz"])
        assert shown.exit_code == 0, shown.output
        assert_terminal_safe(shown.output)


@FUZZ
@given(data=st.data())
def test_an_answers_file_drafts_or_says_one_line(tmp_path: Path, data: st.DataObject) -> None:
    path = _write(tmp_path, "answers", ".yaml", data.draw(mutated(ANSWERS + SEEDS["json"][:2])))
    args = ["draft", "--answers", str(path)]
    assert_one_line_or_report(CliRunner().invoke(main, args), args)


@FUZZ
@given(data=st.data())
def test_checkins_and_notes_files_record_or_say_one_line(
    tmp_path: Path, launched: str, data: st.DataObject
) -> None:
    if data.draw(st.booleans()):
        path = _write(tmp_path, "numbers", ".csv", data.draw(mutated(CHECKINS)))
        args = ["checkin", launched, "--from", str(path), "--date", "2026-02-01"]
    else:  # the cycle is open: a well-formed file is refused in one line too
        path = _write(tmp_path, "notes", ".yaml", data.draw(mutated(NOTES)))
        args = ["retro", launched, "--notes", str(path)]
    assert_one_line_or_report(CliRunner().invoke(main, args), args)
