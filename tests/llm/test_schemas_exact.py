"""``okr critique --engine llm`` against a server that answers exactly per the JSON
schema of each request, as llama.cpp's grammar-constrained ``llama-server`` does.

Whatever such a server writes is kept: every finding names a target of the set and
quotes that target's own text (the evidence is an enum of its spans), the answer is
never cut off (the token cap holds the longest answer the schema allows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import main
from assistant.io import read_path

from .fake_server import FakeOpenAI
from .schema_exact import answer_maximal, answer_minimal, sent_schema

WEAK = Path(__file__).resolve().parents[2] / "examples" / "weak.yaml"


def critique_json(fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
    result = CliRunner().invoke(
        main, ["critique", str(WEAK), "--engine", "llm", "--format", "json", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_finding_a_schema_exact_server_gives_is_kept_and_grounded(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.answer = answer_maximal  # the most the schema allows: 5 findings, texts at their limit
    report = critique_json(fake, monkeypatch)
    [request] = fake.chat_requests()
    body = request.body or {}
    assert sent_schema(body)["properties"]["findings"]["maxItems"] == 5  # compact, local
    llm = report["summary"]["llm"]
    assert (llm["kept"], llm["dropped"]) == (5, 0)
    okr_set = read_path(str(WEAK))[0]
    findings = [f for f in report["sets"][0]["findings"] if f["source"] == "llm"]
    assert findings
    for finding in findings:
        assert finding["evidence"] and finding["evidence"] in okr_set.target_text(finding["target"])
    answer = json.dumps(answer_maximal(body), separators=(",", ":"))
    assert len(answer) <= body["max_tokens"] * 3  # never cut off at the token cap


def test_the_least_a_schema_exact_server_gives_is_no_finding(
    fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.answer = answer_minimal
    report = critique_json(fake, monkeypatch)
    assert len(fake.chat_requests()) == 1
    assert report["summary"]["llm"]["kept"] == 0
    assert {f["source"] for f in report["sets"][0]["findings"]} == {"rules"}
