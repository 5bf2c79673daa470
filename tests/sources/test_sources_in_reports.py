"""Where sync and calibration show up beyond their own commands: the owners' calibration
in ``okr status`` (text, markdown, html), the calibration lessons of ``okr retro`` on the
next draft's critique, where a synced value came from in ``okr status``, and a changed
``source:`` in ``okr diff`` (CliRunner, OKR_HOME in tmp_path, real files)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.app import bootstrap
from assistant.cli import main

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
        source: {csv: metrics/activation.csv, column: activation}
      - Cut p95 API latency from 900 ms to 400 ms
      - Cut tickets per 100 accounts from 12 to 8
  - title: Keep the lights on
    key_results:
      - Raise uptime from 99.0% to 99.9%
"""
# The next quarter: Ana owns a new KR (nothing like last cycle's), Dana the rest.
NEXT = """\
name: Platform team
owner: Dana
cycle: 2024-Q2
objectives:
  - title: Grow the self-serve funnel
    key_results:
      - text: Raise trial-to-paid conversion from 4% to 6%
        owner: Ana
      - Raise uptime from 99.0% to 99.9%
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def ok(*args: str) -> Result:
    result = run(*args)
    assert result.exit_code == 0, (args, result.output)
    return result


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OKR_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("OKR_AUTHOR", "Dana")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "activation.csv").write_text(
        "day,activation\n2024-01-08,33\n2024-01-15,36\n", encoding="utf-8"
    )
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    ok("save", "plan.yaml", "-m", "plan")
    ok("launch", NAME)
    return tmp_path


def over_confident_quarter() -> None:
    """Ana says 9/10 three times on each of her KRs, and none gets anywhere; Dana's uptime
    KR is reached at 5/10 (too few forecasts for a verdict)."""
    for day in ("2024-01-15", "2024-02-15", "2024-03-15"):
        for kr, value in (("O1.KR1", "33%"), ("O1.KR2", "880 ms"), ("O1.KR3", "11.8")):
            ok("checkin", NAME, kr, value, "--confidence", "9", "--date", day, "-q")
    ok("checkin", NAME, "O2.KR1", "99.9%", "--confidence", "5", "--date", "2024-03-15", "-q")
    ok("grade", NAME, "--yes")


def next_quarter(team: Path) -> None:
    (team / "plan.yaml").write_text(NEXT, encoding="utf-8")
    ok("save", "plan.yaml", "-m", "plan")
    ok("launch", NAME)


def test_status_shows_the_owners_calibration_in_text_markdown_and_html(team: Path) -> None:
    first = ok("status", NAME, "--as-of", "2024-01-20").stdout
    assert "Calibration of the owners" in first
    assert "No confidence to score yet: calibration reads the check-ins of graded cycles." in first

    over_confident_quarter()
    next_quarter(team)
    text = ok("status", NAME, "--as-of", "2024-04-10").stdout.splitlines()
    at = text.index("Calibration of the owners")
    rows = [" ".join(line.split()) for line in text[at + 1 : at + 4]]
    assert rows == [
        "owner verdict confidence came true bias Brier forecasts",
        "Ana over-confident 9.0/10 0% +0.90 0.81 9 on 3 KRs in 1 cycle",
        "Dana too few 5.0/10 100% -0.50 0.25 1 on 1 KR in 1 cycle",
    ]

    markdown = ok("status", NAME, "--as-of", "2024-04-10", "--format", "markdown").stdout
    assert "## Calibration of the owners" in markdown
    assert (
        "| Ana | over-confident | 9.0/10 | 0% | bias +0.90 · Brier 0.81 · 9 forecasts on 3 KRs "
        "in 1 cycle |"
    ) in markdown

    html = ok("status", NAME, "--as-of", "2024-04-10", "--format", "html").stdout
    section = html[html.index("<h2>Calibration of the owners</h2>") :]
    assert '<b>Ana</b> <span class="pill" style="background:#c62828">over-confident</span>' in (
        section
    )
    charts = section.count('class="chart calibration"')
    assert charts == 2  # one per owner
    # Ana's bars: 9.0/10 said (0.9 of the bar's 120), nothing came true
    assert '<rect x="70" y="4" width="108.0" height="12" fill="#0969da"/>' in section
    assert '<rect x="70" y="20" width="0.0" height="12" fill="#1a7f37"/>' in section

    as_json = json.loads(ok("status", NAME, "--as-of", "2024-04-10", "-f", "json").stdout)
    assert "calibration" not in as_json  # SPEC §7's object, unchanged


def test_retro_teaches_over_confidence_and_the_next_draft_is_coached_with_it(
    team: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    over_confident_quarter()
    (team / "notes.yaml").write_text("went_well: Weekly check-ins\n", encoding="utf-8")
    retro = json.loads(ok("retro", NAME, "--notes", "notes.yaml", "--format", "json").stdout)
    lessons = {lesson["code"]: lesson for lesson in retro["lessons"]}
    assert "LESSON-UNDERCONFIDENT" not in lessons  # Dana: too few forecasts for a verdict
    over = lessons["LESSON-OVERCONFIDENT"]
    assert over["owner"] == "Ana"
    assert over["key_results"] == ["O1.KR1", "O1.KR2", "O1.KR3"]
    assert over["message"].startswith(
        "In 2024-Q1 Ana's confidence was over-confident (bias +0.90, Brier 0.81 over 9 "
        "forecasts in 1 graded cycle)"
    )

    # The next draft: Ana's KR (new text) is coached with the lesson, Dana's is not
    # (what `okr critique NAME` and the TUI add to the draft's own critique).
    (team / "plan.yaml").write_text(NEXT, encoding="utf-8")
    ok("save", "plan.yaml", "-m", "plan")
    app = bootstrap(team / "home")
    try:
        draft = asyncio.run(app.version(NAME))
        found = asyncio.run(app.lesson_findings(NAME, draft.okr_set))
    finally:
        app.close()
    over_findings = [f for f in found if f.code == "LESSON-OVERCONFIDENT"]
    assert [(f.target, f.source, f.evidence) for f in over_findings] == [
        ("O1.KR1", "lessons", "Raise trial-to-paid conversion from 4% to 6%")
    ]
    assert over_findings[0].message.startswith("In 2024-Q1 Ana's confidence was over-confident")

    for code in ("LESSON-OVERCONFIDENT", "LESSON-UNDERCONFIDENT"):
        explained = ok("explain", code).stdout
        assert explained.startswith(code)


def test_where_a_synced_value_came_from_is_in_status(team: Path) -> None:
    ok("sync", "--date", "2024-01-16")
    ok("checkin", NAME, "O1.KR2", "850 ms", "--date", "2024-01-16", "-q")
    text = ok("status", NAME, "--as-of", "2024-01-16").stdout
    assert "  O1.KR1 36% on 2024-01-16 from sync:csv" in text
    assert "O1.KR2 850 ms on" not in text  # typed: nothing to say where from
    data = json.loads(ok("status", NAME, "--as-of", "2024-01-16", "-f", "json").stdout)
    checkins = {kr["id"]: kr["checkins"] for kr in data["key_results"]}
    assert [(c["date"], c["value"], c["source"]) for c in checkins["O1.KR1"]] == [
        ("2024-01-16", 36, "sync:csv")
    ]
    assert [(c["source"], c["provenance"]) for c in checkins["O1.KR2"]] == [("cli", None)]


def test_the_stored_provenance_is_in_status(team: Path) -> None:
    ok("sync", "--date", "2024-01-16")
    text = ok("status", NAME, "--as-of", "2024-01-16").stdout
    where = "from sync:csv metrics/activation.csv column activation: last of 2 rows"
    assert f"O1.KR1 36% on 2024-01-16 {where}" in text
    data = json.loads(ok("status", NAME, "--as-of", "2024-01-16", "-f", "json").stdout)
    assert data["key_results"][0]["checkins"][0]["provenance"] == (
        "metrics/activation.csv column activation: last of 2 rows"
    )


def test_diff_shows_a_changed_source(team: Path) -> None:
    changed = PLAN.replace("column: activation}", "column: activation, pick: max}")
    (team / "plan.yaml").write_text(changed, encoding="utf-8")
    ok("save", "plan.yaml", "-m", "plan")
    diff = json.loads(ok("diff", NAME, "1", "--json").stdout)
    kr = diff["objectives"][0]["key_results"][0]
    assert kr["kind"] == "changed"
    assert kr["fields"] == [
        {
            "field": "source",
            "old": '{"csv": "metrics/activation.csv", "column": "activation"}',
            "new": '{"csv": "metrics/activation.csv", "column": "activation", "pick": "max"}',
        }
    ]
    text = ok("diff", NAME, "1").stdout
    assert 'source: {"csv": "metrics/activation.csv", "column": "activation"} →' in text
