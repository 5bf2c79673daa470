"""Replays of recorded endpoint traffic (vcrpy, httpx2) — no network, no server.

The cassettes were recorded against the local fake server (tests/llm/fake_server.py).
Re-record after changing the request shape with:

    OKR_RECORD_CASSETTES=1 .venv/bin/python -m pytest tests/llm/test_cassettes.py

In normal runs ``record_mode="none"``: a request that is not in a cassette fails loudly
instead of reaching any network. Secrets are scrubbed from what is recorded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr
from vcr.errors import CannotOverwriteExistingCassetteException

from assistant.llm.client import ask_structured, build_client
from assistant.llm.schemas import CoachCritique
from assistant.services.coach import run_llm_critique

from .conftest import DUMMY_KEY, settings_for, team
from .fake_server import FakeOpenAI

CASSETTES = Path(__file__).parent / "cassettes"
RECORD = os.environ.get("OKR_RECORD_CASSETTES") == "1"
PORT = 18765
SCRUBBED = ["authorization", "api-key", "openai-organization", "openai-project", "set-cookie"]


def recorder() -> vcr.VCR:
    return vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode="all" if RECORD else "none",
        filter_headers=SCRUBBED,
        match_on=["method", "scheme", "host", "port", "path"],
        decode_compressed_response=True,
    )


class _Endpoint:
    """Looks like FakeOpenAI to settings_for(); only serves while recording."""

    base_url = f"http://127.0.0.1:{PORT}/v1"


@pytest.fixture
def endpoint() -> Iterator[_Endpoint]:
    if RECORD:
        with FakeOpenAI(port=PORT):
            yield _Endpoint()
    else:
        yield _Endpoint()


def test_replayed_critique_is_grounded(endpoint: _Endpoint, okr_home: Path) -> None:
    with recorder().use_cassette("critique_two_sets.yaml") as cassette:
        report = run_llm_critique(
            team(["Platform", "Growth"]),
            # recorded without streaming (a local URL streams by default)
            settings=settings_for(endpoint, stream=False),  # type: ignore[arg-type]
            home=okr_home,
            concurrency=1,
            use_cache=False,
            dry_run=False,
            style="balanced",
        )
    assert not report.errors
    assert cassette.play_count == 2 or RECORD
    for critique in report.sets:
        llm = [f for f in critique.findings if f.source == "llm"]
        assert llm and llm[0].evidence == "Raise week-1 activation"


def test_cassettes_hold_no_secrets() -> None:
    files = list(CASSETTES.glob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8").lower()
        assert DUMMY_KEY.lower() not in text
        assert "bearer" not in text
        for header in SCRUBBED:
            assert f"{header}:" not in text


async def test_unrecorded_request_fails_loudly(endpoint: _Endpoint) -> None:
    if RECORD:
        pytest.skip("only meaningful on replay")
    settings = settings_for(endpoint, stream=False)  # type: ignore[arg-type]
    client = build_client(settings, max_retries=0)
    messages = [{"role": "user", "content": "anything"}]
    with recorder().use_cassette("critique_two_sets.yaml", allow_playback_repeats=False):
        try:
            for _ in range(2):  # the cassette holds two answers
                await ask_structured(client, "gpt-4o-mini", messages, CoachCritique)
            with pytest.raises(CannotOverwriteExistingCassetteException):
                await ask_structured(client, "gpt-4o-mini", messages, CoachCritique)
        finally:
            await client.close()
