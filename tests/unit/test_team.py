"""Team-file review: cross-set findings, the summary, and `okr critique --cross`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.io import read_text
from assistant.model import Finding, OKRSet
from assistant.rubric.team_rules import (
    conflict_findings,
    cross_findings,
    load_team_rules,
    metric_of,
    owner_load_findings,
    resolve_alignment,
    unaligned_findings,
)
from assistant.services.critique import critique_sets
from assistant.services.cross_checks import apply_cross

TEAM = """
cycle: 2026-Q2
sets:
  - name: Sales
    objectives:
      - title: Win the mid-market
        aligns_to: Company O1
        key_results:
          - text: Raise average discount from 10% to 15% to close deals faster
            owner: Maya
          - text: Grow mid-market ARR from $1.2M to $2M
            owner: Maya
          - text: Close 12 new mid-market deals (currently 5 per quarter)
            owner: Maya
  - name: Finance
    objectives:
      - title: Protect our margins
        parent: Company/O2
        key_results:
          - text: Cut average discount from 14% to 8%
            owner: maya
          - text: Reduce cloud spend from $80k to $60k per month
            owner: " Maya "
  - name: Company
    objectives:
      - title: Grow faster than the market
        key_results: [Grow ARR from $10M to $14M, Raise NRR from 104% to 112%]
      - title: Stay profitable
        key_results: [Keep gross margin above 70%, Cut opex from $5M to $4.5M]
  - name: Marketing
    objectives:
      - title: Be known in the mid-market
        key_results:
          - Grow cloud spend from $60k to $90k to run more campaigns
          - Raise branded search visits from 2k to 5k
"""


def team(text: str = TEAM, label: str = "team.yaml") -> list[OKRSet]:
    return read_text(text, label, "yaml")


def codes(findings) -> list[tuple[str, str]]:
    return [(f.code, f.target) for f in findings]


# --- metrics ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tokens", "direction"),
    [
        (
            "Raise average discount from 10% to 15% to close deals faster",
            {"average", "discount"},
            "up",
        ),
        ("Cut average discount from 14% to 8%", {"average", "discount"}, "down"),
        ("Reduce time to first value from 10 days to 2 days", {"time", "first", "value"}, "down"),
        # the numbers decide, whatever the verb says
        ("Improve p95 latency from 3.2 s to 1.5 s", {"p95", "latency"}, "down"),
        ("Reach 50% activation by Q2", {"activation"}, None),
        ("Keep gross margin above 70%", {"gross", "margin"}, None),
    ],
)
def test_metric_words_and_direction(text: str, tokens: set[str], direction: str | None) -> None:
    metric = metric_of(text)
    assert metric.tokens == tokens
    assert metric.direction == direction
    assert metric.evidence in text


# --- TEAM-CONFLICT -----------------------------------------------------------------------------


def test_opposite_directions_on_one_metric_conflict_in_both_sets() -> None:
    sets = team()
    found = conflict_findings(sets)
    assert codes(found[0]) == [("TEAM-CONFLICT", "O1.KR1")]  # Sales raises the discount
    assert ("TEAM-CONFLICT", "O1.KR1") in codes(found[1])  # Finance cuts it
    assert ("TEAM-CONFLICT", "O1.KR2") in codes(found[1])  # Finance cuts cloud spend
    assert codes(found[3]) == [("TEAM-CONFLICT", "O1.KR1")]  # Marketing grows it
    assert found[2] == []
    sales = found[0][0]
    assert sales.evidence == "Raise average discount"
    assert "Finance O1.KR1" in sales.message and "Cut average discount" in sales.message
    assert sales.line == sets[0].objectives[0].key_results[0].line
    assert "Finance" in sales.suggestion


def test_same_direction_or_same_set_is_no_conflict() -> None:
    same_way = """
sets:
  - name: A
    objectives: [{title: Grow, key_results: [Raise NPS from 30 to 40]}]
  - name: B
    objectives: [{title: Delight, key_results: [Lift NPS from 31 to 45]}]
"""
    assert conflict_findings(team(same_way)) == [[], []]
    one_set = """
name: A
objectives:
  - title: Balance
    key_results: [Raise ad spend from $10k to $20k, Cut ad spend from $30k to $20k]
"""
    assert conflict_findings(team(one_set)) == [[]]


# --- TEAM-UNALIGNED ----------------------------------------------------------------------------


def test_unaligned_team_is_flagged_only_when_alignment_is_used() -> None:
    sets = team()
    found = unaligned_findings(sets)
    # Sales and Finance point at Company; Company is pointed at; Marketing is tied to nobody.
    assert [codes(f) for f in found] == [[], [], [], [("TEAM-UNALIGNED", "SET")]]
    assert found[3][0].evidence == "Marketing"
    plain = team(
        TEAM.replace("aligns_to: Company O1", "type: committed").replace(
            "parent: Company/O2", "type: committed"
        )
    )
    assert unaligned_findings(plain) == [[], [], [], []]


def test_alignment_references_resolve_by_id_title_and_set_name() -> None:
    sets = team()
    assert resolve_alignment("Company O2", 0, sets).set_pos == 2
    assert resolve_alignment("company / o2", 0, sets).objective == 2
    assert resolve_alignment("set 3 O1", 0, sets).set_pos == 2
    assert resolve_alignment("Stay profitable", 0, sets).set_pos == 2
    assert resolve_alignment("Company", 0, sets).set_pos == 2
    assert resolve_alignment("O1", 1, sets).set_pos == 1  # a bare id is this set's own
    assert resolve_alignment("Company O7", 0, sets).set_pos is None
    assert resolve_alignment("Prodcut O1", 0, sets).set_pos is None


def test_an_unresolved_reference_is_named_in_the_message() -> None:
    text = TEAM.replace("Be known in the mid-market", "Be known\n        aligns_to: Brand O1")
    found = unaligned_findings(team(text))
    assert "aligns_to 'Brand O1' names no objective here" in found[3][0].message


# --- TEAM-OWNER-LOAD ---------------------------------------------------------------------------


def test_overloaded_owner_case_and_spacing_insensitive_one_finding_per_set() -> None:
    limit = load_team_rules().rule("TEAM-OWNER-LOAD").param("max_key_results")
    assert limit == 4  # the threshold is data (rubrics/team_rules.yaml)
    found = owner_load_findings(team())
    assert codes(found[0]) == [("TEAM-OWNER-LOAD", "O1.KR1")]
    assert codes(found[1]) == [("TEAM-OWNER-LOAD", "O1.KR1")]
    assert "Maya owns 5 key results" in found[0][0].message
    assert "Sales O1.KR1, O1.KR2, O1.KR3; Finance O1.KR1, O1.KR2" in found[0][0].message
    lighter = team(TEAM.replace('owner: " Maya "', "owner: Li"))
    assert owner_load_findings(lighter) == [[], [], [], []]


# --- across files, and the whole --cross pipeline -----------------------------------------------


def test_duplicates_across_files_are_found_only_with_cross() -> None:
    a = read_text(
        "name: A\nobjectives: [{title: T, key_results: [Raise NPS from 30 to 45 by Q2, Cut churn from 5% to 3%]}]",
        "a.yaml",
        "yaml",
    )
    b = read_text(
        "name: B\nobjectives: [{title: U, key_results: [Raise NPS from 30 to 45 by Q2, Grow ARR from $1M to $2M]}]",
        "b.yaml",
        "yaml",
    )
    sets = a + b
    assert not any(f.code == "SET-DUPLICATE" for s in critique_sets(sets).sets for f in s.findings)
    found = cross_findings(sets)
    assert codes(found[1]) == [("SET-DUPLICATE", "O1.KR1")]
    assert "A O1.KR1 (a.yaml)" in found[1][0].message


def test_apply_cross_adds_findings_rescores_and_summarises() -> None:
    sets = team()
    before = critique_sets(sets)
    after, summary = apply_cross(sets, before)
    finance_before, finance_after = before.sets[1], after.sets[1]
    added = [f for f in finance_after.findings if f.code.startswith("TEAM-")]
    assert len(added) == 3
    # each structure finding costs 5 points, as the README's formula says
    assert finance_after.scores.overall == finance_before.scores.overall - 5 * 3
    for critique, okr_set in zip(after.sets, sets, strict=True):
        for f in critique.findings:
            assert f.evidence in okr_set.target_text(f.target)
    overall = [row.scores.overall for row in summary.sets]
    assert overall == sorted(overall)  # weakest set first
    weakest = [kr.overall for kr in summary.weakest_key_results]
    assert weakest == sorted(weakest)
    assert summary.weakest_key_results[0].codes
    assert summary.cross_findings == {"TEAM-CONFLICT": 4, "TEAM-OWNER-LOAD": 2, "TEAM-UNALIGNED": 1}
    maya = summary.owners[0]
    assert (maya.owner, maya.count, maya.over_limit) == ("Maya", 5, True)
    assert summary.uses_alignment


def test_cli_cross_json_keeps_spec_shape_and_adds_team(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["critique", str(path), "--cross", "--format", "json", "--engine", "rules"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"version", "engine", "sets", "summary", "team"}
    assert [row["name"] for row in data["team"]["sets"]][0] == "Finance"
    sales = data["sets"][0]
    assert {"code": "TEAM-CONFLICT", "target": "O1.KR1"}.items() <= sales["findings"][0].items()
    plain = CliRunner().invoke(
        main, ["critique", str(path), "--format", "json", "--engine", "rules"]
    )
    assert "team" not in json.loads(plain.output)
    assert not any(
        f["code"].startswith("TEAM-")
        for s in json.loads(plain.output)["sets"]
        for f in s["findings"]
    )


def test_cli_cross_text_and_markdown_show_the_summary(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(TEAM, encoding="utf-8")
    text = CliRunner().invoke(
        main, ["critique", str(path), "--cross", "--no-color", "--engine", "rules"]
    )
    assert text.exit_code == 0
    assert "Team summary — weakest first" in text.output
    assert "Maya  5:" in text.output
    md = CliRunner().invoke(
        main, ["critique", str(path), "--cross", "-f", "markdown", "--engine", "rules"]
    )
    assert "## Team summary" in md.output
    assert "| Finance |" in md.output
    assert "TEAM-CONFLICT ×4" in md.output


def test_an_llm_report_keeps_its_findings_and_the_rules_scores() -> None:
    sets = team()
    rules = critique_sets(sets)
    llm_note = Finding(
        code="LLM-NO-DATA-SOURCE",
        target="O1.KR1",
        dimension="measurability",
        severity="error",
        evidence="Cut average discount",
        message="m",
        question="q",
        suggestion="s",
        source="llm",
    )
    finance = rules.sets[1].model_copy(
        update={"engine": "llm", "findings": [*rules.sets[1].findings, llm_note]}
    )
    report = rules.model_copy(
        update={"engine": "llm", "sets": [rules.sets[0], finance, *rules.sets[2:]]}
    )
    after, _ = apply_cross(sets, report)
    assert llm_note in after.sets[1].findings
    # the LLM's own finding costs nothing: scores are the rules findings plus the cross ones
    rules_only, _ = apply_cross(sets, rules)
    assert after.sets[1].scores == rules_only.sets[1].scores
    assert after.sets[1].engine == "llm"
