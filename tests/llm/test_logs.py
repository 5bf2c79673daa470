"""``okr logs``: every LLM request a command makes is logged in the data home (key
scrubbed), listed newest first, shown whole, totalled per day and model, and not logged
with ``--no-log`` or after ``okr logs off``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main

from .conftest import DUMMY_KEY, team_yaml
from .fake_server import FakeOpenAI


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["Platform", "Growth"]), encoding="utf-8")
    return path


def critique(runner: CliRunner, team_file: Path, *extra: str):
    return runner.invoke(main, [*extra, "critique", str(team_file), "--engine", "llm",
                                "--no-cache", "--format", "json"])  # fmt: skip


def logged(runner: CliRunner, *args: str) -> list[dict]:
    result = runner.invoke(main, ["logs", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_request_is_logged_listed_shown_and_totalled(
    runner: CliRunner, fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch,
    okr_home: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    assert critique(runner, team_file).exit_code == 0
    entries = logged(runner)
    assert len(entries) == len(fake.chat_requests()) == 2
    for entry in entries:
        assert entry["command"] == "critique" and entry["outcome"] == "ok"
        assert entry["model"] == "gpt-4o-mini" and entry["prompt_tokens"] > 0
        assert entry["completion_tokens"] > 0 and entry["seconds"] >= 0
        assert entry["base_url"].startswith("http://127.0.0.1")
        assert {"id", "at", "cost_usd"} <= entry.keys()
    assert entries[0]["id"] > entries[1]["id"]  # newest first
    whole = json.loads(runner.invoke(main, ["logs", str(entries[0]["id"]), "--json"]).stdout)
    assert whole["messages"][0]["role"] == "system" and whole["reply"]
    sent = {m["content"] for body in fake.chat_requests() for m in body.body["messages"]}
    assert any(m["content"] in sent for m in whole["messages"])
    totals = json.loads(runner.invoke(main, ["logs", "--totals", "--json"]).stdout)
    assert [(t["model"], t["requests"]) for t in totals] == [("gpt-4o-mini", 2)]
    assert totals[0]["prompt_tokens"] == sum(e["prompt_tokens"] for e in entries)
    assert len(logged(runner, "-n", "1")) == 1
    assert logged(runner, "--since", "2999-01-01") == []
    table = runner.invoke(main, ["logs"]).output
    assert "critique" in table and "gpt-4o-mini" in table
    # The key never reaches the log, whatever the server echoed.
    assert DUMMY_KEY not in (okr_home / "okr.db").read_bytes().decode("utf-8", "replace")


def test_a_server_echoing_the_key_is_logged_scrubbed(
    runner: CliRunner, fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch,
    okr_home: Path,
) -> None:  # fmt: skip
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    fake.plan = {"Growth": ["refusal-echo"] * 5, "Platform": ["echo-key"]}
    critique(runner, team_file)
    entries = logged(runner)
    assert any(e["outcome"] != "ok" for e in entries)  # the refusals
    dumps = [runner.invoke(main, ["logs", str(e["id"]), "--json"]).stdout for e in entries]
    assert all(DUMMY_KEY not in dump for dump in dumps)
    assert any("[redacted]" in dump for dump in dumps)  # the echoed key, masked


def test_no_log_and_logs_off_record_nothing(
    runner: CliRunner, fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    assert critique(runner, team_file, "--no-log").exit_code == 0
    assert logged(runner) == []
    assert runner.invoke(main, ["logs", "off"]).exit_code == 0
    assert critique(runner, team_file).exit_code == 0
    assert logged(runner) == []
    assert "logging is off" in runner.invoke(main, ["logs"]).output
    assert runner.invoke(main, ["logs", "on"]).exit_code == 0
    assert critique(runner, team_file).exit_code == 0
    assert len(logged(runner)) == 2
    assert len(fake.chat_requests()) == 6  # all three runs asked: only the log differed


def test_bad_arguments_are_one_line(runner: CliRunner) -> None:
    for args, message in (
        (["logs", "nope"], "'nope' is not a log id"),
        (["logs", "7"], "no logged request 7"),
        (["logs", "--since", "yesterday"], "--since: 'yesterday' is not a date"),
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2 and message in result.output
        assert len(result.output.strip().splitlines()) == 1
