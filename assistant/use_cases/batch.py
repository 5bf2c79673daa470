"""The OpenAI Batch API at half price: submit a team's sets, see the jobs, fetch the report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.use_cases.llm_base import LLMUseCaseBase

if TYPE_CHECKING:
    from assistant.model import OKRSet, Report


class BatchUseCases(LLMUseCaseBase):
    async def submit_batch(
        self, sets: Sequence[OKRSet], *, model: str | None = None, style: str | None = None
    ) -> dict[str, Any]:
        """Upload the sets without a cached answer as one batch job (``id`` None: none)."""
        from assistant.services.batch import submit_batch

        settings = self.settings_for(model)
        return await submit_batch(
            list(sets), settings=settings, cache=self.llm_cache(), style=style or settings.style
        )

    async def batch_status(self, batch_id: str | None = None) -> list[dict[str, Any]]:
        """One job's status, or every job submitted from this data home."""
        from assistant.services.batch import batch_status

        return await batch_status(batch_id, settings=self.settings, cache=self.llm_cache())

    async def fetch_batch(self, batch_id: str) -> Report:
        """A finished job's answers as the report ``okr critique`` would give (cached)."""
        from assistant.services.batch import fetch_batch

        return await fetch_batch(batch_id, settings=self.settings, cache=self.llm_cache())
