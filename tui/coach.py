"""The default LLM coach for the TUI: ``assistant.services.coach`` behind an async callable.

The TUI takes any ``CoachEngine`` (tests inject a fake one). The default one awaits the
coach service's async entry point inside the app's worker, so the event loop never
blocks and Esc (or quitting) cancels the worker and with it the request in flight.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from assistant.config import Settings
from assistant.errors import EngineError
from assistant.model import OKRSet, SetCritique

CoachEngine = Callable[[OKRSet, str], Awaitable[SetCritique]]


def default_engine(home: Path, settings: Callable[[], Settings]) -> CoachEngine:
    """An engine that critiques one set with the configured LLM (current settings)."""

    async def critique(okr_set: OKRSet, style: str) -> SetCritique:
        from assistant.services.coach import run_llm_critique_async

        report = await run_llm_critique_async(
            [okr_set], settings=settings(), home=home, style=style
        )
        if not report.sets:
            raise EngineError(report.errors[0] if report.errors else "the coach returned nothing")
        result = report.sets[0]
        if result.error:
            raise EngineError(result.error)
        return result

    return critique
