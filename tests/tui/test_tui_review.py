"""The peer-review screen: reviewers side by side, synthesis, failed seats, cancel, accept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from conftest import screen_text, seed, tui, wait_for
from textual.widgets import Input

from assistant.app import App
from assistant.domain.review import Review
from assistant.model import OKRSet
from assistant.services import drafts
from assistant.services.review import list_reviews
from tui.screens.dialogs import RewriteDialog
from tui.screens.editor import EditorScreen
from tui.screens.review import ReviewScreen


async def _review_screen(pilot, app) -> ReviewScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    await wait_for(pilot, lambda: app.screen.hints.okr_set is not None)
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(app.screen, ReviewScreen))
    return app.screen


async def test_offline_review_side_by_side_then_accept_a_change(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:  # no API key: the offline rules engine
        app = pilot.app
        screen = await _review_screen(pilot, app)
        await wait_for(pilot, lambda: screen.review is not None, what="review")
        review = screen.review
        assert review.offline and len(review.seats) == 5
        shown = screen_text(app)
        first, second = (seat.display_name for seat in review.seats[:2])
        assert any(first in line and second in line for line in shown.splitlines())
        assert "Top changes" in shown and "Synthesis" in shown
        assert [r.id for r in list_reviews(core.store, "cs")] == [review.id]

        # Change 2 is about O1.KR3 and offers no ready rewrite: edit it, then accept.
        change = review.synthesis.top_changes[1]
        assert change.target == "O1.KR3"
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        app.screen.query_one(Input).value = "Grow MRR from $50k to $80k by 30 Jun 2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(drafts.history(core.store, "cs")) == 2)
        await wait_for(pilot, lambda: screen.review.accepted == {2: 2})
        synthesis = str(screen.query_one("#synthesis-text").render())
        assert "(accepted as v2)" in synthesis
        latest = drafts.history(core.store, "cs")[0]
        assert (latest.source, latest.message) == (
            "review",
            f"Accept review {review.id} change 2: O1.KR3",
        )

        # Back in the editor, the accepted version is loaded.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
        await wait_for(pilot, lambda: app.screen.version == 2)
        assert "Grow MRR from $50k to $80k" in app.screen.editor.text


async def test_a_failed_persona_seat_shows_as_failed(
    core: App, weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(core, "cs", weak_set)
    review_use_case = core.review

    async def reviewer(okr_set: OKRSet, **options: Any) -> Review:
        """The App's review, with the second persona's call failed."""
        options["progress"]("asking the reviewers")
        review = await review_use_case(okr_set, **options)
        broken = review.seats[1].model_copy(
            update={"status": "failed", "error": "timed out after 60 s", "points": []}
        )
        return review.model_copy(update={"seats": [review.seats[0], broken, *review.seats[2:]]})

    monkeypatch.setattr(core, "review", reviewer)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        screen = await _review_screen(pilot, app)
        await wait_for(pilot, lambda: screen.review is not None)
        shown = screen_text(app)
        assert "FAILED" in shown and "timed out after 60 s" in shown
        assert "1 failed" in shown
        assert screen.query_one("#seat-1").has_class("-failed")
        assert not screen.query_one("#seat-0").has_class("-failed")


async def test_review_can_be_cancelled_and_errors_are_notifications(
    core: App, weak_set, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(core, "cs", weak_set)
    started = asyncio.Event()
    cancelled: list[bool] = []

    async def slow(okr_set: OKRSet, **options: Any) -> Review:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.append(True)
            raise
        raise AssertionError("never answered")

    monkeypatch.setattr(core, "review", slow)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        screen = await _review_screen(pilot, app)
        await wait_for(pilot, started.is_set)
        await wait_for(pilot, lambda: "Esc cancels" in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: cancelled == [True])
        await wait_for(pilot, lambda: "Review cancelled" in screen_text(app))
        assert app.screen is screen and screen.review is None
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, EditorScreen))
    assert list_reviews(core.store, "cs") == []

    async def broken(okr_set: OKRSet, **options: Any) -> Review:
        raise ConnectionError("no route to the model")

    monkeypatch.setattr(core, "review", broken)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        screen = await _review_screen(pilot, app)
        await wait_for(pilot, lambda: screen.failed is not None)
        assert "no route to the model" in screen_text(app)
        assert app.is_running


async def test_rerun_after_an_accept_reviews_the_latest_version(core: App, weak_set) -> None:
    seed(core, "cs", weak_set)
    async with tui(core, target="cs") as pilot:
        app = pilot.app
        screen = await _review_screen(pilot, app)
        await wait_for(pilot, lambda: screen.review is not None, what="review")
        assert "cs @ v1" in screen.sub_title
        await pilot.press("2")
        await wait_for(pilot, lambda: isinstance(app.screen, RewriteDialog))
        app.screen.query_one(Input).value = "Grow MRR from $50k to $80k by 30 Jun 2026"
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(drafts.history(core.store, "cs")) == 2)
        # The header says the draft moved on; running again reviews v2.
        await wait_for(pilot, lambda: "now at v2" in screen.sub_title, what="header")
        first = screen.review.id
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: screen.review is not None and screen.review.id != first and not screen.running,
            what="second review",
        )
        assert screen.version == 2 and "cs @ v2" in screen.sub_title
        assert (
            "Grow MRR from $50k to $80k by 30 Jun 2026"
            in screen.okr_set.objectives[0].key_results[2].text
        )
        assert [r.id for r in list_reviews(core.store, "cs")][0] == screen.review.id
