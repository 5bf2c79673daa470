"""Issue 23 item 2: an endpoint that fails request after request (errors, silence) trips a
circuit breaker: the sets not sent yet are reported as not attempted, with the reason
once, and the run ends in one wave of requests instead of minutes of retries. Every
message says what happened: how many requests were sent and what came back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main

from .conftest import run_llm_critique, settings_for, team, team_yaml
from .fake_server import FakeOpenAI

NAMES = [f"s{i:02d}" for i in range(40)]


def _not_attempted(errors: list[str]) -> list[str]:
    return [e for e in errors if "not attempted" in e]


def test_a_server_failing_every_request_costs_one_wave(fake: FakeOpenAI, okr_home) -> None:
    """40 sets at concurrency 8 against 500s: the first 8 requests fail, the breaker
    opens, their transport retries are not sent and neither is anything else."""
    fake.fail_rate = 1.0
    report = run_llm_critique(
        team(NAMES), settings=settings_for(fake), home=okr_home, concurrency=8, style="balanced"
    )
    sent = len(fake.chat_requests())
    assert 8 <= sent <= 16  # a wave, maybe a few retries sent before the 8th failure: not 120
    assert all(s.error for s in report.sets) and [s.name for s in report.sets] == NAMES
    (line,) = _not_attempted(report.errors)  # the reason, once
    assert re.match(r"(2[4-9]|3[0-2]) set\(s\) not attempted \(team\.yaml#", line), line
    assert "in a row (the last: HTTP 500: The server had an error), so no more were sent" in line
    attempted = [e for e in report.errors if e not in _not_attempted(report.errors)]
    assert 8 <= len(attempted) <= 16
    for error in attempted:
        assert re.search(
            r"team\.yaml#\d+: HTTP 500: The server had an error \([12] requests? sent\)", error
        ), error
        assert "after retries" not in error
    skipped = [s for s in report.sets if s.error and s.error.startswith("not attempted")]
    assert len(skipped) == 40 - len(attempted)
    assert all(s.engine == "rules" and s.scores for s in skipped)  # the rules critique stays
    assert report.usage is not None and report.usage.requests == sent


def test_a_hung_server_trips_the_breaker_by_silence(okr_home) -> None:
    """A server that takes requests and never answers: each request ends at the silence
    timeout, the wave of timeouts opens the breaker; nobody waits minutes per set."""
    with FakeOpenAI(hang=30.0) as server:
        server.plan = {"": ["timeout"] * 9}  # every set, every attempt
        report = run_llm_critique(
            team(NAMES[:24]),
            settings=settings_for(server, timeout=0.3),
            home=okr_home,
            concurrency=8,
            style="balanced",
        )
        assert len(server.chat_requests()) == 8  # the silent wave; none of its retries
    (line,) = _not_attempted(report.errors)
    assert line.startswith("16 set(s) not attempted")
    assert "(the last: no answer within 0.3 s)" in line
    silent = [e for e in report.errors if "no answer within 0.3 s (1 request sent)" in e]
    assert len(silent) == 8 and not any("after retries" in e for e in report.errors)


def test_silence_in_the_middle_of_a_stream_counts_too(okr_home) -> None:
    """The server answers 200 and then goes quiet between chunks."""
    with FakeOpenAI(stream_gap=5.0) as server:
        report = run_llm_critique(
            team(NAMES[:12]),
            settings=settings_for(server, timeout=0.3),
            home=okr_home,
            concurrency=5,
            style="balanced",
        )
        sent = len(server.chat_requests())
    assert 5 <= sent <= 9  # the silent wave (and sets sent before the last of it failed)
    assert len(_not_attempted(report.errors)) == 1
    assert sum("no answer within 0.3 s (1 request sent)" in e for e in report.errors) == sent


def test_a_flaky_server_never_trips_it(fake: FakeOpenAI, okr_home) -> None:
    """Every set's first request fails and its retry succeeds: failures never run 4 in a
    row without a success between them, so every set is done."""
    fake.plan = {"": ["500", "ok"]}
    report = run_llm_critique(
        team(NAMES[:12]), settings=settings_for(fake), home=okr_home, concurrency=4,
        style="balanced",
    )  # fmt: skip
    assert not report.errors
    assert len(fake.chat_requests()) == 24


def test_the_cli_reports_the_stop_once_and_exits_3(
    fake: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.fail_rate = 1.0
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(NAMES), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["critique", str(path), "--engine", "llm", "--concurrency", "8", "-f", "json"]
    )
    assert result.exit_code == 3, result.output
    assert result.stderr.count("not attempted (") == 1
    assert "okr: 32 set(s) not attempted" in result.stderr
    assert "after retries" not in result.stderr
    sent = len(fake.chat_requests())
    assert sent <= 16 and f"{sent} requests" in result.stderr  # the usage line: what was sent
