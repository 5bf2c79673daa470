"""``okr sync`` and ``okr calibration`` through the command line, against real files,
a SQLite database and a real command (CliRunner, OKR_HOME in tmp_path)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.services.calibration import lessons_of_last_cycle, people_of
from assistant.store.store import Store

pytest.importorskip("sqlalchemy", reason="the [sql] extra is not installed")

NAME = "Platform team"
PLAN = """\
name: Platform team
owner: Dana
cycle: 2024-Q1
objectives:
  - title: Make onboarding effortless
    owner: Ana
    key_results:
      - text: Raise week-1 activation from 32% to 50%
        source: {csv: metrics/activation.csv, column: activation, where: {region: EU}}
      - text: Cut p95 API latency from 900 ms to 400 ms
        source: {sql: "sqlite:///metrics/latency.db", query: "select p95_s from latency order by day desc limit 1", unit: s}
      - text: Cut tickets per 100 accounts from 12 to 8
        source: {command: ./scripts/tickets.sh}
      - Raise NPS from 30 to 45
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Dana")
    monkeypatch.setenv("OKR_SOURCES__ALLOW_COMMANDS", "true")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "activation.csv").write_text(
        "day,region,activation\n2024-01-08,EU,33\n2024-01-08,US,29\n2024-01-15,EU,36\n",
        encoding="utf-8",
    )
    with sqlite3.connect(tmp_path / "metrics" / "latency.db") as db:
        db.execute("create table latency (day text, p95_s real)")
        db.executemany(
            "insert into latency values (?, ?)", [("2024-01-08", 0.9), ("2024-01-15", 0.78)]
        )
    script = tmp_path / "scripts" / "tickets.sh"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\necho 11\n", encoding="utf-8")
    script.chmod(0o755)
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    assert run("import", "plan.yaml").exit_code == 0
    launched = run("launch", NAME)
    assert launched.exit_code == 0, launched.output
    return tmp_path


def stored(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "home" / "okr.db") as db:
        return db.execute(
            "select kr, on_date, value, raw, source, provenance from checkins order by id"
        ).fetchall()


def test_sync_records_csv_sqlite_and_command_once(team: Path) -> None:
    first = run("sync", "--date", "2024-01-16")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "Platform team O1.KR1: recorded 36% (sync:csv metrics/activation.csv column activation"
        " where region = EU: last of 2 rows)",
        "Platform team O1.KR2: recorded 780 ms (sync:sql sqlite:///metrics/latency.db: select"
        " p95_s from latency order by day desc limit 1)",
        "Platform team O1.KR3: recorded 11 (sync:command ./scripts/tickets.sh)",
        "3 recorded, dated 2024-01-16",
    ]
    again = run("sync", NAME, "--date", "2024-01-16")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "3 unchanged, dated 2024-01-16"
    rows = stored(team)
    assert len(rows) == 3  # twice, without duplicates
    assert rows[1] == (
        "O1.KR2", "2024-01-16", 780.0, "0.78 s", "sync:sql",
        "sqlite:///metrics/latency.db: select p95_s from latency order by day desc limit 1",
    )  # fmt: skip
    status = json.loads(run("status", NAME, "--format", "json", "--as-of", "2024-01-16").stdout)
    values = {kr["id"]: kr["value"] for kr in status["key_results"]}
    assert values == {"O1.KR1": 36, "O1.KR2": 780, "O1.KR3": 11, "O1.KR4": None}


def test_a_new_value_on_the_same_day_supersedes_and_a_new_day_adds(team: Path) -> None:
    assert run("sync", "--date", "2024-01-16").exit_code == 0
    with (team / "metrics" / "activation.csv").open("a", encoding="utf-8") as fh:
        fh.write("2024-01-16,EU,38\n")
    out = run("sync", "--date", "2024-01-16").stdout
    assert "O1.KR1: recorded 38%" in out and "2 unchanged" in out
    assert run("sync", "--date", "2024-01-17").stdout.splitlines()[-1] == (
        "3 recorded, dated 2024-01-17"
    )
    assert [r[:3] for r in stored(team) if r[0] == "O1.KR1"] == [
        ("O1.KR1", "2024-01-16", 36.0), ("O1.KR1", "2024-01-16", 38.0),
        ("O1.KR1", "2024-01-17", 38.0),
    ]  # fmt: skip


def test_a_failing_source_is_one_located_line_and_the_rest_are_recorded(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (team / "metrics" / "activation.csv").unlink()
    monkeypatch.delenv("OKR_SOURCES__ALLOW_COMMANDS")
    result = run("sync", "--date", "2024-01-16")
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == ("Platform team O1.KR1: failed (csv): metrics/activation.csv: no such file")
    assert lines[2].startswith("Platform team O1.KR3: failed (command): ./scripts/tickets.sh: "
                               "commands are not allowed")  # fmt: skip
    assert lines[-1] == "1 recorded, 2 failed, dated 2024-01-16"
    assert "okr: 2 of 3 sources failed" in result.stderr
    assert [r[0] for r in stored(team)] == ["O1.KR2"]


def test_a_value_in_a_unit_that_does_not_convert_fails_like_a_typed_one(team: Path) -> None:
    plan = PLAN.replace("unit: s}", "unit: furlongs}")
    (team / "plan.yaml").write_text(plan.replace("cycle: 2024-Q1", "cycle: 2024-Q2"), "utf-8")
    assert run("grade", NAME, "--yes").exit_code == 0
    assert run("import", "plan.yaml", "--as-version").exit_code == 0  # the draft exists
    assert run("launch", NAME).exit_code == 0
    result = run("sync", "--date", "2024-04-02")
    assert result.exit_code == 3
    line = next(line for line in result.stdout.splitlines() if "O1.KR2" in line)
    assert line.startswith("Platform team O1.KR2: failed (sql): '0.78 furlongs'")
    assert "the KR is in 'ms'" in line


def test_dry_run_records_nothing(team: Path) -> None:
    result = run("sync", "--dry-run", "--date", "2024-01-16")
    assert result.exit_code == 0
    assert "O1.KR1: would record 36%" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        "3 would record, dated 2024-01-16 (dry run: nothing recorded)"
    )
    assert stored(team) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("sync", "--date", "2999-01-01"), "okr: the date 2999-01-01 is in the future"),
        (("sync", "Nobody"), "okr: unknown draft 'Nobody'"),
        (("sync", "--date", "2023-12-31"), None),
    ],
)
def test_refusals(team: Path, args: tuple[str, ...], message: str | None) -> None:
    result = run(*args)
    if message is None:  # before the cycle starts: every line fails, located
        assert result.exit_code == 3
        assert "O1.KR1: failed (csv): 2023-12-31 is before the cycle starts" in result.stdout
        return
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_sync_with_no_open_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    result = run("sync")
    assert result.exit_code == 0
    assert "no KR with a source in 0 open cycles" in result.stdout


# --- calibration ----------------------------------------------------------------------------


def test_an_owner_who_said_9_on_krs_that_failed_is_over_confident(team: Path) -> None:
    for day in ("2024-01-15", "2024-02-15", "2024-03-15"):
        for kr, value in (("O1.KR1", "33%"), ("O1.KR2", "880 ms"), ("O1.KR3", "11.8")):
            done = run("checkin", NAME, kr, value, "--confidence", "9", "--date", day, "-q")
            assert done.exit_code == 0, done.output
    assert run("grade", NAME, "--yes").exit_code == 0
    text = run("calibration")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[:2] == [
        "owner  forecasts  KRs  cycles  Brier   bias  verdict",
        "Ana            9    3       1   0.81  +0.90  over-confident",
    ]
    as_json = json.loads(run("calibration", NAME, "--format", "json").stdout)
    assert as_json == {
        "version": 1, "by": "owner",
        "groups": [{"owner": "Ana", "forecasts": 9, "krs": 3, "cycles": 1,
                    "brier": 0.81, "bias": 0.9, "verdict": "over-confident"}],
    }  # fmt: skip
    by_draft = json.loads(run("calibration", "--by", "draft", "--format", "json").stdout)
    assert by_draft["groups"][0]["draft"] == NAME
    # What `okr status` and `okr retro` are to show (services, not wired there yet).
    store = Store.in_home(team / "home")
    try:
        people = people_of(store, NAME)
        assert [(g.name, g.verdict) for g in people.groups] == [("Ana", "over-confident")]
        lessons = lessons_of_last_cycle(store, NAME)
    finally:
        store.close()
    assert [(lesson.code, lesson.krs) for lesson in lessons] == [
        ("LESSON-OVERCONFIDENT", ("O1.KR1", "O1.KR2", "O1.KR3"))
    ]
    assert lessons[0].message.startswith("In 2024-Q1 Ana's confidence was over-confident")


def test_calibration_with_nothing_graded_and_of_an_unknown_draft(team: Path) -> None:
    assert "no confidence to score yet" in run("calibration").stdout
    unknown = run("calibration", "Nobody")
    assert unknown.exit_code == 2 and "unknown draft 'Nobody'" in unknown.stderr
