"""The default LLM coach for the TUI: ``assistant.services.coach`` behind an async callable.

The TUI takes any ``CoachEngine`` (tests inject a fake one). The default one runs
the coach service's ``run_llm_critique`` for one set in a daemon thread, so the
event loop never blocks, Esc can stop waiting at once, and quitting the app never
waits for a slow endpoint (an abandoned answer still lands in the cache).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from assistant.config import Settings
from assistant.errors import EngineError
from assistant.model import OKRSet, SetCritique

CoachEngine = Callable[[OKRSet, str], Awaitable[SetCritique]]


def default_engine(home: Path, settings: Callable[[], Settings]) -> CoachEngine:
    """An engine that critiques one set with the configured LLM (current settings)."""

    async def critique(okr_set: OKRSet, style: str) -> SetCritique:
        from assistant.services.coach import run_llm_critique

        current = settings()
        loop = asyncio.get_running_loop()
        future: asyncio.Future = loop.create_future()

        def deliver(setter: Callable[[object], None], value: object) -> None:
            if not future.done():
                setter(value)

        def run() -> None:
            try:
                report = run_llm_critique(
                    [okr_set],
                    settings=current,
                    home=home,
                    concurrency=1,
                    use_cache=True,
                    dry_run=False,
                    style=style,
                )
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting worker
                outcome: tuple[Callable[[object], None], object] = (future.set_exception, exc)
            else:
                outcome = (future.set_result, report)
            with contextlib.suppress(RuntimeError):  # the app has quit meanwhile
                loop.call_soon_threadsafe(deliver, *outcome)

        threading.Thread(target=run, name="okr-coach-llm", daemon=True).start()
        report = await future
        if not report.sets:
            raise EngineError(report.errors[0] if report.errors else "the coach returned nothing")
        result = report.sets[0]
        if result.error:
            raise EngineError(result.error)
        return result

    return critique
