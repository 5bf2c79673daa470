"""One unit of work: a version and what goes with it (carried-forward dismissals, a
review acceptance) commit together, or neither does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.io import read_text
from assistant.model import Finding, OKRSet, Rewrite, UnknownTarget
from assistant.services import dismissals, drafts
from assistant.store import ConflictError, StoreError, UnitOfWork

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


def _finding(code: str, target: str, evidence: str, text: str | None = None) -> Finding:
    return Finding(
        code=code,
        target=target,
        dimension="clarity",
        severity="warning",
        evidence=evidence,
        message="vague",
        question="which number?",
        suggestion="name it",
        source="rules",
        rewrite=Rewrite(text=text) if text else None,
    )


REWRITE = _finding("KR-VAGUE", "O1.KR1", "Improve", "Raise activation from 30% to 40% by June")
OTHER = _finding("KR-NO-DATE", "O1.KR2", "Cut", None)


def _seed(home: Path) -> None:
    drafts.save(home, "Growth", _set(), "v1", author="a")
    dismissals.dismiss(home, "Growth", 1, OTHER)


def test_accept_carries_the_dismissals_forward_with_the_new_version(okr_home: Path) -> None:
    _seed(okr_home)
    result = drafts.accept(okr_home, "Growth", REWRITE, expected_head=1)
    assert result.version.number == 2
    assert dismissals.dismissed(okr_home, "Growth", 2) == {dismissals.finding_key(OTHER)}


def test_a_failure_between_the_save_and_the_dismissals_leaves_neither(
    okr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(okr_home)
    copy = dismissals.copy_dismissals

    def copy_then_crash(conn: sqlite3.Connection, draft_id: int, old: int, new: int) -> int:
        copy(conn, draft_id, old, new)  # the second part has written too…
        raise RuntimeError("crash between the two writes")  # …and then fails

    monkeypatch.setattr(dismissals, "copy_dismissals", copy_then_crash)
    with pytest.raises(RuntimeError, match="crash"):
        drafts.accept(okr_home, "Growth", REWRITE, expected_head=1)
    assert [v.number for v in drafts.history(okr_home, "Growth")] == [1]
    assert dismissals.dismissed(okr_home, "Growth", 2) == set()
    assert drafts.doctor(okr_home).ok

    monkeypatch.setattr(dismissals, "copy_dismissals", copy)
    drafts.accept(okr_home, "Growth", REWRITE, expected_head=1)  # nothing half-done in the way
    assert dismissals.dismissed(okr_home, "Growth", 2) == {dismissals.finding_key(OTHER)}


def test_an_editor_save_carries_dismissals_in_its_transaction(okr_home: Path) -> None:
    _seed(okr_home)
    edited = _set().with_text("O1.KR2", "Cut time-to-first-dashboard from 3 days to 2 days")
    plain = drafts.save(okr_home, "Growth", edited, "edit", expected_head=1)
    assert dismissals.dismissed(okr_home, "Growth", plain.version.number) == set()
    again = _set().with_text("O1.KR2", "Cut time-to-first-dashboard from 3 days to 4 hours")
    result = drafts.save(okr_home, "Growth", again, "edit 2", carry_dismissals=True)
    assert result.version.number == 3
    assert dismissals.dismissed(okr_home, "Growth", 3) == set()  # v2 had none to carry
    dismissals.dismiss(okr_home, "Growth", 3, OTHER)
    result = drafts.save(okr_home, "Growth", _set(), "back", carry_dismissals=True)
    assert dismissals.dismissed(okr_home, "Growth", 4) == {dismissals.finding_key(OTHER)}


def test_a_unit_of_work_commits_a_save_and_its_companion_together(okr_home: Path) -> None:
    _seed(okr_home)
    updated = drafts.apply_rewrite(_set(), "O1.KR1", "Raise activation from 30% to 40% by June")
    with UnitOfWork(okr_home) as uow:
        result = drafts.save(okr_home, "Growth", updated, "accept", expected_head=1, uow=uow)
        moved = dismissals.carry_forward(okr_home, "Growth", 1, result.version.number, uow=uow)
        # Inside the transaction the caller sees its own writes…
        assert drafts.get_version(okr_home, "Growth", uow=uow).number == 2
    assert moved == 1
    assert drafts.get_version(okr_home, "Growth").number == 2
    assert dismissals.dismissed(okr_home, "Growth", 2) == {dismissals.finding_key(OTHER)}


def test_an_error_in_a_unit_of_work_rolls_back_every_write_in_it(okr_home: Path) -> None:
    _seed(okr_home)

    def record_acceptance(conn: sqlite3.Connection) -> None:
        raise sqlite3.IntegrityError("FOREIGN KEY constraint failed")

    updated = drafts.apply_rewrite(_set(), "O1.KR1", "Raise activation from 30% to 40% by June")
    failing = pytest.raises(StoreError, match="database error: FOREIGN KEY")
    with failing, UnitOfWork(okr_home) as uow:
        drafts.save(okr_home, "Growth", updated, "accept", source="review", uow=uow)
        drafts.save(okr_home, "Fresh", _set(), "a new draft", uow=uow)
        record_acceptance(uow.conn)
    assert [v.number for v in drafts.history(okr_home, "Growth")] == [1]
    assert [d.name for d in drafts.list_drafts(okr_home)] == ["Growth"]


def test_a_caught_error_inside_a_unit_of_work_undoes_only_that_call(okr_home: Path) -> None:
    with UnitOfWork(okr_home) as uow:
        drafts.save(okr_home, "Growth", _set(), "v1", uow=uow)
        with pytest.raises(ConflictError):  # creates the draft, then refuses: undone
            drafts.save(okr_home, "Other", _set(), "stale", expected_head=3, uow=uow)
    assert [d.name for d in drafts.list_drafts(okr_home)] == ["Growth"]


def test_a_unit_of_work_is_used_open_and_for_its_own_home(okr_home: Path, tmp_path: Path) -> None:
    uow = UnitOfWork(okr_home)
    with pytest.raises(RuntimeError, match="not open"):
        uow.conn  # noqa: B018
    with uow, pytest.raises(ValueError, match="another data home"):
        drafts.save(tmp_path / "elsewhere", "Growth", _set(), "v1", uow=uow)


def test_apply_rewrite_names_what_cannot_be_rewritten() -> None:
    okr_set = _set()
    with pytest.raises(UnknownTarget, match="cannot apply a rewrite to 'SET'"):
        drafts.apply_rewrite(okr_set, "SET", "x")
    with pytest.raises(UsageError, match="cannot apply a rewrite to 'KR1'"):
        drafts.apply_rewrite(okr_set, "KR1", "x")
    with pytest.raises(UsageError, match="the rewrite of O1 is empty"):
        drafts.apply_rewrite(okr_set, "O1", "  ")
    with pytest.raises(UsageError, match=r"O2 does not exist \(the set has 1 objectives\)"):
        drafts.apply_rewrite(okr_set, "O2", "x")
    with pytest.raises(ConflictError, match="O1.KR1 changed since this suggestion"):
        drafts.apply_rewrite(okr_set, "O1.KR1", "x", evidence="Boost")
    updated = drafts.apply_rewrite(okr_set, "O1", "Make  onboarding\nfast", evidence="effortless")
    assert updated.objectives[0].title == "Make onboarding fast"
    assert okr_set.objectives[0].title == "Make onboarding effortless"  # the original stays
