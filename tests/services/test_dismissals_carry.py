"""A dismissal holds while its target's text is unchanged: every new version (a save
from the CLI, a restore, an accepted review change) keeps the dismissals of the version
it was saved on whose target reads the same, in the save's unit of work."""

from __future__ import annotations

import pytest

from assistant.io import read_text
from assistant.model import Finding, OKRSet
from assistant.services import dismissals, drafts
from assistant.store.repositories import DismissalRepository
from assistant.store.store import Store

SET = """
name: Growth
objectives:
  - title: Make onboarding effortless
    key_results:
      - Improve activation
      - Cut time-to-first-dashboard from 3 days to 1 day
"""


def _set() -> OKRSet:
    return read_text(SET, "growth.yaml", "yaml")[0]


def _finding(code: str, target: str, evidence: str) -> Finding:
    return Finding(
        code=code,
        target=target,
        dimension="clarity",
        severity="warning",
        evidence=evidence,
        message="m",
        question="q",
        suggestion="s",
        source="rules",
    )


VAGUE = _finding("KR-VAGUE", "O1.KR1", "Improve")
NO_DATE = _finding("KR-NO-DEADLINE", "O1.KR2", "Cut time-to-first-dashboard")
TITLE = _finding("OBJ-VAGUE", "O1", "effortless")


def _keys(*findings: Finding) -> set[str]:
    return {dismissals.finding_key(f) for f in findings}


def _seed(store: Store) -> None:
    drafts.save(store, "Growth", _set(), "v1", author="a")
    for finding in (VAGUE, NO_DATE, TITLE):
        dismissals.dismiss(store, "Growth", 1, finding)


def test_a_plain_save_keeps_the_dismissals_whose_target_reads_the_same(store: Store) -> None:
    _seed(store)
    edited = _set().with_text("O1.KR1", "Raise activation from 30% to 40%")
    result = drafts.save(store, "Growth", edited, "edit", author="cli")  # as `okr save` does
    assert dismissals.dismissed(store, "Growth", result.version.number) == _keys(NO_DATE, TITLE)

    # A restore is a new version too: O1.KR1 reads as in v2 no more, the others hold.
    restored = drafts.restore(store, "Growth", 1)
    assert dismissals.dismissed(store, "Growth", restored.version.number) == _keys(NO_DATE, TITLE)


def test_a_dismissal_follows_its_key_result_when_it_moves(store: Store) -> None:
    _seed(store)
    moved = _set()
    krs = moved.objectives[0].key_results
    moved.objectives[0].key_results = [krs[1], krs[0]]  # alt+up: O1.KR2 is O1.KR1 now
    result = drafts.save(store, "Growth", moved, "reorder", author="a")
    kept = dismissals.dismissed(store, "Growth", result.version.number)
    followed = {
        dismissals.finding_key(VAGUE.model_copy(update={"target": "O1.KR2"})),
        dismissals.finding_key(NO_DATE.model_copy(update={"target": "O1.KR1"})),
    }
    assert kept == followed | _keys(TITLE)


def test_the_carry_is_part_of_the_saves_unit_of_work(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store)

    def crash(*args: object) -> None:
        raise RuntimeError("crash while carrying the dismissals")

    monkeypatch.setattr(DismissalRepository, "add", crash)
    edited = _set().with_text("O1.KR1", "Raise activation from 30% to 40%")
    with pytest.raises(RuntimeError, match="crash"):
        drafts.save(store, "Growth", edited, "edit", author="a")
    assert [v.number for v in drafts.history(store, "Growth")] == [1]  # neither half
    assert dismissals.dismissed(store, "Growth", 2) == set()


def test_set_findings_hold_while_the_set_keeps_its_name() -> None:
    before = _set()
    key = dismissals.finding_key(_finding("SET-TOO-MANY", "SET", "Growth"))
    assert dismissals.carried_keys({key}, before, before.with_text("O1", "Onboard")) == {key: key}
    renamed = before.model_copy(update={"name": "Growth 2"})
    assert dismissals.carried_keys({key}, before, renamed) == {}
    assert dismissals.carried_keys({"not a key"}, before, before) == {}
