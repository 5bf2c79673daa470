"""``forking.text_in_halves``: a long text made in two halves at once (the second in a
forked child) is the text one process makes; a failed child costs time, never text."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant import forking


@pytest.fixture
def one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's process: one thread (pytest-xdist's channel threads would refuse a fork)."""
    monkeypatch.setattr(forking.threading, "active_count", lambda: 1)
    monkeypatch.setattr(forking, "threads", lambda: 1)
    monkeypatch.setattr(forking, "cores", lambda: 2)


def recording(log: Path, fail_in_child: bool = False) -> Callable[[int, int], str]:
    """Items as text ('é' and a lone surrogate included), noting which process made them."""
    parent = os.getpid()

    def make(start: int, end: int) -> str:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {start} {end}\n")
        if fail_in_child and os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "".join(f"{i}é\ud800," for i in range(start, end))

    return make


def makers(log: Path) -> set[int]:
    return {int(line.split()[0]) for line in log.read_text(encoding="utf-8").splitlines()}


def test_two_halves_made_at_once_are_the_whole_text(tmp_path: Path, one_thread: None) -> None:
    log = tmp_path / "log"
    whole = "".join(f"{i}é\ud800," for i in range(500))
    assert forking.text_in_halves(recording(log), 500) == whole
    assert len(makers(log)) == 2  # this process and a child


def test_a_failed_child_costs_time_not_text(tmp_path: Path, one_thread: None) -> None:
    log = tmp_path / "log"
    whole = "".join(f"{i}é\ud800," for i in range(500))
    assert forking.text_in_halves(recording(log, fail_in_child=True), 500) == whole
    assert f"{os.getpid()} 250 500" in log.read_text(encoding="utf-8")  # made here instead


def test_short_texts_are_made_in_one_process(tmp_path: Path, one_thread: None) -> None:
    log = tmp_path / "log"
    forking.text_in_halves(recording(log), forking.HALVES_MIN - 1)
    assert makers(log) == {os.getpid()}


@pytest.fixture
def another_thread() -> Iterator[None]:
    release = threading.Event()
    thread = threading.Thread(target=release.wait, daemon=True)
    thread.start()
    yield
    release.set()
    thread.join()


def test_no_fork_while_another_thread_runs(tmp_path: Path, another_thread: None) -> None:
    """A fork copies only the calling thread: a lock the other one holds would stay
    locked in the child. With a second thread everything is made here."""
    log = tmp_path / "log"
    assert not forking.may_fork()
    assert forking.text_in_halves(recording(log), 500).count(",") == 500
    assert makers(log) == {os.getpid()}
