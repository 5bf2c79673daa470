"""The LLM review against a local fake OpenAI-compatible server (127.0.0.1, no network)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llm.fake_server import FakeOpenAI, first_user_text
from review_fakes import INVENTED_DATE, review_answer

from assistant.config import Settings
from assistant.domain.review import Review
from assistant.io import read_path
from assistant.llm.client import build_client
from assistant.model import OKRSet
from assistant.services.review import run_review

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FIVE = [
    "finance-lead",
    "engineering-manager",
    "customer-advocate",
    "data-analyst",
    "new-team-member",
]


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-dummy-key-0123456789")


@pytest.fixture
def weak() -> OKRSet:
    return read_path(str(EXAMPLES / "weak.yaml"))[0]


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(answer=review_answer) as fake:
        yield fake


def settings_for(fake: FakeOpenAI) -> Settings:
    settings = Settings()
    settings.llm.base_url = fake.base_url
    settings.llm.timeout = 5.0
    return settings


def llm_review(okr_set: OKRSet, fake: FakeOpenAI, **kwargs) -> Review:
    settings = settings_for(fake)
    kwargs.setdefault("rounds", 2)
    return asyncio.run(run_review(okr_set, engine="llm", settings=settings, **kwargs))


def user_texts(fake: FakeOpenAI) -> list[str]:
    return [
        next(m["content"] for m in r.body["messages"] if m["role"] == "user")
        for r in fake.chat_requests()
    ]


def test_five_personas_two_rounds_cost_eleven_requests(weak: OKRSet, server: FakeOpenAI) -> None:
    r = llm_review(weak, server)
    assert r.engine == "llm" and not r.offline and r.complete
    assert r.requests == 11 == len(server.chat_requests())
    kinds = [t.split(":")[0].split("\n")[0] for t in user_texts(server)]
    assert kinds.count("Round 1") == 5 and kinds.count("Round 2") == 5
    assert kinds[-1] == "Synthesise this review."
    assert r.usage is not None
    assert r.usage.prompt_tokens == 11 * 900 and r.usage.cost_usd is not None
    assert r.usage.requests == r.requests and r.usage.asks == 11
    assert set(r.prompts) == {"review_persona", "review_reply", "review_facilitator"}
    # every persona call carries the same system text (prompt caching) and its own card
    persona_calls = [
        q for q in server.chat_requests() if q.body["messages"][1]["content"].startswith("Round 1")
    ]
    assert len({q.body["messages"][0]["content"] for q in persona_calls}) == 1
    for persona in FIVE:
        assert (
            sum(
                t.startswith("Round") and f"Reviewer id: {persona}\n" in t
                for t in user_texts(server)
            )
            == 2
        )


def test_guards_drop_unverifiable_points_and_invented_numbers(
    weak: OKRSet, server: FakeOpenAI
) -> None:
    r = llm_review(weak, server)
    for seat in r.seats:
        assert [p.code for p in seat.points] == ["LLM-NO-DATA-SOURCE", "KR-VAGUE"]
        for point in seat.points:
            assert point.evidence in weak.target_text(point.target)
        assert seat.points[1].target == "O1.KR2" and seat.points[1].evidence == "Significantly"
        # the made-up quote and the reply to a point that does not exist were dropped
        assert seat.dropped == 2
        valid = {p.id for s in r.seats if s is not seat for p in s.points}
        assert seat.replies and all(rep.to in valid for rep in seat.replies)
    s = r.synthesis
    assert s.by == "facilitator"
    assert [c.target for c in s.top_changes] == ["O1.KR1", "SET"]  # O9.KR9 is not in the set
    change = s.top_changes[0]
    # The invented date became a blank, and a task with only a deadline blank added
    # scores no better: no rewrite is offered for it (the advice stays).
    assert change.rewrite is None and "2031" in change.invented_numbers
    assert INVENTED_DATE not in str(change.model_dump())
    assert change.evidence == "Launch the"
    assert s.disagreements[0].positions[0].persona == "finance-lead"
    assert s.open_questions[0].asked_by == ["finance-lead"]


def test_rounds_run_their_personas_concurrently(weak: OKRSet) -> None:
    # Each reviewer's answer waits until the whole round is at the server: a round sent
    # one request after another would never get past the barrier (and its seats fail).
    barrier = threading.Barrier(len(FIVE), timeout=4.0)

    def together(body: dict[str, Any]) -> dict[str, Any]:
        if not first_user_text(body).startswith("Synthesise"):
            barrier.wait()
        return review_answer(body)

    with FakeOpenAI(answer=together) as fake:
        r = llm_review(weak, fake)
        requests = fake.chat_requests()
        in_flight = fake.max_in_flight
    assert r.requests == 11 and r.complete
    assert in_flight >= len(FIVE)  # a round's personas were at the server at the same time
    kinds = [text.split(":")[0].split("\n")[0] for text in user_texts(fake)]
    assert kinds == ["Round 1"] * 5 + ["Round 2"] * 5 + ["Synthesise this review."]
    starts = [q.at for q in requests]
    assert min(starts[5:10]) > max(starts[:5])  # round 2 waits for round 1
    assert starts[10] > max(starts[5:10])  # and the facilitator for round 2


def test_a_failing_persona_does_not_sink_the_session(weak: OKRSet) -> None:
    with FakeOpenAI(answer=review_answer, plan={"Reviewer id: data-analyst": ["500"] * 9}) as fake:
        settings = settings_for(fake)
        client = build_client(settings, max_retries=0)
        r = asyncio.run(run_review(weak, engine="llm", rounds=2, settings=settings, client=client))
        calls = len(fake.chat_requests())
    analyst = next(s for s in r.seats if s.persona == "data-analyst")
    assert analyst.status == "failed" and "round 1" in analyst.error and "500" in analyst.error
    assert not analyst.points and not analyst.replies
    assert all(s.status == "ok" for s in r.seats if s is not analyst)
    assert calls == 5 + 4 + 1  # the failed seat sits out round 2
    assert not r.complete
    assert any("Dev (data analyst) could not take part" in n for n in r.synthesis.notes)


def test_a_failing_facilitator_falls_back_to_an_offline_synthesis(weak: OKRSet) -> None:
    with FakeOpenAI(answer=review_answer, plan={"Synthesise this review": ["500"] * 9}) as fake:
        settings = settings_for(fake)
        r = asyncio.run(
            run_review(
                weak,
                engine="llm",
                rounds=2,
                settings=settings,
                client=build_client(settings, max_retries=0),
            )
        )
    s = r.synthesis
    assert s.by == "offline" and s.notes[0].startswith("The facilitator could not answer")
    assert s.top_changes and s.agreements  # built from the reviewers' points and replies
    assert not r.complete


def test_every_seat_failing_leaves_nothing_to_synthesise(weak: OKRSet) -> None:
    with FakeOpenAI(answer=review_answer, plan={"Round 1": ["500"] * 9}) as fake:
        settings = settings_for(fake)
        r = asyncio.run(
            run_review(
                weak,
                engine="llm",
                rounds=2,
                settings=settings,
                client=build_client(settings, max_retries=0),
            )
        )
        assert len(fake.chat_requests()) == 5
    assert all(s.status == "failed" for s in r.seats)
    assert "nothing to synthesise" in r.synthesis.notes[-1]


async def test_async_entry_point_for_callers_inside_an_event_loop(
    weak: OKRSet, server: FakeOpenAI
) -> None:
    seen: list[str] = []
    r = await run_review(
        weak,
        personas=["finance-lead", "data-analyst"],
        rounds=1,
        engine="llm",
        settings=settings_for(server),
        progress=seen.append,
    )
    assert r.requests == 3 and r.rounds == 1
    assert not any(s.replies for s in r.seats)
    assert "facilitator done" in seen and "round 1: Farah (finance lead) done" in seen


def test_ctrl_c_on_okr_review_keeps_the_finished_seats_and_exits_130(tmp_path: Path) -> None:
    """A real SIGINT to ``okr review``: four seats answered, one hangs; the four are kept."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    plan = {"Reviewer id: data-analyst": ["timeout"] * 9}
    with FakeOpenAI(answer=review_answer, plan=plan, hang=30.0) as fake:
        env = {
            **os.environ,
            "OKR_HOME": str(tmp_path),
            "OPENAI_BASE_URL": fake.base_url,
            "OPENAI_API_KEY": "sk-test-dummy-key-0123456789",
        }
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from assistant.cli import main; main()",
                "review",
                str(EXAMPLES / "weak.yaml"),
                "--engine",
                "llm",
                "--rounds",
                "1",
                "--format",
                "json",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if len(fake.chat_requests()) >= 5 and fake.in_flight == 1:
                break
            time.sleep(0.05)
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    data = json.loads(out)
    seats = {s["persona"]: s["status"] for s in data["seats"]}
    assert seats.pop("data-analyst") == "failed"
    assert set(seats.values()) == {"ok"} and len(seats) == 4


def test_each_answer_is_capped_at_what_it_needs(weak: OKRSet) -> None:
    """A small model under a grammar repeats items until the token limit: each ask is
    capped at what its answer needs, not the general 4,000."""
    with FakeOpenAI(answer=review_answer) as fake:
        llm_review(weak, fake, personas=FIVE[:2])
        caps = [
            r.body.get("max_tokens") or r.body.get("max_completion_tokens")
            for r in fake.chat_requests()
        ]
    assert caps == [1500, 1500, 1000, 1000, 2000]


def test_a_seat_cut_off_in_its_points_keeps_them_without_a_re_ask(weak: OKRSet) -> None:
    """A reviewer's answer cut off while listing points: the whole points are kept and
    its questions (never reached) are empty, rather than a second long answer."""

    def repeating(body: dict[str, Any]) -> dict[str, Any]:
        answer = review_answer(body)
        if "points" in answer:
            answer = {"points": answer["points"][:1] * 8, "questions": answer["questions"]}
        return answer

    with FakeOpenAI(answer=repeating, plan={"Reviewer id: finance-lead": ["length"]}) as fake:
        r = llm_review(weak, fake, personas=FIVE[:2], rounds=1)
        sent = len(fake.chat_requests())
    finance = next(s for s in r.seats if s.persona == "finance-lead")
    assert finance.status == "ok" and finance.points and not finance.questions
    assert sent == 3  # two seats and the facilitator: the cut-off seat was not re-asked
