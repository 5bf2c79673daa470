"""One unit of work: a version and what goes with it (carried-forward dismissals, a
review acceptance) commit together, or neither does."""

from __future__ import annotations

import pytest

from assistant.errors import UsageError
from assistant.io import read_text
from assistant.model import Finding, OKRSet, Rewrite, UnknownTarget
from assistant.services import dismissals, drafts
from assistant.store import ConflictError, StoreError
from assistant.store.repositories import DismissalRepository, VersionRepository
from assistant.store.store import Store, UnitOfWork

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


def _seed(store: Store) -> None:
    drafts.save(store, "Growth", _set(), "v1", author="a")
    dismissals.dismiss(store, "Growth", 1, OTHER)


def test_accept_carries_the_dismissals_forward_with_the_new_version(store: Store) -> None:
    _seed(store)
    result = drafts.accept(store, "Growth", REWRITE, expected_head=1)
    assert result.version.number == 2
    assert dismissals.dismissed(store, "Growth", 2) == {dismissals.finding_key(OTHER)}


def test_a_failure_between_the_save_and_the_dismissals_leaves_neither(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store)
    copy = DismissalRepository.copy

    def copy_then_crash(
        repo: DismissalRepository, draft_id: int, old: int, new: int, created_at: str
    ) -> int:
        copy(repo, draft_id, old, new, created_at)  # the second part has written too…
        raise RuntimeError("crash between the two writes")  # …and then fails

    monkeypatch.setattr(DismissalRepository, "copy", copy_then_crash)
    with pytest.raises(RuntimeError, match="crash"):
        drafts.accept(store, "Growth", REWRITE, expected_head=1)
    assert [v.number for v in drafts.history(store, "Growth")] == [1]
    assert dismissals.dismissed(store, "Growth", 2) == set()
    assert drafts.doctor(store).ok

    monkeypatch.setattr(DismissalRepository, "copy", copy)
    drafts.accept(store, "Growth", REWRITE, expected_head=1)  # nothing half-done in the way
    assert dismissals.dismissed(store, "Growth", 2) == {dismissals.finding_key(OTHER)}


def test_an_editor_save_carries_dismissals_in_its_transaction(store: Store) -> None:
    _seed(store)
    edited = _set().with_text("O1.KR2", "Cut time-to-first-dashboard from 3 days to 2 days")
    plain = drafts.save(store, "Growth", edited, "edit", expected_head=1)
    assert dismissals.dismissed(store, "Growth", plain.version.number) == set()
    again = _set().with_text("O1.KR2", "Cut time-to-first-dashboard from 3 days to 4 hours")
    result = drafts.save(store, "Growth", again, "edit 2", carry_dismissals=True)
    assert result.version.number == 3
    assert dismissals.dismissed(store, "Growth", 3) == set()  # v2 had none to carry
    dismissals.dismiss(store, "Growth", 3, OTHER)
    result = drafts.save(store, "Growth", _set(), "back", carry_dismissals=True)
    assert dismissals.dismissed(store, "Growth", 4) == {dismissals.finding_key(OTHER)}


def test_a_unit_of_work_commits_a_save_and_its_companion_together(store: Store) -> None:
    _seed(store)
    updated = drafts.apply_rewrite(_set(), "O1.KR1", "Raise activation from 30% to 40% by June")
    with store.unit_of_work():
        result = drafts.save(store, "Growth", updated, "accept", expected_head=1)
        moved = dismissals.carry_forward(store, "Growth", 1, result.version.number)
        # Inside the transaction the caller sees its own writes…
        assert drafts.get_version(store, "Growth").number == 2
    assert moved == 1
    assert drafts.get_version(store, "Growth").number == 2
    assert dismissals.dismissed(store, "Growth", 2) == {dismissals.finding_key(OTHER)}


def _growth_id(uow: UnitOfWork) -> int:
    draft = uow.drafts.find("Growth")
    assert draft is not None
    return draft.id


def test_an_error_in_a_unit_of_work_rolls_back_every_write_in_it(store: Store) -> None:
    _seed(store)
    updated = drafts.apply_rewrite(_set(), "O1.KR1", "Raise activation from 30% to 40% by June")
    failing = pytest.raises(StoreError, match="database error: FOREIGN KEY")
    with failing, store.unit_of_work() as uow:
        drafts.save(store, "Growth", updated, "accept", source="review")
        drafts.save(store, "Fresh", _set(), "a new draft")
        version_id = uow.versions.id_of(_growth_id(uow), 2)
        assert version_id is not None
        # Review 999 does not exist: the acceptance breaks a FOREIGN KEY at the end.
        uow.reviews.record_acceptance(999, 1, version_id, "2026-01-01T00:00:00+00:00")
    assert [v.number for v in drafts.history(store, "Growth")] == [1]
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth"]


def test_a_caught_error_inside_a_unit_of_work_undoes_only_that_call(store: Store) -> None:
    with store.unit_of_work():
        drafts.save(store, "Growth", _set(), "v1")
        with pytest.raises(ConflictError):  # creates the draft, then refuses: undone
            drafts.save(store, "Other", _set(), "stale", expected_head=3)
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth"]


def test_a_save_cannot_join_a_read_only_unit_of_work(store: Store) -> None:
    _seed(store)
    with store.unit_of_work(write=False), pytest.raises(RuntimeError, match="read-only"):
        drafts.save(store, "Growth", _set().with_text("O1.KR1", "Raise X"), "v2")
    assert [v.number for v in drafts.history(store, "Growth")] == [1]


def test_a_rename_and_its_new_version_commit_together_or_not_at_all(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(store)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crash after the rename, before its version")

    monkeypatch.setattr(VersionRepository, "append", crash)
    with pytest.raises(RuntimeError, match="crash"):
        drafts.rename(store, "Growth", "Growth 2026")
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth"]
    assert drafts.get_version(store, "Growth").okr_set.name == "Growth"

    monkeypatch.undo()
    result = drafts.rename(store, "Growth", "Growth 2026")
    assert [d.name for d in drafts.list_drafts(store)] == ["Growth 2026"]
    assert result.version.number == 2 and result.version.message == "Rename to Growth 2026"
    # The rename's version carries the dismissals forward like any other edit.
    assert dismissals.dismissed(store, "Growth 2026", 2) == {dismissals.finding_key(OTHER)}


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
