"""The async entry point the TUI awaits: same result as the sync one, and cancellable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from assistant.services.coach import run_llm_critique_async

from .conftest import settings_for, team
from .fake_server import FakeOpenAI


async def _until(condition, what: str, timeout: float = 10.0) -> None:
    """Poll ``condition`` (no fixed sleep as a start barrier)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def test_async_entry_critiques_a_set(tmp_path: Path) -> None:
    with FakeOpenAI() as server:
        report = await run_llm_critique_async(
            team(["A"]), settings=settings_for(server), home=tmp_path, style="balanced"
        )
    assert report.errors == []
    assert [s.engine for s in report.sets] == ["llm"]
    assert any(f.source == "llm" for f in report.sets[0].findings)


async def test_cancelling_the_task_cancels_the_request_in_flight(tmp_path: Path) -> None:
    with FakeOpenAI(delay=3.0) as server:
        task = asyncio.create_task(
            run_llm_critique_async(
                team(["A"]), settings=settings_for(server), home=tmp_path, style="balanced"
            )
        )
        # A real request has reached the server and its answer is 3 s away.
        await _until(lambda: server.in_flight == 1, "the request to be in flight")
        assert len(server.chat_requests()) == 1
        started = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert time.perf_counter() - started < 1.0  # did not wait for the answer
        assert server.in_flight == 1  # cancelled while the server was still working on it
        assert len(server.chat_requests()) == 1  # and nothing was retried after the cancel


async def test_the_async_entry_never_starts_the_fork_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a running event loop the shown rules critique is computed in this process."""
    import assistant.services.critique as critique_service

    def no_fork_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fork pool was started inside a running event loop")

    monkeypatch.setattr(critique_service, "_parallel_findings", no_fork_pool)
    monkeypatch.setattr(critique_service, "PARALLEL_MIN_SETS", 1)
    monkeypatch.setattr("assistant.services.coach.critique_with_workers", no_fork_pool)
    with FakeOpenAI() as server:
        report = await run_llm_critique_async(
            team(["A", "B"]), settings=settings_for(server), home=tmp_path, style="balanced"
        )
    assert report.errors == [] and [s.engine for s in report.sets] == ["llm", "llm"]
