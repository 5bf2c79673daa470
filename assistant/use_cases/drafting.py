"""Drafting: the guided interview, a first draft from an idea, alternatives for one KR,
their dry runs, and saving a draft as version 1 of a new stored draft."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.use_cases.llm_base import LLMUseCaseBase

if TYPE_CHECKING:
    from assistant.domain.drafting import Answers, DraftOutcome, Improvement, Prompter
    from assistant.domain.drafts import SaveResult
    from assistant.model import DryRunPlan, OKRSet


class DraftingUseCases(LLMUseCaseBase):
    def interview(
        self, source: Answers | Prompter, *, cycle: str | None = None, name: str | None = None
    ) -> DraftOutcome:
        """The offline guided interview, from an answers file or anyone who answers (a
        terminal, a form). Not async: a terminal prompt blocking inside an event loop
        would swallow the first Ctrl-C (asyncio turns it into a cancellation the prompt
        never sees), and the interview asks nothing of the store or a model."""
        from assistant.services.drafting import interview

        return interview(source, cycle=cycle, name=name)

    async def draft_from_idea(self, idea: str, *, model: str | None = None) -> DraftOutcome:
        """The LLM's first draft from ``idea`` (re-scored, revised once while rule errors
        remain); ``EngineError`` (exit 3) when no usable set came."""
        from assistant.services.drafting import draft_from_idea

        async with self.llm_client() as client:
            return await draft_from_idea(
                idea, self.settings_for(model), client=client, mode_cache=self.llm_cache()
            )

    async def plan_draft(self, idea: str, *, model: str | None = None) -> DryRunPlan:
        """``okr draft IDEA --dry-run``: what would be sent and cost; nothing is sent."""
        from assistant.services.drafting import plan_draft

        return plan_draft(idea, self.settings_for(model))

    async def improve_kr(
        self,
        okr_set: OKRSet,
        kr_id: str,
        *,
        engine: str | None = None,
        model: str | None = None,
    ) -> Improvement:
        """Alternative wordings of one KR, re-scored, best first: the model's (``llm``) or
        the rules' own rewrites (``rules``); ``None``/``auto`` as the settings say."""
        from assistant.services.drafting import improve_kr
        from assistant.services.engines import resolve_engine

        settings = self.settings_for(model)
        kind = resolve_engine(engine, settings)
        if kind == "rules":
            return await improve_kr(okr_set, kr_id, engine="rules")
        async with self.llm_client() as client:
            return await improve_kr(
                okr_set,
                kr_id,
                engine="llm",
                settings=settings,
                client=client,
                mode_cache=self.llm_cache(),
            )

    async def plan_improve(
        self, okr_set: OKRSet, kr_id: str, *, model: str | None = None
    ) -> DryRunPlan:
        """``okr draft --improve DRAFT KR --dry-run``: what would be asked; nothing is sent."""
        from assistant.services.drafting import plan_improve

        return plan_improve(okr_set, kr_id, self.settings_for(model))

    async def check_new_draft_name(self, name: str) -> str:
        """A valid name no draft has yet (checked before the interview's first question)."""
        from assistant.services.drafting import check_new_name

        return check_new_name(self.store, name)

    async def save_draft(
        self,
        name: str,
        outcome: DraftOutcome,
        *,
        author: str | None = None,
        text: str | None = None,
    ) -> SaveResult:
        """A draft as version 1 of a new stored draft NAME; a taken name is refused."""
        from assistant.services.drafting import save_draft

        return save_draft(self.store, name, outcome, author=author, text=text, now=self.now())
