"""The LLM side of the command line: okr critique --engine llm, okr config, okr batch."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.llm.cache import CACHE_FILE

from .conftest import DUMMY_KEY, team_yaml
from .fake_server import FakeOpenAI


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["Platform", "Growth", "Sales"]), encoding="utf-8")
    return path


def test_critique_llm_json_report_and_cache(runner, fake, team_file, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    args = ["critique", str(team_file), "--engine", "llm", "--format", "json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["engine"] == "llm" and len(report["sets"]) == 3
    assert any(f["source"] == "llm" for s in report["sets"] for f in s["findings"])
    assert report["usage"]["requests"] == 3
    assert "3 requests" in result.stderr
    again = runner.invoke(main, args)
    assert json.loads(again.stdout)["usage"]["requests"] == 0
    assert len(fake.chat_requests()) == 3


def test_critique_llm_failed_item_exits_3_and_reports_the_rest(
    runner, fake, team_file, monkeypatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    fake.plan = {"Growth": ["refusal"]}
    result = runner.invoke(
        main, ["critique", str(team_file), "--engine", "llm", "--format", "json"]
    )
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [s.get("error") is None for s in report["sets"]] == [True, False, True]
    assert "team.yaml#2: the model declined" in result.stderr


def test_critique_llm_streams_text_per_set(runner, fake, team_file, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    result = runner.invoke(
        main, ["critique", str(team_file), "--engine", "llm", "--style", "rewrite"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.count("[llm]") == 3
    assert re.search(r"3 sets · \S+ objectives? · .* findings?$", result.stdout.rstrip())
    assert "Coaching style: rewrite" in fake.chat_requests()[0].body["messages"][1]["content"]


def test_critique_dry_run_needs_no_key_and_sends_nothing(
    runner, fake, team_file, monkeypatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    result = runner.invoke(main, ["critique", str(team_file), "--engine", "llm", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would send 3 requests" in result.stdout and "--- user ---" in result.stdout
    assert fake.requests == []


def test_critique_model_option_reaches_the_request(runner, fake, team_file, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    runner.invoke(main, ["critique", str(team_file), "--engine", "llm", "--model", "my-local"])
    assert {r.body["model"] for r in fake.chat_requests()} == {"my-local"}


def test_config_show_masks_the_key(runner) -> None:
    result = runner.invoke(main, ["config", "show"])
    assert result.exit_code == 0
    assert DUMMY_KEY not in result.output and "sk-…6789" in result.output
    assert 'model = "gpt-4o-mini"' in result.output


def test_config_set_validates_and_persists(runner, okr_home, monkeypatch) -> None:
    assert runner.invoke(main, ["config", "set", "llm.model", "gpt-4.1-mini"]).exit_code == 0
    assert runner.invoke(main, ["config", "set", "llm.concurrency", "32"]).exit_code == 0
    assert runner.invoke(main, ["config", "set", "style", "questions"]).exit_code == 0
    bad = runner.invoke(main, ["config", "set", "llm.concurrency", "many"])
    assert bad.exit_code == 2 and "llm.concurrency" in bad.output
    assert runner.invoke(main, ["config", "set", "llm.nonsense", "1"]).exit_code == 2
    refused = runner.invoke(main, ["config", "set", "llm.api_key", DUMMY_KEY])
    assert refused.exit_code == 2 and "OPENAI_API_KEY" in refused.output
    price = runner.invoke(main, ["config", "set", "llm.prices.my-model", "0.2,0.8"])
    assert price.exit_code == 0
    monkeypatch.setenv("OPENAI_BASE_URL", "http://from-env:1/v1")
    assert runner.invoke(main, ["config", "set", "llm.timeout", "30"]).exit_code == 0
    text = (okr_home / "config.toml").read_text()
    assert 'model = "gpt-4.1-mini"' in text and "concurrency = 32" in text
    assert 'style = "questions"' in text and "timeout = 30.0" in text
    assert '[llm.prices."my-model"]' in text
    assert "from-env" not in text  # the environment override is not written back
    assert DUMMY_KEY not in text


def test_batch_submit_status_fetch_round_trip(runner, fake, team_file, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    fake.plan = {"Sales": ["ok"]}  # the fake batch runner fails marked items
    submitted = runner.invoke(main, ["batch", "submit", str(team_file)])
    assert submitted.exit_code == 0, submitted.output
    batch_id = submitted.stdout.split()[1].rstrip(":")
    upload = fake._files["file-1"].decode().splitlines()
    lines = [json.loads(line) for line in upload]
    assert [line["custom_id"].split("-")[1] for line in lines] == ["1", "2", "3"]
    assert all(line["url"] == "/v1/chat/completions" for line in lines)
    assert lines[0]["body"]["response_format"]["type"] == "json_schema"

    status = runner.invoke(main, ["batch", "status"])
    assert batch_id in status.stdout and "completed" in status.stdout

    fetched = runner.invoke(main, ["batch", "fetch", batch_id, "--format", "json"])
    assert fetched.exit_code == 3  # the injected failure is reported, the rest delivered
    report = json.loads(fetched.stdout)
    assert [s["name"] for s in report["sets"]] == ["Platform", "Growth", "Sales"]
    assert [s["engine"] for s in report["sets"]] == ["llm", "llm", "rules"]
    assert report["sets"][0]["objectives"][0]["key_results"][0]["line"] is not None
    assert "team.yaml#3: batch error" in fetched.stderr

    fake.plan = {}
    live = runner.invoke(main, ["critique", str(team_file), "--engine", "llm", "--format", "json"])
    assert json.loads(live.stdout)["usage"]["requests"] == 1  # only the failed set is re-sent


def test_batch_fetch_unknown_id_is_a_usage_error(runner) -> None:
    result = runner.invoke(main, ["batch", "fetch", "batch_nope"])
    assert result.exit_code == 2 and "unknown batch" in result.output


def _answers_cached(home: Path) -> int:
    """Answers the run has stored so far (read-only: the run owns the database)."""
    path = home / CACHE_FILE
    if not path.exists():
        return 0
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)) as db:
            return int(db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
    except sqlite3.OperationalError:  # created but no table yet
        return 0


def test_ctrl_c_keeps_what_finished(tmp_path: Path, okr_home: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["Quick", "Stuck"]), encoding="utf-8")
    with FakeOpenAI(plan={"Stuck": ["timeout"] * 5}, hang=30.0) as server:
        env = {
            **os.environ,
            "OKR_HOME": str(okr_home),
            "OPENAI_API_KEY": DUMMY_KEY,
            "OPENAI_BASE_URL": server.base_url,
        }
        code = "from assistant.cli import main; main()"
        args = [sys.executable, "-c", code, "critique", str(path), "--engine", "llm"]
        proc = subprocess.Popen(
            [*args, "--format", "json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Interrupt once Quick's answer is stored (the run keeps it) and Stuck is in flight.
        deadline = time.monotonic() + 20
        while not (_answers_cached(okr_home) >= 1 and server.in_flight >= 1):
            assert time.monotonic() < deadline, "the run never got to the interesting point"
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, err
    report = json.loads(out)
    quick, stuck = report["sets"]
    assert quick["engine"] == "llm" and "error" not in quick
    assert "interrupted" in stuck["error"]
    assert "Traceback" not in err


def test_llm_engine_without_a_key_is_one_usage_error(runner, team_file, monkeypatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    result = runner.invoke(main, ["critique", str(team_file), "--engine", "llm"])
    assert result.exit_code == 2
    assert "OPENAI_API_KEY is not set" in result.stderr
    assert "Traceback" not in result.output
