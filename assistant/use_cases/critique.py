"""The critique use cases: ``await app.critique(request)`` and the engine choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.services.critique_run import CritiqueOutcome, CritiqueRequest
    from assistant.services.engines import Critic, EngineKind


class CritiqueUseCases(AppBase):
    def engine_for(self, choice: str | None) -> EngineKind:
        """``rules`` or ``llm`` for an engine choice (``auto`` is resolved here, once)."""
        from assistant.services.engines import resolve_engine

        return resolve_engine(choice, self.settings)

    def critic(
        self,
        kind: EngineKind,
        *,
        settings: Settings | None = None,
        style: str | None = None,
        concurrency: int | None = None,
        use_cache: bool = True,
        progress: bool = False,
        lessons: Sequence[Sequence[str]] = (),
        keep_partial: bool = False,
    ) -> Critic:
        """The critic for an engine: the rules, or the LLM coach grounded on them, with the
        data home's answer cache. ``settings``: this run's (``--model``), else the App's."""
        from assistant.services.engines import make_critic

        return make_critic(
            kind,
            settings=settings or self.settings,
            cache=self.llm_cache() if kind == "llm" else None,  # the rules ask no one
            style=style,
            concurrency=concurrency,
            use_cache=use_cache,
            progress=progress,
            lessons=lessons,
            keep_partial=keep_partial,
        )

    async def critique(self, request: CritiqueRequest) -> CritiqueOutcome:
        """Files or stored drafts in; the report, its team view and the exit status out."""
        from assistant.services.critique_run import run_critique

        return await run_critique(self, request)
