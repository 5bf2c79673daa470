"""Issue 23 item 1: a healthy endpoint gets the requested concurrency from the start, the
structured-output probe never makes a run ramp up, and a 429's Retry-After holds back the
whole run, not only the request that got it. Asserted by counts of requests in flight."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from assistant.llm.client import Usage
from assistant.llm.modes import ModeProbe

from .conftest import llm_critic, run_llm_critique, settings_for, team
from .fake_server import FakeOpenAI


async def _until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    """Poll ``condition`` (no fixed sleep stands in for a barrier)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


async def test_a_fresh_run_has_every_worker_asking_before_any_answer(tmp_path: Path) -> None:
    """No data home memory (the response mode is unknown) and no answer yet: all 8
    workers have a request at the server at once (the old probe lock let 1 through,
    then 2, 3, … per round)."""
    hold = threading.Event()
    with FakeOpenAI(hold=hold) as server:
        critic = llm_critic(settings_for(server), tmp_path, style="balanced", concurrency=8)
        task = asyncio.create_task(critic.critique(team([f"s{i}" for i in range(20)])))
        try:
            await _until(lambda: server.in_flight == 8, "8 requests in flight")
            assert len(server.chat_requests()) == 8  # nothing answered, nothing more sent
        finally:
            hold.set()
        report = await task
        assert not report.errors
        assert server.max_in_flight == 8 and len(server.chat_requests()) == 20


async def test_waiting_asks_go_out_together_once_the_probe_succeeded() -> None:
    """A serialising probe (drafting, retro) lets one ask through; when it succeeds the
    others leave at once, not one at a time behind the lock."""
    probe = ModeProbe(Settings(), "m", None)
    first, rest = asyncio.Event(), asyncio.Event()
    calls = in_flight = 0

    async def send(mode: str, known: bool) -> tuple[str, Usage]:
        nonlocal calls, in_flight
        calls += 1
        gate = first if calls == 1 else rest
        in_flight += 1
        try:
            await gate.wait()
        finally:
            in_flight -= 1
        return "answer", Usage(mode=mode)

    asks = [asyncio.create_task(probe.ask(send)) for _ in range(6)]
    await _until(lambda: in_flight == 1, "the probe in flight")
    for _ in range(20):
        await asyncio.sleep(0)
    assert calls == 1  # the others wait for the probe's mode
    first.set()
    await _until(lambda: in_flight == 5, "the 5 waiting asks in flight together")
    rest.set()
    await asyncio.gather(*asks)
    assert probe.known and calls == 6


def test_a_429_holds_back_every_new_request_until_retry_after(tmp_path: Path) -> None:
    """A gets a 429 asking for 0.4 s; B is answered 0.1 s later and its worker moves on
    to C: C waits at the client until A's Retry-After has run out."""
    with FakeOpenAI(retry_after="0.4", hang=0.1) as server:
        server.plan = {"Alpha": ["429", "ok"], "Bravo": ["timeout"]}  # Bravo: 0.1 s
        report = run_llm_critique(
            team(["Alpha", "Bravo", "Charlie"]),
            settings=settings_for(server),
            home=tmp_path,
            concurrency=2,
            style="balanced",
        )
        assert not report.errors
        by_set = {}
        for request in server.chat_requests():
            name = next(n for n in ("Alpha", "Bravo", "Charlie") if n in str(request.body))
            by_set.setdefault(name, []).append(request)
    limited = by_set["Alpha"][0]
    assert limited.fault == "429" and len(by_set["Alpha"]) == 2
    assert by_set["Bravo"][0].at - limited.at < 0.2  # sent together with Alpha
    assert by_set["Charlie"][0].at - limited.at >= 0.38  # held, although its worker was free
    assert by_set["Alpha"][1].at - limited.at >= 0.38  # and the SDK's own retry honoured it
