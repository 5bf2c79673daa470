"""Check-in CSVs and retro notes: every problem is one line ``path:line: what is wrong``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.io.cycle_files import read_checkins_csv, read_notes


def _csv(tmp_path: Path, text: str) -> str:
    path = tmp_path / "numbers.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_reads_rows_with_optional_columns(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "\ufeffKR,Value,Confidence,Note,Date\n"
        'O1.KR1,41%,6,"emails, live",2026-02-10\n'
        "\n"
        "O1.KR2,2 days,,,\n",
    )
    rows = read_checkins_csv(path)
    assert [(r.kr, r.value, r.confidence, r.note, r.on) for r in rows] == [
        ("O1.KR1", "41%", 6, "emails, live", date(2026, 2, 10)),
        ("O1.KR2", "2 days", None, "", None),
    ]
    assert rows[0].where == (path, 2) and rows[1].where == (path, 4)


def test_a_quoted_note_over_several_lines_keeps_the_next_row_located(tmp_path: Path) -> None:
    path = _csv(tmp_path, 'kr,value,note\nO1.KR1,41%,"two\nlines"\nO1.KR2,x,\n')
    rows = read_checkins_csv(path)
    assert rows[0].note == "two lines" and rows[1].where == (path, 4)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("kr,value,owner\nO1.KR1,41%,Ana\n", 1, "unknown column 'owner'"),
        ("kr,confidence\nO1.KR1,5\n", 1, "'value' column is required"),
        ("kr,value,confidence\nO1.KR1,41%,5\nO1.KR2,3,eleven\n", 3, "confidence 'eleven'"),
        ("kr,value,confidence\nO1.KR1,41%,11\n", 2, "not a whole number 0–10"),
        ("kr,value,date\nO1.KR1,41%,10/02/2026\n", 2, "not YYYY-MM-DD"),
        ("kr,value\n,41%\n", 2, "'kr' cell is empty"),
        ("kr,value\nO1.KR1,\n", 2, "'value' cell of O1.KR1 is empty"),
        ("kr,value\nO1.KR1,4,5\n", 2, "3 cells but the header has 2"),
        ("kr,value\n", 2, "no check-ins below the header"),
        ("", 1, "the file is empty"),
    ],
)
def test_csv_errors_name_path_and_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = _csv(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_checkins_csv(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_missing_csv_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_checkins_csv(str(tmp_path / "nope.csv"))


def test_notes_take_strings_or_lists(tmp_path: Path) -> None:
    path = tmp_path / "retro.yaml"
    path.write_text(
        "went_well: Weekly check-ins\ndid_not:\n  - Hiring slipped\n  - No baseline\nchange: []\n",
        encoding="utf-8",
    )
    notes = read_notes(str(path))
    assert notes.went_well == ("Weekly check-ins",)
    assert notes.did_not == ("Hiring slipped", "No baseline")
    assert notes.change == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("went_well: ok\nlessons: x\n", "1: unknown key 'lessons'"),
        ("- a list\n", "1: expected a mapping"),
        ("went_well:\n  a: b\n", "2: 'went_well' must be a string or a list"),
        ("went_well: [\n", "invalid YAML"),
        ("went_well: ''\n", "the notes are empty"),
    ],
)
def test_bad_notes_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "retro.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_notes(str(path))
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)
