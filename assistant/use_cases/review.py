"""Peer review: review a set or a stored draft, its dry run, stored reviews, accepting
one of their changes, and the personas that can sit on the panel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from assistant.use_cases.llm_base import LLMUseCaseBase

if TYPE_CHECKING:
    from assistant.domain.drafts import SaveResult
    from assistant.domain.review import Review, ReviewInfo
    from assistant.model import DryRunPlan, OKRSet
    from assistant.services.personas import PersonaEntry
    from assistant.services.review.service import ReviewOptions

Progress = Callable[[str], None]


class SessionOptions(TypedDict, total=False):
    """How a review session runs, as the CLI and the TUI ask for it: who sits, how many
    rounds, which engine and model, where progress goes; ``keep_partial``: Ctrl-C keeps
    the seats that finished (``okr review``; the TUI's workers cancel plainly)."""

    personas: Sequence[str] | None
    rounds: int
    engine: str | None
    model: str | None
    progress: Progress | None
    keep_partial: bool


class ReviewUseCases(LLMUseCaseBase):
    async def review(self, okr_set: OKRSet, **options: Unpack[SessionOptions]) -> Review:
        """A review session on ``okr_set`` (not stored)."""
        from assistant.services.review import run_review

        async with self.llm_client() as client:
            return await run_review(okr_set, **self._review_options(options, client))

    async def review_draft(
        self, ref: str, *, save: bool = True, **options: Unpack[SessionOptions]
    ) -> Review:
        """Review a stored draft (``NAME`` or ``NAME@V``), stored with that version unless
        ``save`` is False."""
        from assistant.services.review import run_draft_review

        async with self.llm_client() as client:
            return await run_draft_review(
                self.store, ref, save=save, **self._review_options(options, client)
            )

    def _review_options(self, options: SessionOptions, client: Any) -> ReviewOptions:
        """The session as the service runs it: this App's settings (with ``model``), the
        user's personas, the response-mode cache and the one LLM client."""
        return {
            "personas": options.get("personas"),
            "rounds": options.get("rounds", 2),
            "engine": options.get("engine"),
            "progress": options.get("progress"),
            "keep_partial": options.get("keep_partial", False),
            "settings": self.settings_for(options.get("model")),
            "personas_dir": self.paths.personas,
            "mode_cache": self.llm_cache(),
            "client": client,
        }

    async def plan_review(
        self,
        okr_set: OKRSet,
        *,
        personas: Sequence[str] | None = None,
        rounds: int = 2,
        model: str | None = None,
    ) -> DryRunPlan:
        """``okr review --dry-run``: what the LLM review would send and cost; nothing is sent."""
        from assistant.services.review import plan_review

        return plan_review(
            okr_set,
            personas=personas,
            rounds=rounds,
            settings=self.settings_for(model),
            personas_dir=self.paths.personas,
        )

    async def save_review(self, review: Review, draft: str, version: int) -> Review:
        """Store a review made of ``draft@version`` (the TUI reviews, then stores)."""
        from assistant.services.review import save_review

        return save_review(self.store, review, draft, version)

    async def reviews(self, draft: str) -> list[ReviewInfo]:
        """A draft's stored reviews, newest first."""
        from assistant.services.review import list_reviews

        return list_reviews(self.store, draft)

    async def stored_review(self, review_id: int, draft: str | None = None) -> Review:
        """Stored review ``review_id`` with the changes accepted from it; ``draft`` (a name)
        checks that it is that draft's."""
        from assistant.services.review import get_review

        return get_review(self.store, review_id, draft)

    async def accept_review_change(
        self,
        draft: str,
        change: int,
        *,
        review_id: int | None = None,
        text: str | None = None,
        author: str | None = None,
    ) -> SaveResult:
        """Change ``change`` of a stored review (the draft's latest when ``review_id`` is
        None) as the draft's next version, and the acceptance recorded with it: one unit
        of work."""
        from assistant.services.review import accept_review_change, latest_review_id

        rid = review_id or latest_review_id(self.store, draft)
        return accept_review_change(
            self.store, draft, rid, change, text=text, author=author, now=self.now()
        )

    async def personas(self) -> list[PersonaEntry]:
        """The reviewers a panel can seat: built-in, then the user's own."""
        from assistant.services.personas import load_personas

        return load_personas(self.paths.personas)
