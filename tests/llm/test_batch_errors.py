"""Item 5 of issue 11: whatever the Batch API or the network does, ``okr batch
submit|status|fetch`` print one line and exit 3 (2 for usage) — never a traceback."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx2 as httpx
import openai
import pytest
from click.testing import CliRunner, Result

from assistant.cli import main
from assistant.llm import client as llm_client

from .conftest import team_yaml
from .fake_server import FakeOpenAI


@pytest.fixture
def team_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["Platform", "Growth"]), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    real = llm_client.build_client
    monkeypatch.setattr(
        "assistant.services.batch.build_client", lambda settings: real(settings, max_retries=0)
    )


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def one_line(result: Result, code: int, *needles: str) -> None:
    assert result.exit_code == code, result.output
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("okr: ")
    for needle in needles:
        assert needle in lines[0]


def submit(fake: FakeOpenAI, team_file: Path) -> str:
    result = run("batch", "submit", str(team_file))
    assert result.exit_code == 0, result.output
    return result.stdout.split()[1].rstrip(":")


def test_status_and_fetch_of_a_batch_the_server_lost_are_404_lines(
    fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    batch_id = submit(fake, team_file)
    fake._batches.clear()
    one_line(run("batch", "status", batch_id), 3, "batch status", "no such batch")
    one_line(run("batch", "fetch", batch_id), 3, f"batch fetch {batch_id}", "no such batch")


def closed_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/v1"


def test_connection_refused_is_one_line(
    fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    batch_id = submit(fake, team_file)
    monkeypatch.setenv("OPENAI_BASE_URL", closed_port())
    one_line(run("batch", "status", batch_id), 3, "cannot reach the server")
    one_line(run("batch", "fetch", batch_id), 3, "cannot reach the server")
    one_line(run("batch", "submit", str(team_file)), 3, "batch submit", "cannot reach")


def server_error(*_args: object, **_kwargs: object) -> None:
    request = httpx.Request("POST", "http://server/v1/files")
    raise openai.InternalServerError(
        "upstream exploded\nwith a second line",
        response=httpx.Response(500, request=request),
        body=None,
    )


@pytest.mark.parametrize("command", ["submit", "status", "fetch"])
def test_every_api_error_is_one_line_exit_3(
    command: str, fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    batch_id = submit(fake, team_file)

    async def fail(*args: object, **kwargs: object) -> None:
        server_error()

    monkeypatch.setattr(f"assistant.llm.batch.{command}", fail)
    args = {"submit": [str(team_file)], "status": [batch_id], "fetch": [batch_id]}[command]
    one_line(run("batch", command, *args), 3, "upstream exploded with a second line")


@pytest.mark.parametrize("command", ["status", "fetch"])
def test_an_answer_of_the_wrong_shape_is_one_line(
    command: str, fake: FakeOpenAI, team_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    batch_id = submit(fake, team_file)

    async def odd(*args: object, **kwargs: object) -> None:
        raise KeyError("output_file_id")

    monkeypatch.setattr(f"assistant.llm.batch.{command}", odd)
    one_line(run("batch", command, batch_id), 3, "unexpected answer from the server")


def test_usage_errors_stay_exit_2(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    result = run("batch", "status", "batch_unknown")
    assert result.exit_code == 2 and "unknown batch" in result.output
