"""The TUI's pure parts: structural edits, suggestions, hints, and the dismissals service."""

from __future__ import annotations

import pytest
from conftest import seed

from assistant.app import App
from assistant.errors import UsageError
from assistant.model import Finding, KeyResult, Objective, OKRSet, Rewrite
from assistant.services import dismissals, drafts
from assistant.services.critique import critique_set
from tui import editing
from tui.hints import compute_hints
from tui.suggestions import placeholders, suggestion_for, with_delta

COMPACT = """name: X
objectives:
- title: A
  key_results:
  - kr1
  - text: kr2
    owner: Li
  - kr3
- title: B
  key_results:
  - b1
"""

INDENTED = """name: X
objectives:
  - title: A
    key_results:
      - kr1
      - kr2
  - title: B
    owner: Z
"""


def _after(text: str, edit: editing.Edit | None) -> str:
    assert edit is not None
    return editing.apply(text, edit)


def test_move_a_structured_kr_keeps_its_fields() -> None:
    moved = _after(COMPACT, editing.move_item(COMPACT, 6, -1))  # on "owner: Li"
    assert moved.splitlines()[4:7] == ["  - text: kr2", "    owner: Li", "  - kr1"]
    assert editing.move_item(COMPACT, 4, -1) is None  # first KR cannot go up


def test_move_an_objective_moves_its_key_results() -> None:
    edit = editing.move_item(COMPACT, 3, +1)  # on A's "key_results:"
    moved = _after(COMPACT, edit)
    assert moved.splitlines()[2:5] == ["- title: B", "  key_results:", "  - b1"]
    assert moved.splitlines()[5] == "- title: A"
    assert edit.cursor == (6, 0)  # still on A's key_results line


def test_delete_item_removes_the_kr_block() -> None:
    deleted = _after(COMPACT, editing.delete_item(COMPACT, 6))
    assert "kr2" not in deleted and "owner: Li" not in deleted and "kr3" in deleted


def test_add_key_result_in_both_list_styles() -> None:
    after_kr = editing.add_key_result(COMPACT, 5)
    assert after_kr.start == 7 and after_kr.lines == ["  - "] and after_kr.cursor == (7, 4)
    on_title = editing.add_key_result(INDENTED, 2)
    assert _after(INDENTED, on_title).splitlines()[6] == "      - "
    no_krs = editing.add_key_result(INDENTED, 7)  # objective B has no key_results yet
    assert _after(INDENTED, no_krs).splitlines()[8:] == ["    key_results:", "      - "]
    assert editing.add_key_result("name: X\n", 0) is None


def test_add_objective() -> None:
    added = editing.add_objective(INDENTED, 4)
    assert _after(INDENTED, added).splitlines()[6] == "  - title: "
    first = editing.add_objective("name: x\n", 0)
    assert _after("name: x\n", first) == "name: x\nobjectives:\n- title: \n"
    assert first.cursor == (2, 9)


def test_every_structural_edit_still_parses(weak_set: OKRSet) -> None:
    from assistant.io import read_text, write_sets

    text = write_sets([weak_set], "yaml")
    rows = [i for i, line in enumerate(text.splitlines()) if line.startswith("  - ")]
    assert len(rows) == 3
    for row in rows:
        for edit in (
            editing.move_item(text, row, -1),
            editing.move_item(text, row, 1),
            editing.delete_item(text, row),
            editing.add_key_result(text, row),
        ):
            if edit is None:
                continue
            after = editing.apply(text, edit)
            if edit.lines == ["  - "]:
                after = after.replace("  - \n", "  - Added KR\n")
            krs = read_text(after, "x.yaml", "yaml")[0].objectives[0].key_results
            assert len(krs) in (2, 3, 4)


def _finding(code: str, target: str, suggestion: str, evidence: str = "") -> Finding:
    return Finding(
        code=code,
        target=target,
        dimension="measurability",
        severity="warning",
        evidence=evidence,
        message="m",
        question="q",
        suggestion=suggestion,
    )


def _rules_finding(code: str, text: str) -> Finding:
    okr_set = OKRSet(objectives=[Objective(title="Grow", key_results=[KeyResult(text=text)])])
    return next(f for f in critique_set(okr_set).findings if f.code == code)


def test_only_full_rewrites_are_offered_and_only_from_the_finding_itself() -> None:
    current = "Grow MRR to $80k"
    okr_set = OKRSet(objectives=[Objective(title="Grow", key_results=[KeyResult(text=current)])])
    baseline = _rules_finding("KR-NO-BASELINE", current)
    offered = suggestion_for(baseline, okr_set)
    assert offered is not None and offered.text == "Grow MRR from [baseline] to $80k"
    # Blanks only: no gain is claimed (rubric.rewrites.only_placeholders), on the card either.
    assert offered.delta == baseline.rewrite.score_delta and offered.delta is None
    # Advice that quotes a rewrite is not a rewrite: nothing is scraped from prose.
    quoted = _finding(
        "KR-NO-BASELINE", "O1.KR1", "Add the starting value: 'Grow MRR from [baseline] to $80k'"
    )
    assert suggestion_for(quoted, okr_set) is None
    # A low target gets the whole key result back with a blank, not a fragment.
    low = _rules_finding("KR-LOW-AMBITION", "Keep sign-ups growing from 80 to 81 this quarter")
    assert low.rewrite.text == "Keep sign-ups growing from 80 to [stretch target] this quarter"
    # Splits and templates are advice only.
    assert _rules_finding("KR-COMPOUND", "Grow MRR to $80k and NPS to 45 by Q2").rewrite is None
    assert _rules_finding("KR-VAGUE", "Be better at support").rewrite is None


def test_suggestions_and_their_score_delta(weak_set: OKRSet) -> None:
    critique = critique_set(weak_set)
    deadline = next(
        f for f in critique.findings if f.code == "KR-NO-DEADLINE" and f.target == "O1.KR3"
    )
    suggestion = suggestion_for(deadline, weak_set)
    assert suggestion.text == "Grow MRR to $80k and NPS to 45 by [deadline]"
    assert suggestion.placeholders == ("[deadline]",) and not suggestion.ready
    # The critique's own rewrite, not re-scored here: blanks only claim no gain.
    assert suggestion.delta == deadline.rewrite.score_delta and suggestion.delta is None
    assert with_delta(suggestion, deadline, weak_set) == suggestion

    llm = deadline.model_copy(
        update={
            "source": "llm",
            "rewrite": Rewrite(text="Grow MRR from $50k to $80k by 30 Jun 2026"),
            "evidence": "Grow MRR",
        }
    )
    offered = suggestion_for(llm, weak_set)
    assert offered.ready
    scored = with_delta(offered, llm, weak_set)
    assert scored.delta is not None and scored.delta > 0
    assert placeholders("Ship [bold] by [deadline]", "Ship [bold]") == ("[deadline]",)


def test_hints_map_rows_to_targets_and_report_one_line_errors() -> None:
    text = "name: X\nobjectives:\n- title: Grow\n  key_results:\n  - Improve things\n"
    hints = compute_hints(text, "draft")
    assert hints.error is None
    assert hints.target_at(0) is None
    assert hints.target_at(2) == "O1" and hints.target_at(3) == "O1"
    assert hints.target_at(4) == "O1.KR1" and hints.line_of("O1.KR1") == 4
    assert {f.code for f in hints.findings_for("O1.KR1")} >= {"KR-VAGUE", "KR-NO-NUMBER"}
    broken = compute_hints("name: [x\n", "draft")
    assert broken.okr_set is None and broken.error.startswith("draft:")
    assert "\n" not in broken.error
    one = "objectives:\n  - title: T\n    key_results: [Grow X from 1 to 2]\n"
    two = compute_hints(f"sets:\n- name: a\n  {one}- name: b\n  {one}", "draft")
    assert "one set" in two.error


def test_dismissals_per_version(core: App, weak_set: OKRSet) -> None:
    seed(core, "cs", weak_set)
    finding = critique_set(weak_set).findings[0]
    key = dismissals.dismiss(core.store, "cs", 1, finding)
    assert dismissals.dismiss(core.store, "cs", 1, finding) == key  # idempotent
    assert dismissals.dismissed(core.store, "cs", 1) == {key}
    assert dismissals.dismissed(core.store, "cs", 2) == set()
    assert dismissals.carry_forward(core.store, "cs", 1, 2) == 1
    assert dismissals.dismissed(core.store, "cs", 2) == {key}
    assert dismissals.undismiss(core.store, "cs", 1, finding) == 1
    assert dismissals.dismissed(core.store, "cs", 1) == set()
    other = finding.model_copy(update={"evidence": "something else"})
    assert dismissals.finding_key(other) != key
    with pytest.raises(UsageError, match="unknown draft"):
        dismissals.dismiss(core.store, "nope", 1, finding)
    # The store stays consistent (doctor knows the migration).
    assert drafts.doctor(core.store).ok


def test_change_message_names_what_changed(weak_set: OKRSet) -> None:
    assert editing.change_message(weak_set, weak_set) == "Edit"
    renamed = weak_set.model_copy(deep=True)
    renamed.name = "Another name"
    renamed.objectives[0].key_results[0].text = "Raise activation from 30% to 40%"
    assert editing.change_message(weak_set, renamed) == "Edit set, O1"
    grown = weak_set.model_copy(deep=True)
    grown.objectives.append(grown.objectives[0].model_copy(deep=True))
    assert editing.change_message(weak_set, grown) == "Edit O2"


def test_hints_are_cached_by_text_and_merge_the_coach_findings() -> None:
    text = "name: X\nobjectives:\n- title: Grow\n  key_results:\n  - Improve things\n"
    hints = compute_hints(text, "draft")
    assert compute_hints(text, "draft") is hints  # the editor's thread and loop share it
    assert hints.key == compute_hints("# layout only\n" + text, "draft").key
    coach = _finding("LLM-X", "O1.KR1", "s", evidence="Improve").model_copy(
        update={"source": "llm"}
    )
    gone = _finding("LLM-Y", "O1.KR1", "s", evidence="no longer there").model_copy(
        update={"source": "llm"}
    )
    merged = hints.merged_findings([coach, gone], dismissals.finding_key)
    assert coach in merged and gone not in merged
    assert [f.source for f in merged if f.target == "O1.KR1"][-1] == "llm"  # rules first
    dismissed = {dismissals.finding_key(coach)}
    assert coach not in hints.merged_findings([coach], dismissals.finding_key, dismissed)


def test_one_score_bar_for_the_report_and_the_tui() -> None:
    from assistant.render.bars import score_bar, score_bar_spans
    from tui.screen_text import score_block

    assert score_bar("clarity", 3).plain == "clarity       ███░░ 3/5"
    assert [span.style for span in score_bar("clarity", 1).spans] == ["bold", "red", "grey50"]
    assert "".join(text for text, _ in score_bar_spans("ambition", 5)) == "ambition      █████ 5/5"
    scores = critique_set(compute_hints("objectives:\n- title: Grow\n").okr_set).scores
    assert score_block(scores).plain.splitlines()[0] == score_bar("clarity", scores.clarity).plain


def test_a_moved_key_result_is_one_change_not_a_removal_and_an_addition(
    core: App, weak_set
) -> None:
    from assistant.render.diff import diff_lines

    seed(core, "d", weak_set)
    moved = weak_set.model_copy(deep=True)
    krs = moved.objectives[0].key_results
    krs.append(krs.pop(0))  # KR1 to the end
    seed(core, "d", moved, "move")
    lines = [line.plain for line in diff_lines(drafts.diff(core.store, "d", 1))]
    text = krs[-1].text
    assert not any(line.lstrip().startswith(("- ", "+ ")) and text in line for line in lines)
    assert any(f"~ O1.KR1 → O1.KR3 {text}" in line for line in lines), lines
    assert any("2 key results unchanged" in line for line in lines), lines


def test_the_score_sparkline_uses_the_fixed_0_to_100_scale() -> None:
    from tui.screen_text import score_sparkline

    top, bottom = score_sparkline([78, 80]).plain.split("\n")
    # 78 and 80: one eighth of a row apart, not the bottom and the top of the chart.
    assert (top[0], top[3]) == ("▄", "▅")
    assert bottom[:2] == bottom[3:5] == "██"
    low_top, low_bottom = score_sparkline([10, 100]).plain.split("\n")
    assert low_top[:2] == "  " and low_bottom[:2] != "██" and low_top[3:5] == "██"
