"""Stored reviews: kept with the draft version they reviewed; accepting a change adds a version."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.errors import UsageError
from assistant.io import read_text
from assistant.render.review import to_markdown
from assistant.services import drafts
from assistant.services.review import (
    accept_review_change,
    get_review,
    list_reviews,
    run_draft_review,
)
from assistant.store import ConflictError, db_path
from assistant.store.migrations import MIGRATIONS

PLAN = """
name: Plan
cycle: 2026-Q1
objectives:
  - title: Make onboarding effortless
    key_results:
      - Reach 50% week-1 activation
      - Launch the new onboarding flow
      - Cut time to first dashboard from 3 days to 1 day
"""
PANEL = ["finance-lead", "data-analyst"]


@pytest.fixture
def plan(okr_home: Path) -> str:
    drafts.save(okr_home, "plan", read_text(PLAN, "plan.yaml", "yaml")[0], "first")
    return "plan"


def change_number(review, target: str) -> int:
    return next(
        n for n, c in enumerate(review.synthesis.top_changes, start=1) if c.target == target
    )


def test_review_is_stored_with_the_version_it_reviewed(okr_home: Path, plan: str) -> None:
    r = run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    assert (r.id, r.draft, r.version) == (1, "plan", 1)
    drafts.save(okr_home, plan, read_text(PLAN.replace("50%", "55%"), "p.yaml", "yaml")[0], "edit")
    older = run_draft_review(okr_home, "plan@1", personas=PANEL, engine="rules", rounds=1)
    assert (older.id, older.version) == (2, 1)
    infos = list_reviews(okr_home, plan)
    assert [(i.id, i.version, i.rounds) for i in infos] == [(2, 1, 1), (1, 1, 2)]
    assert infos[0].personas == PANEL and infos[0].engine == "rules"
    loaded = get_review(okr_home, 1, "plan")
    assert loaded.model_dump(exclude={"accepted"}) == r.model_dump(exclude={"accepted"})
    assert run_draft_review(okr_home, plan, personas=PANEL, engine="rules", save=False).id is None
    assert len(list_reviews(okr_home, plan)) == 2
    with pytest.raises(UsageError, match="no review 1 for draft 'other'"):
        get_review(okr_home, 1, "other")


def test_markdown_export_of_a_stored_review(okr_home: Path, plan: str) -> None:
    r = run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    md = to_markdown(r)
    assert md.startswith("# Peer review: Plan (plan@1)")
    assert "_Offline review (rules engine): deterministic" in md
    for heading in ("### Top changes", "### Where reviewers agree", "### Where they disagree",
                    "### Open questions for the author", "## Round 1", "## Round 2"):  # fmt: skip
        assert heading in md
    assert "okr review accept plan N --review 1" in md


def test_accepting_a_change_creates_a_review_version(okr_home: Path, plan: str) -> None:
    r = run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    n = change_number(r, "O1.KR1")
    outcome = accept_review_change(okr_home, plan, r.id, n)
    assert outcome.created and outcome.version.number == 2
    assert outcome.version.source == "review"
    assert outcome.version.message == f"Accept review {r.id} change {n}: O1.KR1"
    head = drafts.get_version(okr_home, plan)
    assert head.okr_set.objectives[0].key_results[0].text == r.synthesis.top_changes[n - 1].rewrite
    assert get_review(okr_home, r.id).accepted == {n: 2}
    assert list_reviews(okr_home, plan)[0].accepted == [n]
    assert "✓ accepted as v2" in to_markdown(get_review(okr_home, r.id))


def test_a_crash_while_recording_the_acceptance_keeps_neither_half(
    okr_home: Path, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.store import reviews as rows

    r = run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    n = change_number(r, "O1.KR1")

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(rows, "record_acceptance", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        accept_review_change(okr_home, plan, r.id, n)
    assert drafts.get_version(okr_home, plan).number == 1  # no orphan review version
    assert get_review(okr_home, r.id).accepted == {}
    monkeypatch.undo()
    assert accept_review_change(okr_home, plan, r.id, n).version.number == 2


def test_accept_refuses_what_it_cannot_apply(okr_home: Path, plan: str) -> None:
    r = run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    with pytest.raises(UsageError, match="has no change 9"):
        accept_review_change(okr_home, plan, r.id, 9)
    no_rewrite = change_number(r, "O1.KR2")  # an activity KR needs the author's own words
    with pytest.raises(UsageError, match="offers no rewrite"):
        accept_review_change(okr_home, plan, r.id, no_rewrite)
    own = accept_review_change(
        okr_home, plan, r.id, no_rewrite, text="Raise onboarding completion from 40% to 60%"
    )
    assert own.version.source == "review"
    # O1.KR1 is edited by hand after the review: its suggestion is stale now
    current = drafts.get_version(okr_home, plan).okr_set
    current.objectives[0].key_results[0].text = "Reach 60% week-1 activation"
    drafts.save(okr_home, plan, current, "hand edit")
    with pytest.raises(ConflictError, match="O1.KR1 changed since review"):
        accept_review_change(okr_home, plan, r.id, change_number(r, "O1.KR1"))


def test_reviews_table_is_a_migration_and_goes_with_a_purged_draft(
    okr_home: Path, plan: str
) -> None:
    assert "0005_reviews" in [m.name for m in MIGRATIONS]
    run_draft_review(okr_home, plan, personas=PANEL, engine="rules")
    drafts.delete(okr_home, plan, now=datetime.now(UTC) - timedelta(days=40))
    assert drafts.purge(okr_home) == ["plan"]
    with sqlite3.connect(db_path(okr_home)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    assert drafts.doctor(okr_home).ok


def test_unknown_drafts_are_usage_errors(okr_home: Path) -> None:
    with pytest.raises(UsageError, match="unknown draft"):
        run_draft_review(okr_home, "nope", engine="rules")
    with pytest.raises(UsageError, match="unknown draft"):
        list_reviews(okr_home, "nope")
