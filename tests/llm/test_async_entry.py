"""The async entry point the TUI awaits: same result as the sync one, and cancellable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from assistant.services.coach import run_llm_critique_async

from .conftest import settings_for, team
from .fake_server import FakeOpenAI


async def test_async_entry_critiques_a_set(tmp_path: Path) -> None:
    with FakeOpenAI() as server:
        report = await run_llm_critique_async(
            team(["A"]), settings=settings_for(server), home=tmp_path, style="balanced"
        )
    assert report.errors == []
    assert [s.engine for s in report.sets] == ["llm"]
    assert any(f.source == "llm" for f in report.sets[0].findings)


async def test_cancelling_the_task_stops_waiting_for_a_slow_endpoint(tmp_path: Path) -> None:
    with FakeOpenAI(delay=3.0) as server:
        task = asyncio.create_task(
            run_llm_critique_async(
                team(["A"]), settings=settings_for(server), home=tmp_path, style="balanced"
            )
        )
        while not server.chat_requests:  # the request is in flight
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        else:
            raise AssertionError("the task finished instead of being cancelled")
        assert time.perf_counter() - started < 1.0
