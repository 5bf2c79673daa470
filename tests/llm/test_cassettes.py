"""Replays of real structured-output traffic from llama.cpp's ``llama-server``
(SmolLM2-135M-Instruct, grammar-constrained ``json_schema``, streamed as the client does
for a local URL) — no network, no server.

Re-record them (after changing the request shape) against the real server with:

    python scripts/llama_server.py setup     # once: builds llama-server, caches the model
    OKR_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/llm/test_cassettes.py

Recording starts the cached server on 127.0.0.1:18765 itself. In normal runs
``record_mode="none"``: a request that is not in a cassette fails loudly instead of
reaching any network. Secrets are scrubbed from what is recorded. A 135M model's
answers are what they are, so the tests assert what must hold for any answer: the
guards keep only grounded findings and say what they dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr
from e2e.llama import load_script
from vcr.errors import CannotOverwriteExistingCassetteException

from assistant.config import Settings
from assistant.llm.cache import LLMCache
from assistant.llm.client import ItemError, ask_structured, build_client
from assistant.llm.schemas import LenientCritique
from assistant.model import OKRSet
from assistant.services.review import run_review

from .conftest import DUMMY_KEY, run_llm_critique, team

CASSETTES = Path(__file__).parent / "cassettes"
RECORD = os.environ.get("OKR_RECORD_CASSETTES") == "1"
PORT = 18765
BASE_URL = f"http://127.0.0.1:{PORT}/v1"
SCRUBBED = ["authorization", "api-key", "openai-organization", "openai-project", "set-cookie"]


def recorder() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD else "none",
        filter_headers=SCRUBBED,
        match_on=["method", "scheme", "host", "port", "path"],
        decode_compressed_response=True,
    )


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The base URL the cassettes were recorded at; a real server only while recording."""
    if not RECORD:
        yield BASE_URL
        return
    proc, url = load_script().start(PORT, jobs=os.cpu_count() or 2)
    try:
        yield url
    finally:
        load_script().stop(proc)


def settings_at(url: str) -> Settings:
    """Default settings, as a user with a local server has them (streaming, timeouts)."""
    settings = Settings()
    settings.llm.base_url = url
    return settings


def grounded(okr_set: OKRSet, finding) -> bool:  # noqa: ANN001
    if finding.target == "SET":
        return True
    try:
        return finding.evidence in okr_set.target_text(finding.target)
    except (IndexError, ValueError):
        return False


def test_replayed_critique_keeps_only_grounded_findings(server: str, okr_home: Path) -> None:
    sets = team(["Platform", "Growth"])
    with recorder().use_cassette("critique_two_sets.yaml") as cassette:
        report = run_llm_critique(
            sets,
            settings=settings_at(server),
            home=okr_home,
            concurrency=1,
            use_cache=False,
            dry_run=False,
            style="balanced",
        )
    assert not report.errors
    assert RECORD or cassette.play_count == len(cassette.requests) >= 2
    assert report.usage is not None and report.usage.mode == "json_schema"
    assert report.usage.prompt_tokens > 0 and report.usage.completion_tokens > 0
    guards = report.guards
    assert guards is not None and sum(guards.dropped_by.values()) == guards.dropped
    shown = 0
    for okr_set, critique in zip(sets, report.sets, strict=True):
        llm = [f for f in critique.findings if f.source == "llm"]
        shown += len(llm)
        assert all(grounded(okr_set, f) for f in llm)
        assert any(f.source == "rules" for f in critique.findings)  # merged, not replaced
    assert shown <= guards.kept  # kept findings may merge into the rules' own


def test_replayed_review_grounds_every_point(server: str, okr_home: Path) -> None:
    (okr_set,) = team(["Platform"])
    with recorder().use_cassette("review_two_personas.yaml") as cassette:
        review = asyncio.run(
            run_review(
                okr_set,
                personas=["finance-lead", "data-analyst"],
                rounds=1,
                engine="llm",
                settings=settings_at(server),
                mode_cache=LLMCache(okr_home),
            )
        )
    # 2 seats (a reply cut off at its cap is re-asked once) and the facilitator
    assert RECORD or cassette.play_count == len(cassette.requests) >= 3
    assert review.engine == "llm" and len(review.seats) == 2
    for seat in review.seats:
        for point in seat.points:
            assert grounded(okr_set, point), point
    for change in review.synthesis.top_changes:
        if change.rewrite:
            assert change.target in {str(t) for t, _ in okr_set.iter_targets()}


def test_cassettes_hold_no_secrets() -> None:
    files = list(CASSETTES.glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        assert DUMMY_KEY.lower() not in text
        assert "bearer" not in text
        for header in SCRUBBED:
            assert f"{header}:" not in text


def test_cassettes_are_real_server_traffic() -> None:
    """Recorded from llama-server (its own response headers and streamed chunks), not
    from the fake server the other tests use."""
    text = (CASSETTES / "critique_two_sets.yaml").read_text(encoding="utf-8")
    assert "llama.cpp" in text or "llama-server" in text.lower() or "Server: llama" in text
    assert "data: " in text  # server-sent events: the answer was streamed


async def test_unrecorded_request_fails_loudly(server: str) -> None:
    if RECORD:
        pytest.skip("only meaningful on replay")
    client = build_client(settings_at(server), max_retries=0)
    messages = [{"role": "user", "content": "anything"}]
    with recorder().use_cassette("critique_two_sets.yaml", allow_playback_repeats=False) as c:
        try:
            with pytest.raises(CannotOverwriteExistingCassetteException):
                for _ in range(len(c.requests) + 1):  # one more than the cassette holds
                    # the recorded answer was for another prompt: an ItemError is fine here
                    with contextlib.suppress(ItemError):
                        await ask_structured(client, "m", messages, LenientCritique, max_asks=1)
        finally:
            await client.close()
