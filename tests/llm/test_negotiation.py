"""Issue 14 on fakes: mode negotiation remembered per endpoint, a schema per set, lenient
targets, what the guards kept and dropped, and exact rewrite guards."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from assistant.llm.guards import implausible_rewrite, normalise_target, replace_invented
from assistant.render import to_json_data
from assistant.render.llm_usage import guards_line, usage_line

from .conftest import run_llm_critique, settings_for, team
from .fake_server import FakeOpenAI, first_user_text


def run(sets, settings, home: Path, **kwargs: Any):
    options: dict[str, Any] = {"concurrency": 4, "use_cache": True, "dry_run": False}
    options.update(kwargs)
    return run_llm_critique(sets, settings=settings, home=home, style="balanced", **options)


def test_500_to_json_schema_costs_one_refusal_per_first_ask_once_and_is_remembered(
    okr_home: Path,
) -> None:
    """The run starts at its full concurrency (4): each first ask may be refused once
    (never retried: the refusal is final), then the mode is known and remembered."""
    names = [f"s{i}" for i in range(6)]
    with FakeOpenAI(json_schema=False, format_status=500) as server:
        report = run(team(names), settings_for(server), okr_home)
        assert not report.errors
        assert report.usage is not None and report.usage.mode == "json_object"
        refused = [r for r in server.chat_requests() if r.fault == "400-format"]
        assert 1 <= len(refused) <= 4  # at most one per worker, none retried
        assert len(server.chat_requests()) == len(names) + len(refused)
        assert any("json_object" in note for note in report.usage.notes)
        assert "note: " in usage_line(report.usage)

        server.reset()
        again = run(team([f"t{i}" for i in range(3)]), settings_for(server), okr_home)
        assert not again.errors
        assert len(server.chat_requests()) == 3  # the next run starts at json_object
        assert all(r.body["response_format"] == {"type": "json_object"} for r in server.requests)
        assert again.usage is not None and again.usage.notes == []  # said once


def test_the_schema_sent_is_the_sets_own_with_enums(fake: FakeOpenAI, okr_home: Path) -> None:
    run(team(["A"]), settings_for(fake), okr_home)
    schema = fake.chat_requests()[0].body["response_format"]["json_schema"]["schema"]
    variants = schema["properties"]["findings"]["items"]["anyOf"]  # one per target
    targets = [v["properties"]["target"]["enum"] for v in variants]
    assert targets == [["SET"], ["O1"], ["O1.KR1"], ["O1.KR2"], ["O1.KR3"]]
    codes = schema["$defs"]["Code"]["enum"]
    assert "KR-VAGUE" in codes and "LLM-OTHER" in codes


def _finding(**over: Any) -> dict[str, Any]:
    base = {
        "target": "O1.KR2",
        "code": "LLM-NO-DATA-SOURCE",
        "dimension": "measurability",
        "severity": "info",
        "evidence": "Launch the new",
        "message": "m",
        "question": "q",
        "suggestion": "s",
        "rewrite": None,
    }
    return {**base, **over}


def test_valid_findings_are_kept_and_the_rest_counted(fake: FakeOpenAI, okr_home: Path) -> None:
    def answer(body: dict) -> dict:
        return {
            "findings": [
                _finding(code="LLM-A", target="O1.KR2: Launch the new onboarding flow"),
                _finding(code="LLM-B", target="Launch the new onboarding flow"),
                _finding(code="LLM-C", target="the onboarding KR"),
                _finding(code="LLM-D", target="O9.KR9"),
                _finding(code="LLM-E", evidence="a sentence the user never wrote"),
                _finding(code="LLM-F", severity="huge"),
                {"target": "O1"},
            ]
        }

    fake.answer = answer
    report = run(team(["A"]), settings_for(fake), okr_home)
    assert not report.errors
    assert len(fake.chat_requests()) == 1  # no re-ask for the invalid ones
    codes = {f.code for f in report.sets[0].findings if f.source == "llm"}
    assert codes == {"LLM-A", "LLM-B"}
    guards = report.guards
    assert guards is not None and guards.kept == 2 and guards.dropped == 5
    assert guards.dropped_by == {
        "unknown target": 2,
        "evidence not in your text": 1,
        "invalid finding": 2,
    }
    line = guards_line(guards)
    assert line.startswith("llm: 2 findings kept, 5 dropped: ")
    assert "2 unknown target" in line and "1 evidence not in your text" in line
    from assistant.render.text import to_text

    assert "llm: 2 findings kept, 5 dropped: " in to_text(report, color=False, width=200)
    data = json.loads(json.dumps(to_json_data(report)))
    assert data["summary"]["llm"]["kept"] == 2
    assert data["summary"]["llm"]["dropped"] == 5
    assert data["summary"]["llm"]["requests"] == 1
    assert data["summary"]["llm"]["dropped_by"]["invalid finding"] == 2

    # The cached answer gives the same counts with no request.
    fake.reset()
    again = run(team(["A"]), settings_for(fake), okr_home)
    assert not fake.chat_requests()
    assert again.guards is not None and again.guards.dropped_by == guards.dropped_by


def test_rewrites_that_do_not_improve_or_are_codes_are_withheld(
    fake: FakeOpenAI, okr_home: Path
) -> None:
    def answer(body: dict) -> dict:
        kr1 = next(
            line.split(": ", 1)[1].split("  [")[0]
            for line in first_user_text(body).splitlines()
            if "O1.KR1:" in line
        )
        return {
            "findings": [
                _finding(code="LLM-CODE", rewrite="LLM-ACTIVITY"),
                _finding(code="LLM-SAME", target="O1.KR1", evidence="Raise", rewrite=kr1),
                _finding(code="LLM-ASKED", rewrite="q"),
            ]
        }

    fake.answer = answer
    report = run(team(["A"]), settings_for(fake), okr_home)
    llm = [f for f in report.sets[0].findings if f.source == "llm"]
    assert {f.code for f in llm} == {"LLM-CODE", "LLM-SAME", "LLM-ASKED"}
    assert all(f.rewrite is None for f in llm)
    assert report.guards is not None and report.guards.rewrites_withheld == 3
    assert "withheld" in guards_line(report.guards)


def test_lenient_targets() -> None:
    (okr_set,) = team(["A"])
    assert normalise_target(okr_set, "O1.KR2: Launch the new onboarding flow") == "O1.KR2"
    assert normalise_target(okr_set, "o1 kr3 - Improve NPS") == "O1.KR3"
    assert normalise_target(okr_set, "improve NPS significantly.") == "O1.KR3"
    assert normalise_target(okr_set, "Make onboarding effortless for new customers") == "O1"
    assert normalise_target(okr_set, "O1.KR9: nothing") is None
    assert normalise_target(okr_set, "onboarding") is None


def test_a_rewrite_may_not_borrow_another_krs_numbers() -> None:
    (okr_set,) = team(["A"])
    placed = replace_invented("Raise NPS from 32 to 50", okr_set, "O1.KR3")
    assert placed.text == "Raise NPS from [baseline] to [target]"
    own = replace_invented("Raise activation from 32% to 50%", okr_set, "O1.KR1")
    assert own.invented == []


def test_implausible_rewrites() -> None:
    assert implausible_rewrite("LLM-ACTIVITY", "x") == "rewrite is a code"
    assert implausible_rewrite("  ", "x") == "rewrite is empty"
    assert implausible_rewrite("Which survey?", "x", "Which survey?") is not None
    assert implausible_rewrite("Raise NPS from 20 to 35", "Improve NPS") is None


def test_prose_numbers_are_guarded_only_where_they_claim_a_value() -> None:
    from assistant.llm.guards import guard_prose

    (okr_set,) = team(["A"])
    assert guard_prose("In round 1 we agreed on Q3", okr_set) == "In round 1 we agreed on Q3"
    assert guard_prose("Raise NPS to 35 by Q3", okr_set) == "Raise NPS to [number] by Q3"
    assert guard_prose("Two of the 3 reviewers want 40%", okr_set).endswith("[number]%")
    assert guard_prose("activation from 32% to 50%", okr_set) == "activation from 32% to 50%"
    assert guard_prose("In 2026 we start", okr_set) == "In 2026 we start"


async def test_a_local_answer_is_streamed_and_times_out_on_silence_only(fake: FakeOpenAI) -> None:
    import time

    from assistant.llm.client import ask_structured, build_client
    from assistant.llm.schemas import CoachCritique

    fake.answer = lambda body: {"findings": [_finding(message="m" * 400)]}
    fake.stream_gap = 0.25  # 8+ chunks, each well inside the 0.6 s silence timeout
    settings = settings_for(fake, timeout=0.6)
    client = build_client(settings, max_retries=0)
    started = time.monotonic()
    try:
        messages = [{"role": "user", "content": "x"}]
        answer, usage = await ask_structured(client, "m", messages, CoachCritique)
    finally:
        await client.close()
    assert time.monotonic() - started > 0.6  # longer than the timeout in total
    assert answer.findings and usage.prompt_tokens == 900  # usage from the last chunk
    assert fake.chat_requests()[0].body["stream"] is True


async def test_giving_up_closes_the_stream(fake: FakeOpenAI) -> None:
    import asyncio

    from assistant.llm.client import ask_structured, build_client
    from assistant.llm.schemas import CoachCritique

    fake.answer = lambda body: {"findings": [_finding(message="m" * 400)]}
    fake.stream_gap = 0.3
    client = build_client(settings_for(fake), max_retries=0)
    messages = [{"role": "user", "content": "x"}]
    task = asyncio.create_task(ask_structured(client, "m", messages, CoachCritique))
    for _ in range(100):
        if fake.in_flight:
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.2)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await client.close()
    for _ in range(100):  # the server notices on its next write
        if fake.streams_closed:
            break
        await asyncio.sleep(0.05)
    assert fake.streams_closed == 1


def test_local_urls_default_to_a_long_silence_timeout() -> None:
    from assistant.config import Settings
    from assistant.llm.client import LOCAL_SILENCE_TIMEOUT, client_timeout, is_local

    assert is_local("http://127.0.0.1:8080/v1") and is_local("http://localhost:11434/v1")
    assert is_local("http://192.168.1.20:8000/v1") and not is_local("https://api.openai.com/v1")
    settings = Settings()
    settings.llm = settings.llm.model_validate({"base_url": "http://localhost:8080/v1"})
    assert client_timeout(settings).read == LOCAL_SILENCE_TIMEOUT
    settings.llm = settings.llm.model_validate(
        {"base_url": "http://localhost:8080/v1", "timeout": 9}
    )
    assert client_timeout(settings).read == 9
    assert client_timeout(Settings()).read == 60.0


def test_the_compact_prompt_is_chosen_by_the_setting_or_for_local_urls(
    fake: FakeOpenAI, okr_home: Path
) -> None:
    from assistant.config import Settings
    from assistant.llm.engine import critique_prompt_name
    from assistant.llm.prompts import load_prompt

    compact, full = load_prompt("critique_compact"), load_prompt("critique")
    assert compact.id != full.id and len(compact.system) < len(full.system) / 2
    assert set(compact.styles) == set(full.styles)
    settings = settings_for(fake, prompt="compact")
    report = run(team(["A"]), settings, okr_home)
    assert not report.errors
    assert fake.chat_requests()[0].body["messages"][0]["content"].startswith(compact.system)
    # a small model's answer is capped at what 5 findings need, not the general 4,000:
    # the longest answer the schema sent allows (so it is never cut off)
    from assistant.llm.bounds import answer_tokens

    body = fake.chat_requests()[0].body
    sent = body["response_format"]["json_schema"]["schema"]
    assert sent["properties"]["findings"]["maxItems"] == 5
    assert body["max_tokens"] == answer_tokens(sent) < 4000
    assert critique_prompt_name(settings_for(fake, prompt="auto")) == "critique_compact"
    assert critique_prompt_name(Settings()) == "critique"
    auto_remote = Settings()
    auto_remote.llm.prompt = "auto"
    assert critique_prompt_name(auto_remote) == "critique"
