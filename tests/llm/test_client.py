"""ask_structured against the fault-injecting fake server: every fault ends in a valid
answer or one clear error, within a bounded number of requests."""

from __future__ import annotations

import json

import pytest

from assistant.llm.client import ItemError, RequestCounter, ask_structured, build_client
from assistant.llm.schemas import CoachCritique

from .conftest import settings_for
from .fake_server import FakeOpenAI

MESSAGES = [
    {"role": "system", "content": "You are an OKR coach."},
    {
        "role": "user",
        "content": "SET: X\nO1: Grow\n- O1.KR1: Raise activation from 10% to 20% MARK",
    },
]


async def ask(server: FakeOpenAI, *, max_retries: int = 2, **kwargs):
    settings = settings_for(server, **kwargs.pop("llm", {}))
    counter = RequestCounter()
    client = build_client(settings, max_retries=max_retries, counter=counter)
    try:
        result = await ask_structured(client, "gpt-4o-mini", MESSAGES, CoachCritique, **kwargs)
    finally:
        await client.close()
    return result, counter.count


async def test_valid_answer_uses_strict_json_schema(fake: FakeOpenAI) -> None:
    (answer, usage), sent = await ask(fake)
    assert answer.findings[0].target == "O1.KR1"
    assert sent == 1 and usage.asks == 1
    assert (usage.prompt_tokens, usage.completion_tokens) == fake.usage
    fmt = fake.chat_requests()[0].body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True


async def test_429_honours_retry_after(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["429", "ok"]}
    fake.retry_after = "0.4"
    (answer, _usage), sent = await ask(fake)
    first, second = fake.chat_requests()
    assert answer.findings and sent == 2
    assert second.at - first.at >= 0.38


async def test_500s_exhaust_transport_retries_then_one_error(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["500"] * 10}
    with pytest.raises(ItemError, match=r"HTTP 500: The server had an error \(2 requests sent\)$"):
        await ask(fake, max_retries=1)
    assert len(fake.chat_requests()) == 2


async def test_timeout_is_a_clear_item_error(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["timeout"]}
    fake.hang = 3.0
    with pytest.raises(ItemError, match=r"timed out: no answer within 0.3 s \(1 request sent\)$"):
        await ask(fake, max_retries=0, llm={"timeout": 0.3})
    assert len(fake.chat_requests()) == 1


async def test_malformed_json_is_re_asked_with_the_error(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["malformed", "ok"]}
    (answer, usage), _sent = await ask(fake, max_retries=0)
    assert answer.findings and usage.asks == 2
    retry = fake.chat_requests()[1].body["messages"]
    assert retry[-2]["role"] == "assistant"
    assert "could not be used" in retry[-1]["content"]


async def test_schema_violations_give_up_after_max_asks(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["invalid"] * 5}
    with pytest.raises(ItemError, match="no valid answer after 3 asks"):
        await ask(fake, max_retries=0)
    assert len(fake.chat_requests()) == 3


async def test_html_body_instead_of_json_is_re_asked(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["badbody", "ok"]}
    (answer, usage), _sent = await ask(fake, max_retries=0)
    assert answer.findings and usage.asks == 2


async def test_refusal_fails_without_re_asking(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["refusal"] * 3}
    with pytest.raises(ItemError, match="declined"):
        await ask(fake, max_retries=0)
    assert len(fake.chat_requests()) == 1


async def test_cut_off_is_re_asked_once_shorter_then_fails_with_its_tokens(
    fake: FakeOpenAI,
) -> None:
    fake.plan = {"MARK": ["length"] * 3}
    with pytest.raises(ItemError, match="finish_reason=length") as info:
        await ask(fake, max_retries=0)
    first, second = fake.chat_requests()
    assert "cut off" in second.body["messages"][-1]["content"]
    usage = info.value.usage
    assert usage is not None and usage.asks == 2
    assert (usage.prompt_tokens, usage.completion_tokens) == (1800, 500)


async def test_cut_off_once_then_a_valid_shorter_answer(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["length", "ok"]}
    (answer, usage), sent = await ask(fake, max_retries=0)
    assert answer.findings and sent == 2
    assert usage.asks == 2 and usage.prompt_tokens == 1800  # the cut-off reply counts too


async def test_a_cut_off_list_keeps_its_complete_findings_without_a_re_ask(
    fake: FakeOpenAI,
) -> None:
    """A small model repeating findings until the limit: the whole findings before the
    cut are kept (1 request), not paid for again with a second long answer."""
    finding = {
        "target": "O1.KR1",
        "code": "KR-VAGUE",
        "dimension": "clarity",
        "severity": "warning",
        "evidence": "Raise week-1 activation",
        "message": "Say what is counted.",
        "question": "Which users count?",
        "suggestion": "Name the metric.",
        "rewrite": None,
    }
    fake.answer = lambda body: {"findings": [finding] * 6}  # cut in half: 2 whole findings
    fake.plan = {"MARK": ["length"]}
    (answer, usage), sent = await ask(fake, max_retries=0)
    assert sent == 1 and usage.asks == 1 and usage.salvaged == 1
    assert len(answer.findings) == 2 and answer.findings[0].evidence == finding["evidence"]


async def test_failed_asks_keep_their_token_usage(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["invalid"] * 3}
    with pytest.raises(ItemError, match="no valid answer after 3 asks") as info:
        await ask(fake, max_retries=0)
    usage = info.value.usage
    assert usage is not None and usage.asks == 3 and usage.prompt_tokens == 2700


@pytest.mark.parametrize("status", [400, 422, 500])
async def test_format_rejected_with_any_status_falls_back_in_one_request(
    fake: FakeOpenAI, status: int
) -> None:
    """llama-cpp-python answers 500 "Input should be 'text' or 'json_object'": no
    transport retries are spent on the probe, the fallback costs one request."""
    fake.json_schema = False
    fake.format_status = status
    (answer, usage), sent = await ask(fake, max_retries=2)
    assert answer.findings and usage.mode == "json_object"
    assert sent == 2


async def test_a_known_mode_gets_transport_retries(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["500", "ok"]}
    (answer, usage), sent = await ask(fake, max_retries=2, mode_known=True)
    assert answer.findings and sent == 2 and usage.mode == "json_schema"


async def test_a_transient_500_on_the_probe_is_still_retried(fake: FakeOpenAI) -> None:
    fake.plan = {"MARK": ["500", "500", "ok"]}
    (answer, usage), sent = await ask(fake, max_retries=2)
    assert answer.findings and sent == 3 and usage.mode == "json_schema"


async def test_worst_case_is_bounded_at_nine_requests(fake: FakeOpenAI) -> None:
    """3 asks × (1 try + 2 transport retries): every ask fails twice, then is malformed."""
    fake.plan = {"MARK": ["500", "500", "malformed"] * 4}
    with pytest.raises(ItemError, match="no valid answer after 3 asks"):
        await ask(fake, max_retries=2)
    assert len(fake.chat_requests()) == 9


async def test_server_without_json_schema_falls_back_to_json_object(fake: FakeOpenAI) -> None:
    fake.json_schema = False
    (answer, usage), _sent = await ask(fake, max_retries=0)
    assert answer.findings and usage.mode == "json_object"
    rejected, accepted = fake.chat_requests()
    assert rejected.body["response_format"]["type"] == "json_schema"
    assert accepted.body["response_format"] == {"type": "json_object"}
    assert '"findings"' in accepted.body["messages"][0]["content"]  # the schema, in the prompt


async def test_server_without_any_json_mode_gets_plain_json(fake: FakeOpenAI) -> None:
    fake.json_schema = fake.json_object = False
    (answer, usage), _sent = await ask(fake, max_retries=0, json_schema=False)
    assert answer.findings and usage.mode == "plain"
    assert "response_format" not in fake.chat_requests()[-1].body


async def test_plain_answers_in_code_fences_are_accepted(fake: FakeOpenAI) -> None:
    fake.answer = lambda body: "Here you go:\n```json\n" + json.dumps({"findings": []}) + "\n```"
    (answer, _usage), _sent = await ask(fake, max_retries=0, json_schema=False)
    assert answer.findings == []


async def test_check_can_reject_an_answer_for_a_re_ask(fake: FakeOpenAI) -> None:
    seen = []

    def check(answer: CoachCritique) -> str | None:
        seen.append(answer)
        return "target must be SET" if len(seen) == 1 else None

    (_answer, usage), _sent = await ask(fake, max_retries=0, check=check)
    assert usage.asks == 2
    assert "target must be SET" in fake.chat_requests()[1].body["messages"][-1]["content"]


def test_missing_key_for_openai_itself_is_a_usage_error(monkeypatch) -> None:
    from assistant.config import Settings
    from assistant.errors import UsageError

    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(UsageError, match="OPENAI_API_KEY"):
        build_client(Settings())
