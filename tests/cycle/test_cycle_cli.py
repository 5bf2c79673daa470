"""A whole cycle through the command line: launch, check in, status, grade, retro, and the
lessons in the next critique (CliRunner, OKR_HOME in tmp_path; no network)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main

PLAN = """name: Platform team
cycle: 2024-Q1
objectives:
  - title: Make onboarding effortless for new customers
    type: aspirational
    key_results:
      - Raise week-1 activation from 32% to 50% by 31 Mar 2024
      - text: Cut median time-to-first-dashboard from 3 days to 1 day
        baseline: 3
        target: 1
        unit: days
  - title: Make the platform dependable for every customer
    type: committed
    key_results:
      - Reduce p95 latency from 900ms to 300 ms
      - Publish the status page
"""
NAME = "Platform team"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Dana")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    assert run("import", "plan.yaml").exit_code == 0
    return tmp_path / "home"


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input)


def _json(*args: str) -> dict:
    result = run(*args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help_names_every_cycle_command() -> None:
    listing = run("--help").output
    for command in ("launch", "checkin", "status", "grade", "retro"):
        assert command in listing
        assert run(command, "--help").exit_code == 0
    assert "on-track" in run("status", "--help").output
    assert "0.0–0.3 red" in run("grade", "--help").output


def test_the_quality_gate_refuses_and_lists_the_blocking_findings(home: Path) -> None:
    refused = run("launch", NAME, "--fail-under", "99")
    assert refused.exit_code == 1
    assert "below --fail-under 99" in refused.stderr
    assert "KR-ACTIVITY" in refused.stderr and "O2.KR2" in refused.stderr
    assert run("status", NAME).exit_code == 2  # nothing was launched


def test_a_full_cycle(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launched = run("launch", NAME)
    assert launched.exit_code == 0, launched.output
    assert "2024-Q1 (2024-01-01 → 2024-03-31)" in launched.stdout
    assert "freezes this version" in launched.stdout
    again = run("launch", NAME)
    assert again.exit_code == 2 and "already has an open cycle" in again.stderr

    one = run("checkin", NAME, "O1.KR1", "41%", "--confidence", "6", "--note", "emails live",
              "--date", "2024-02-10")  # fmt: skip
    assert one.exit_code == 0, one.output
    assert "O1.KR1: progress 50%" in one.stdout
    mismatch = run("checkin", NAME, "O1.KR2", "41%")
    assert mismatch.exit_code == 2 and "is in '%' but the KR is in 'days'" in mismatch.stderr
    unknown = run("checkin", NAME, "O3.KR1", "4")
    assert unknown.exit_code == 2 and "unknown key result 'O3.KR1'" in unknown.stderr
    future = run("checkin", NAME, "O1.KR1", "45%", "--date", "2999-01-01")
    assert future.exit_code == 2 and "in the future" in future.stderr
    no_tty = run("checkin", NAME)
    assert no_tty.exit_code == 2 and "need a terminal" in no_tty.stderr

    csv = tmp_path / "numbers.csv"
    csv.write_text(
        "kr,value,confidence,note,date\n"
        "O2.KR1,700ms,5,cache,2024-02-01\n"
        "O2.KR1,500 ms,7,,2024-03-01\n"
        "O2.KR2,done,,,2024-03-02\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("kr,value\nO2.KR1,700ms\nO2.KR1,5%\n", encoding="utf-8")
    refused = run("checkin", NAME, "--from", str(bad))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"{bad}:3: O2.KR1: '5%' is in '%' but the KR is in 'ms' (e.g. 300 ms)"
    )
    assert run("checkin", NAME, "--from", str(csv)).exit_code == 0

    # KR by KR on a terminal: Enter keeps a value; only what changed is recorded.
    monkeypatch.setattr("assistant.cli.cycle.stdin_is_terminal", lambda: True)
    asked = run("checkin", NAME, input="\n\n\n36 hours\n8\nfaster setup\n\n\n\n\n\n\n")
    assert asked.exit_code == 0, asked.output
    assert "last 41% · progress 50% · confidence 6/10" in asked.stdout
    assert "Recorded 1 check-in" in asked.stderr

    status = _json("status", NAME, "--as-of", "2024-03-05")
    assert status["version"] == 1 and status["draft"] == NAME
    assert status["cycle"] == {
        "label": "2024-Q1", "start": "2024-01-01", "end": "2024-03-31", "launched_version": 1,
        "state": "open", "as_of": "2024-03-05", "graded_at": None,
    }  # fmt: skip
    kr1 = status["key_results"][0]
    assert {k: kr1[k] for k in ("id", "type", "baseline", "target", "unit", "value", "progress",
                                "confidence", "status", "grade")} == {
        "id": "O1.KR1", "type": "aspirational", "baseline": 32, "target": 50, "unit": "%",
        "value": 41, "progress": 0.5, "confidence": 6, "status": "at-risk", "grade": None,
    }  # fmt: skip
    assert kr1["expected"] == pytest.approx(41 / 91, abs=1e-3)  # 2024 is a leap year
    assert kr1["checkins"] == [{"date": "2024-02-10", "value": 41, "progress": 0.5,
                                "expected": kr1["expected"], "confidence": 6, "note": "emails live",
                                "source": "cli", "provenance": None}]  # fmt: skip
    assert kr1["stale"] is True and kr1["days_since_update"] == 24
    assert status["key_results"][2]["confidence_trend"] == 2
    assert [o["id"] for o in status["objectives"]] == ["O1", "O2"]
    text = run("status", NAME, "--as-of", "2024-03-05").stdout
    assert "Not updated for 14+ days: O1.KR1" in text and "32% → 41% → 50%" in text
    assert "# Platform team — 2024-Q1" in run("status", NAME, "--format", "markdown").stdout
    team = _json("status", "--as-of", "2024-03-05")
    assert [d["draft"] for d in team["drafts"]] == [NAME]

    graded = _json("grade", NAME, "--final", "O1.KR1=47%")
    assert graded["cycle"]["state"] == "graded"
    grades = {k["id"]: (k["grade"], k["flags"]) for k in graded["key_results"]}
    assert grades["O1.KR1"] == (0.8, [])
    assert grades["O2.KR1"] == (0.7, ["committed-below-1.0"])
    assert grades["O2.KR2"] == (1.0, ["done-or-not-only"])
    assert graded["grade"] == 0.9
    closed = run("checkin", NAME, "O1.KR1", "48%")
    assert closed.exit_code == 2 and "no open cycle" in closed.stderr
    assert _json("grade", NAME)["grade"] == 0.9  # shows the stored grades again

    notes = tmp_path / "retro.yaml"
    notes.write_text(
        "went_well: Weekly check-ins\ndid_not: [Latency work started late]\n"
        "change: Give every KR a baseline before launch\n",
        encoding="utf-8",
    )
    monkeypatch.setattr("assistant.cli.cycle.stdin_is_terminal", lambda: False)
    assert run("retro", NAME).exit_code == 2
    retro = _json("retro", NAME, "--notes", str(notes))
    codes = {lesson["code"] for lesson in retro["lessons"]}
    assert {"LESSON-MISSED-COMMITMENT", "LESSON-NO-BASELINE"} <= codes
    assert retro["went_well"] == ["Weekly check-ins"]
    shown = run("retro", NAME, "--show")
    assert shown.exit_code == 0 and "Latency work started late" in shown.stdout

    # The next draft of the same name is critiqued with the lessons.
    critique = _json("critique", NAME)
    lessons = [f for f in critique["sets"][0]["findings"] if f["source"] == "lessons"]
    assert {f["code"] for f in lessons} >= {"LESSON-NO-BASELINE", "LESSON-MISSED-COMMITMENT"}
    for finding in lessons:
        assert finding["code"].startswith("LESSON-")
        kr = next(k for o in critique["sets"][0]["objectives"] for k in o["key_results"]
                  if k["id"] == finding["target"])  # fmt: skip
        assert finding["evidence"] in kr["text"]  # each quotes the KR it is about
    assert critique["sets"][0]["source"] == f"{NAME}@1"

    # The next cycle can be launched; the database refuses to rewrite the old one.
    assert run("launch", NAME, "--cycle", "2024-Q2").exit_code == 0
    with sqlite3.connect(home / "okr.db") as conn:
        for sql in ("UPDATE checkins SET value = 1", "DELETE FROM checkins",
                    "UPDATE kr_grades SET grade = 1", "DELETE FROM cycles"):  # fmt: skip
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                conn.execute(sql)
        with pytest.raises(sqlite3.IntegrityError, match="graded"):
            conn.execute(
                "INSERT INTO checkins (cycle_id, kr, on_date, value, raw, source, author,"
                " created_at) VALUES (1, 'O1.KR1', '2024-03-01', 1, '1', 'cli', 'x', 'x')"
            )
        with pytest.raises(sqlite3.IntegrityError, match="one open cycle"):
            conn.execute(
                "INSERT INTO cycles (draft_id, version_id, label, start_date, end_date, plan,"
                " findings, launched_by, launched_at) SELECT draft_id, version_id, 'x',"
                " start_date, end_date, plan, findings, 'x', 'x' FROM cycles LIMIT 1"
            )

    # Backups carry the cycles; doctor verifies them.
    assert run("export", "--all", str(tmp_path / "backup")).exit_code == 0
    doctor = json.loads(run("doctor", "--json").stdout)
    assert doctor["ok"] and doctor["cycles"] == 2 and doctor["checkins"] == 6
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "restored"))
    assert run("import", str(tmp_path / "backup")).exit_code == 0
    assert run("import", str(tmp_path / "backup")).exit_code == 0  # idempotent
    restored = json.loads(run("doctor", "--json").stdout)
    assert restored["ok"] and restored["cycles"] == 2 and restored["checkins"] == 6
    assert _json("retro", NAME, "--show")["went_well"] == ["Weekly check-ins"]


def test_interactive_retro_asks_the_three_questions(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("launch", NAME).exit_code == 0
    assert run("grade", NAME).exit_code == 0  # nothing checked in: every KR flagged
    monkeypatch.setattr("assistant.cli.cycle.stdin_is_terminal", lambda: True)
    result = run("retro", NAME, input="Kick-off was clear\nNobody checked in; no owner\nOwners\n")
    assert result.exit_code == 0, result.output
    assert "What went well this cycle?" in result.stdout
    assert "LESSON-NEVER-UPDATED" in result.stdout
    stored = _json("retro", NAME, "--show")
    assert stored["did_not"] == ["Nobody checked in", "no owner"]


def test_the_llm_retro_without_a_key_stores_nothing(home: Path, tmp_path: Path) -> None:
    assert run("launch", NAME).exit_code == 0 and run("grade", NAME).exit_code == 0
    notes = tmp_path / "n.yaml"
    notes.write_text("went_well: ok\n", encoding="utf-8")
    result = run("retro", NAME, "--notes", str(notes), "--engine", "llm")
    assert result.exit_code == 2 and "OPENAI_API_KEY" in result.stderr
    assert run("retro", NAME, "--show").exit_code == 2


def test_purging_a_long_deleted_draft_takes_its_cycles(home: Path, tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from assistant.services import drafts
    from assistant.store.store import Store

    assert run("launch", NAME).exit_code == 0
    assert run("checkin", NAME, "O1.KR1", "41%", "--date", "2024-02-10").exit_code == 0
    assert run("grade", NAME).exit_code == 0
    notes = tmp_path / "n.yaml"
    notes.write_text("went_well: ok\n", encoding="utf-8")
    assert run("retro", NAME, "--notes", str(notes)).exit_code == 0
    assert run("delete", NAME, "--yes").exit_code == 0
    store = Store.in_home(home)
    assert drafts.purge(store) == []  # deleted today: kept, cycles and all
    store.close()
    long_ago = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    with sqlite3.connect(home / "okr.db") as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("UPDATE drafts SET deleted_at = ?", (long_ago,))
    assert drafts.purge(store) == [NAME]
    store.close()
    with sqlite3.connect(home / "okr.db") as conn:
        for table in ("cycles", "checkins", "kr_grades", "cycle_grades", "retros"):
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    assert json.loads(run("doctor", "--json").stdout)["ok"]
