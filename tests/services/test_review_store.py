"""Stored reviews: kept with the draft version they reviewed; accepting a change adds a version."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.app import App, bootstrap
from assistant.errors import UsageError
from assistant.io import read_text
from assistant.render.review import to_markdown
from assistant.services import drafts
from assistant.store.db import ConflictError
from assistant.store.migrations import MIGRATIONS

run = asyncio.run

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
def app(okr_home: Path) -> Iterator[App]:
    app = bootstrap(okr_home)
    yield app
    app.close()


@pytest.fixture
def plan(app: App) -> str:
    run(app.save("plan", read_text(PLAN, "plan.yaml", "yaml")[0], "first"))
    return "plan"


def change_number(review, target: str) -> int:
    return next(
        n for n, c in enumerate(review.synthesis.top_changes, start=1) if c.target == target
    )


def test_review_is_stored_with_the_version_it_reviewed(app: App, plan: str) -> None:
    r = run(app.review_draft(plan, personas=PANEL, engine="rules"))
    assert (r.id, r.draft, r.version) == (1, "plan", 1)
    edit = read_text(PLAN.replace("50%", "55%"), "p.yaml", "yaml")[0]
    run(app.save(plan, edit, "edit"))
    older = run(app.review_draft("plan@1", personas=PANEL, engine="rules", rounds=1))
    assert (older.id, older.version) == (2, 1)
    infos = run(app.reviews(plan))
    assert [(i.id, i.version, i.rounds) for i in infos] == [(2, 1, 1), (1, 1, 2)]
    assert infos[0].personas == PANEL and infos[0].engine == "rules"
    loaded = run(app.stored_review(1, "plan"))
    assert loaded.model_dump(exclude={"accepted"}) == r.model_dump(exclude={"accepted"})
    assert run(app.review_draft(plan, personas=PANEL, engine="rules", save=False)).id is None
    assert len(run(app.reviews(plan))) == 2
    with pytest.raises(UsageError, match="no review 1 for draft 'other'"):
        run(app.stored_review(1, "other"))


def test_markdown_export_of_a_stored_review(app: App, plan: str) -> None:
    r = run(app.review_draft(plan, personas=PANEL, engine="rules"))
    md = to_markdown(r)
    assert md.startswith("# Peer review: Plan (plan@1)")
    assert "_Offline review (rules engine): deterministic" in md
    for heading in ("### Top changes", "### Where reviewers agree", "### Where they disagree",
                    "### Open questions for the author", "## Round 1", "## Round 2"):  # fmt: skip
        assert heading in md
    assert "okr review accept plan N --review 1" in md


def test_accepting_a_change_creates_a_review_version(app: App, plan: str) -> None:
    r = run(app.review_draft(plan, personas=PANEL, engine="rules"))
    n = change_number(r, "O1.KR1")
    outcome = run(app.accept_review_change(plan, n, review_id=r.id))
    assert outcome.created and outcome.version.number == 2
    assert outcome.version.source == "review"
    assert outcome.version.message == f"Accept review {r.id} change {n}: O1.KR1"
    head = run(app.version(plan))
    assert head.okr_set.objectives[0].key_results[0].text == r.synthesis.top_changes[n - 1].rewrite
    assert run(app.stored_review(r.id)).accepted == {n: 2}
    assert run(app.reviews(plan))[0].accepted == [n]
    assert "✓ accepted as v2" in to_markdown(run(app.stored_review(r.id)))


def test_a_crash_while_recording_the_acceptance_keeps_neither_half(
    app: App, plan: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.store.repositories import ReviewRepository

    r = run(app.review_draft(plan, personas=PANEL, engine="rules"))
    n = change_number(r, "O1.KR1")

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(ReviewRepository, "record_acceptance", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        run(app.accept_review_change(plan, n, review_id=r.id))
    assert run(app.version(plan)).number == 1  # no orphan review version
    assert run(app.stored_review(r.id)).accepted == {}
    monkeypatch.undo()
    assert run(app.accept_review_change(plan, n, review_id=r.id)).version.number == 2


def test_accept_refuses_what_it_cannot_apply(app: App, plan: str) -> None:
    r = run(app.review_draft(plan, personas=PANEL, engine="rules"))
    with pytest.raises(UsageError, match="has no change 9"):
        run(app.accept_review_change(plan, 9, review_id=r.id))
    no_rewrite = change_number(r, "O1.KR2")  # an activity KR needs the author's own words
    with pytest.raises(UsageError, match="offers no rewrite"):
        run(app.accept_review_change(plan, no_rewrite, review_id=r.id))
    own = run(
        app.accept_review_change(
            plan, no_rewrite, review_id=r.id, text="Raise onboarding completion from 40% to 60%"
        )
    )
    assert own.version.source == "review"
    # O1.KR1 is edited by hand after the review: its suggestion is stale now
    current = run(app.version(plan)).okr_set
    current.objectives[0].key_results[0].text = "Reach 60% week-1 activation"
    run(app.save(plan, current, "hand edit"))
    with pytest.raises(ConflictError, match="O1.KR1 changed since review"):
        run(app.accept_review_change(plan, change_number(r, "O1.KR1"), review_id=r.id))


def test_reviews_table_is_a_migration_and_goes_with_a_purged_draft(app: App, plan: str) -> None:
    assert "0005_reviews" in [m.name for m in MIGRATIONS]
    run(app.review_draft(plan, personas=PANEL, engine="rules"))
    drafts.delete(app.store, plan, now=datetime.now(UTC) - timedelta(days=40))
    assert run(app.purge()) == ["plan"]
    with sqlite3.connect(app.paths.db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
    assert run(app.doctor()).ok


def test_unknown_drafts_are_usage_errors(app: App) -> None:
    with pytest.raises(UsageError, match="unknown draft"):
        run(app.review_draft("nope", engine="rules"))
    with pytest.raises(UsageError, match="unknown draft"):
        run(app.reviews("nope"))
