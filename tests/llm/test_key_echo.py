"""Issue 22 item 3: a server or model that echoes the API key back (in an answer's text,
a refusal, a streamed chunk, an error body) never gets it shown, cached, logged or
stored: the client layer scrubs every reply before any caller reads it."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.llm.client import ask_structured, build_client
from assistant.llm.schemas import CoachCritique

from .conftest import settings_for, team_yaml
from .fake_server import FakeOpenAI

KEY = "sk-proj-ECHOED-0123456789abcdefghijklmnop"


def _no_key_under(root: Path) -> None:
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files  # the run did write its data home (the answer cache at least)
    for path in files:
        assert KEY.encode() not in path.read_bytes(), path


@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_an_echoed_key_is_nowhere_after_a_critique(
    stream: bool,
    fake: FakeOpenAI,
    okr_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    monkeypatch.setenv("OKR_LLM__STREAM", "true" if stream else "false")
    fake.plan = {"Alpha": ["echo-key"], "Bravo": ["refusal-echo"], "Charlie": ["401-echo"]}
    path = tmp_path / "team.yaml"
    path.write_text(team_yaml(["Alpha", "Bravo", "Charlie"]), encoding="utf-8")
    for fmt in ("text", "json"):
        fake.reset()  # each run meets the same faults
        result = CliRunner().invoke(
            main, ["critique", str(path), "--engine", "llm", "--no-cache", "-f", fmt]
        )
        assert result.exit_code == 3, result.output  # Bravo refused, Charlie 401
        assert KEY not in result.stdout and KEY not in result.stderr
        assert "[redacted]" in result.stdout  # Alpha's findings, the key masked
        assert "declined to answer" in result.stderr and "[redacted]" in result.stderr
    assert all(r.body is not None and r.body.get("stream", False) is stream
               for r in fake.chat_requests())  # fmt: skip
    _no_key_under(okr_home)


async def test_every_caller_of_the_client_gets_scrubbed_text(fake: FakeOpenAI, monkeypatch):
    """Review, drafting and the retro summary ask through ``ask_structured`` too."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fake.plan = {"MARK": ["echo-key"]}
    client = build_client(settings_for(fake), max_retries=0)
    messages = [{"role": "user", "content": "- O1.KR1: Raise activation from 10% to 20% MARK"}]
    try:
        answer, _usage = await ask_structured(client, "m", messages, CoachCritique)
    finally:
        await client.close()
    text = json.dumps(answer.model_dump())
    assert KEY not in text and "Your key is [redacted]." in text


def test_a_key_split_across_stream_chunks_is_still_scrubbed(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake streams 64 characters per chunk: the key straddles two of them."""
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    fake.plan = {"MARK": ["echo-key"]}
    messages = [{"role": "user", "content": "- O1.KR1: Raise activation from 10% to 20% MARK"}]

    async def ask() -> str:
        client = build_client(settings_for(fake), max_retries=0)  # local: streamed
        try:
            answer, _ = await ask_structured(client, "m", messages, CoachCritique)
        finally:
            await client.close()
        return json.dumps(answer.model_dump())

    text = asyncio.run(ask())
    (request,) = fake.chat_requests()
    assert request.body is not None and request.body["stream"] is True
    sent = fake.completion(request.body, "echo-key", KEY)["choices"][0]["message"]["content"]
    starts = [m.start() for m in re.finditer(re.escape(KEY), sent)]
    assert any(at // 64 != (at + len(KEY) - 1) // 64 for at in starts)  # split by a chunk
    assert KEY not in text and "[redacted]" in text
