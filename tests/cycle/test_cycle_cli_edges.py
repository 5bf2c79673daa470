"""The cycle commands at their edges: negative values, dates on a terminal, late check-ins,
non-finite numbers, grading early, Ctrl-C, and an unknown draft (CliRunner, no network)."""

from __future__ import annotations

import io
import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main

PLAN = """name: Support
cycle: 2024-Q1
objectives:
  - title: Make support something customers praise
    type: committed
    key_results:
      - Raise NPS from 10 to 30
      - Cut median first-response time from 8 hours to 2 hours
"""
NAME = "Support"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Dana")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    assert run("import", "plan.yaml").exit_code == 0
    return tmp_path / "home"


def run(*args: str, input: Any = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def _strict_json(text: str) -> dict:
    """JSON as a strict parser reads it: ``Infinity`` / ``NaN`` are not JSON."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in JSON output")

    return json.loads(text, parse_constant=refuse)


def _status(*extra: str) -> dict:
    result = run("status", NAME, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return _strict_json(result.stdout)


def _checkins(status: dict, kr: str) -> list[dict]:
    found = next(k for k in status["key_results"] if k["id"] == kr)
    return found["checkins"]


def _terminal(monkeypatch: pytest.MonkeyPatch, on: bool = True) -> None:
    monkeypatch.setattr("assistant.cli.cycle.stdin_is_terminal", lambda: on)


def test_a_negative_value_needs_no_double_dash(home: Path) -> None:
    assert run("launch", NAME).exit_code == 0
    result = run("checkin", NAME, "O1.KR1", "-5", "--date", "2024-02-01", "--confidence", "4")
    assert result.exit_code == 0, result.output
    assert "Recorded 1 check-in" in result.stderr
    (stored,) = _checkins(_status(), "O1.KR1")
    assert stored["value"] == -5 and stored["confidence"] == 4
    # Options still are options: an unknown one is refused, a note may start with '-'.
    assert run("checkin", NAME, "O1.KR1", "12", "--nope").exit_code == 2
    noted = run("checkin", NAME, "O1.KR1", "12", "--note", "-3 last week", "--date", "2024-02-02")
    assert noted.exit_code == 0, noted.output
    assert _checkins(_status(), "O1.KR1")[-1]["note"] == "-3 last week"


def test_date_applies_to_the_questions_on_a_terminal(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("launch", NAME).exit_code == 0
    _terminal(monkeypatch)
    # O1.KR1: value 20, confidence 6, no note; O1.KR2 kept (Enter x3).
    asked = run("checkin", NAME, "--date", "2024-02-10", input="20\n6\n\n\n\n\n")
    assert asked.exit_code == 0, asked.output
    assert [c["date"] for c in _checkins(_status(), "O1.KR1")] == ["2024-02-10"]
    future = (date.today() + timedelta(days=3)).isoformat()
    refused = run("checkin", NAME, "--date", future, input="25\n6\n\n\n\n\n")
    assert refused.exit_code == 2 and "in the future" in refused.stderr
    assert "value (Enter keeps it)" not in refused.stdout  # refused before any question


def test_a_checkin_after_the_end_is_late_until_graded(home: Path) -> None:
    assert run("launch", NAME).exit_code == 0  # 2024-Q1: ended long ago, not graded
    late = run("checkin", NAME, "O1.KR1", "22", "--date", "2024-04-05")
    assert late.exit_code == 0, late.output
    assert "Late: O1.KR1 (2024-04-05)" in late.stderr and "2024-03-31" in late.stderr
    on_time = run("checkin", NAME, "O1.KR2", "4 hours", "--date", "2024-03-01")
    assert on_time.exit_code == 0 and "Late" not in on_time.stderr
    assert _checkins(_status(), "O1.KR1")[0]["date"] == "2024-04-05"
    assert run("grade", NAME).exit_code == 0
    closed = run("checkin", NAME, "O1.KR1", "25", "--date", "2024-04-06")
    assert closed.exit_code == 2 and "no open cycle" in closed.stderr


def test_json_never_holds_infinity_or_nan(home: Path) -> None:
    assert run("launch", NAME).exit_code == 0
    huge = run("checkin", NAME, "O1.KR1", "9" * 400, "--date", "2024-02-01")
    assert huge.exit_code == 2 and huge.stderr.startswith("okr: O1.KR1: '999")
    assert len(huge.stderr.strip().splitlines()) == 1
    assert _checkins(_status(), "O1.KR1") == []  # nothing was recorded
    # A value an older version stored as Infinity still gives valid JSON.
    with sqlite3.connect(home / "okr.db") as conn:
        conn.execute(
            "INSERT INTO checkins (cycle_id, kr, on_date, value, raw, source, author, created_at)"
            " VALUES (1, 'O1.KR1', '2024-02-01', ?, '9…9', 'cli', 'x', '2024-02-01T00:00:00')",
            (float("inf"),),
        )
    (stored,) = _checkins(_status(), "O1.KR1")
    assert stored["value"] is None
    team = run("status", "--format", "json")
    assert team.exit_code == 0 and _strict_json(team.stdout)["drafts"][0]["draft"] == NAME
    graded = run("grade", NAME, "--format", "json")
    assert graded.exit_code == 0, graded.output
    kr1 = _strict_json(graded.stdout)["key_results"][0]
    assert kr1["value"] is None and kr1["grade"] is not None


def _launch_running_cycle() -> date:
    start, end = date.today() - timedelta(days=10), date.today() + timedelta(days=30)
    launched = run("launch", NAME, "--cycle", "sprint-1", "--start", str(start), "--end", str(end))
    assert launched.exit_code == 0, launched.output
    return end


def test_grading_before_the_end_asks_or_needs_yes(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    end = _launch_running_cycle()
    _terminal(monkeypatch, False)
    refused = run("grade", NAME)
    assert refused.exit_code == 2
    assert "pass --yes" in refused.stderr and str(end) in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _status()["cycle"]["state"] == "open"

    _terminal(monkeypatch)
    declined = run("grade", NAME, input="n\n")
    assert declined.exit_code == 0 and "Grade it now?" in declined.stderr
    assert "Not graded" in declined.stderr and _status()["cycle"]["state"] == "open"
    accepted = run("grade", NAME, "--format", "json", input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert _status()["cycle"]["state"] == "graded"


def test_grading_early_with_yes_asks_nothing(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _launch_running_cycle()
    _terminal(monkeypatch, False)
    graded = run("grade", NAME, "--yes", "--format", "json")
    assert graded.exit_code == 0, graded.output
    assert _strict_json(graded.stdout)["cycle"]["state"] == "graded"


class _CtrlCAfter(io.BytesIO):
    """Stdin that gives the typed answers, then Ctrl-C at the next question."""

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        if not data and size != 0:
            raise KeyboardInterrupt
        return data

    def read(self, size: int | None = -1) -> bytes:
        return self.read1(-1 if size is None else size)


def test_ctrl_c_in_the_checkin_questions_exits_130(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("launch", NAME).exit_code == 0
    _terminal(monkeypatch)
    result = run("checkin", NAME, input=_CtrlCAfter(b"20\n6\n"))  # Ctrl-C at the note
    assert result.exit_code == 130, result.output
    assert "interrupted" in result.stderr and "Aborted" not in result.output
    assert _checkins(_status(), "O1.KR1") == []  # nothing was recorded
    ended = run("checkin", NAME, input="20\n")  # end of input: a clear line, nothing stored
    assert ended.exit_code == 2 and "nothing was changed" in ended.stderr


def test_retro_of_an_unknown_draft_says_so(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _terminal(monkeypatch, False)
    result = run("retro", "nope")
    assert result.exit_code == 2
    assert "unknown draft 'nope'" in result.stderr and "--notes" not in result.stderr
    assert run("launch", NAME).exit_code == 0
    open_cycle = run("retro", NAME)
    assert open_cycle.exit_code == 2 and "still open" in open_cycle.stderr
