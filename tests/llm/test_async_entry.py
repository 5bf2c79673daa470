"""The one async body the TUI awaits (and the CLI runs with asyncio.run): cancellable."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from .conftest import llm_critic, settings_for, team
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
        critic = llm_critic(settings_for(server), tmp_path, style="balanced")
        report = await critic.critique(team(["A"]))
    assert report.errors == []
    assert [s.engine for s in report.sets] == ["llm"]
    assert any(f.source == "llm" for f in report.sets[0].findings)


async def test_cancelling_the_task_cancels_the_request_in_flight(tmp_path: Path) -> None:
    with FakeOpenAI(delay=3.0) as server:
        critic = llm_critic(settings_for(server), tmp_path, style="balanced")
        task = asyncio.create_task(critic.critique(team(["A"])))
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
    with FakeOpenAI() as server:
        critic = llm_critic(settings_for(server), tmp_path, style="balanced")
        report = await critic.critique(team(["A", "B"]))
    assert report.errors == [] and [s.engine for s in report.sets] == ["llm", "llm"]


async def test_keep_partial_turns_a_cancellation_into_the_report_so_far(tmp_path: Path) -> None:
    """The CLI's Ctrl-C cancels the main task: with ``keep_partial`` the critique keeps
    what finished (exit 130 follows from ``usage.interrupted``) instead of losing it."""
    done = []
    with FakeOpenAI(hang=30.0) as server:
        server.plan = {"Bravo": ["timeout"]}  # Alpha is answered, Bravo never is
        critic = llm_critic(settings_for(server), tmp_path, style="balanced", concurrency=2)
        critic.keep_partial = True
        task = asyncio.create_task(critic.critique(team(["Alpha", "Bravo"]), on_result=done.append))
        await _until(lambda: len(done) == 1 and server.in_flight == 1, "Alpha done, Bravo asked")
        task.cancel()
        report = await task  # a report, not a CancelledError
    assert report.usage is not None and report.usage.interrupted
    alpha, bravo = report.sets
    assert alpha.engine == "llm" and not alpha.error
    assert bravo.error == "interrupted before it finished" and bravo.scores is not None
    assert report.errors == ["team.yaml#2: interrupted before it finished"]
