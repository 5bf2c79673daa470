"""What the use cases that ask a model share (review, drafting)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.config import Settings


class LLMUseCaseBase(AppBase):
    """What the use cases that ask a model share: settings for a ``--model``, the
    remembered structured-output mode, and the client from the App's factory."""

    def settings_for(self, model: str | None) -> Settings:
        """The App's settings, with another model for this one call (``--model``)."""
        if not model:
            return self.settings
        settings = self.settings.model_copy(deep=True)
        settings.llm.model = model
        return settings

    @asynccontextmanager
    async def llm_client(self) -> AsyncIterator[Any | None]:
        """A client from the App's factory (closed afterwards), or None: the service
        builds its own from the settings."""
        if self.llm is None:
            yield None
            return
        client = self.llm()
        try:
            yield client
        finally:
            close = getattr(client, "close", None)
            if close is not None:
                await close()
