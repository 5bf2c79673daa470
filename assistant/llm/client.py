"""Building the OpenAI-compatible client and asking it for structured output.

``openai`` is imported inside functions only. Transport retries (408/409/429/5xx,
timeouts, connection errors; honouring ``Retry-After``) belong to the SDK
(``max_retries``, default 2, so at most 3 HTTP tries per ask). Re-asking after an
invalid answer belongs to :func:`ask_structured` (``max_asks``, default 3). So one
item costs at most ``max_asks × (max_retries + 1)`` = 3 × 3 = 9 HTTP requests.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_origin

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from assistant.config import Settings, api_key, is_local
from assistant.errors import UsageError, one_line, validation_message

if TYPE_CHECKING:
    from openai import AsyncOpenAI

ResponseMode = Literal["json_schema", "json_object", "plain"]
T = TypeVar("T", bound=BaseModel)

DEFAULT_MAX_ASKS = 3
DEFAULT_MAX_RETRIES = 2
# Local servers (Ollama, llama.cpp, vLLM, LM Studio) ignore the key but the SDK wants one.
LOCAL_DUMMY_KEY = "not-needed"
_DOWNGRADE: dict[str, ResponseMode] = {"json_schema": "json_object", "json_object": "plain"}


class ItemError(Exception):
    """This item got no usable answer; the message is one line for the report.

    ``usage`` carries what the failed asks cost (their tokens are still paid for)."""

    one_line_as_is = True  # ``errors.one_line`` prints it without the type name

    def __init__(self, message: str, usage: Usage | None = None) -> None:
        super().__init__(message)
        self.usage = usage


class CutOff(ItemError):
    """The answer stopped at the output token limit (finish_reason=length)."""


class _InvalidOutput(Exception):
    """The answer was unusable; re-ask (with feedback when there is something to correct)."""


class _ModeRejected(Exception):
    """The server rejected the response_format; ask again in a simpler mode."""


@dataclass
class Usage:
    """What the asks cost. ``mode`` is the response mode that finally worked."""

    asks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    mode: str | None = None
    salvaged: int = 0  # cut-off answers kept up to their last complete item

    def add(self, other: Usage) -> None:
        self.asks += other.asks
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens
        self.salvaged += other.salvaged

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestCounter:
    """Counts HTTP requests actually sent, transport retries included (an httpx event hook)."""

    def __init__(self) -> None:
        self.count = 0

    async def hook(self, request: Any) -> None:
        self.count += 1


def build_client(
    settings: Settings,
    *,
    max_retries: int = DEFAULT_MAX_RETRIES,
    counter: RequestCounter | None = None,
) -> AsyncOpenAI:
    """One shared async client for a whole run (connection pooling, one retry policy).

    The key comes from ``OPENAI_API_KEY`` only. Without a key a custom ``base_url``
    (a local server) gets a dummy key; the real OpenAI endpoint is refused up front.
    """
    import openai

    key = api_key()
    base_url = settings.llm.base_url
    if not key:
        if not base_url:
            raise UsageError(
                "OPENAI_API_KEY is not set: export it, point OPENAI_BASE_URL at a local "
                "server, or use --engine rules"
            )
        key = LOCAL_DUMMY_KEY
    http_client = None
    if counter is not None:
        http_client = openai.DefaultAsyncHttpxClient(event_hooks={"request": [counter.hook]})
    client = openai.AsyncOpenAI(
        api_key=key,
        base_url=base_url,
        timeout=client_timeout(settings),
        max_retries=max_retries,
        http_client=http_client,
    )
    # Local servers are streamed (silence timeout, the stream closed on cancel).
    stream = settings.llm.stream
    client._okr_stream = is_local(base_url) if stream is None else stream  # type: ignore[attr-defined]
    return client


# A local server (llama.cpp, Ollama, vLLM on a laptop) answers in minutes on a CPU, and is
# streamed: the timeout is on silence (no byte for this long), not on the whole answer.
LOCAL_SILENCE_TIMEOUT = 300.0


def client_timeout(settings: Settings) -> Any:
    """``llm.timeout`` as the SDK's timeout. For a local base URL the answer is streamed,
    so the read timeout is a silence timeout; unless set in the config it defaults to
    :data:`LOCAL_SILENCE_TIMEOUT` (CPU-hosted models are slow to start answering)."""
    import openai  # its own httpx: ``openai.Timeout``

    seconds = settings.llm.timeout
    if is_local(settings.llm.base_url) and "timeout" not in settings.llm.model_fields_set:
        seconds = LOCAL_SILENCE_TIMEOUT
    return openai.Timeout(seconds, connect=min(seconds, 10.0))


def token_param(base_url: str | None) -> str:
    """OpenAI and Azure want ``max_completion_tokens``; local servers know ``max_tokens``."""
    if base_url is None:
        return "max_completion_tokens"
    host = base_url.lower()
    if "api.openai.com" in host or ".openai.azure.com" in host:
        return "max_completion_tokens"
    return "max_tokens"


def schema_instructions(schema: type[BaseModel]) -> str:
    """For servers without JSON-schema support the schema travels in the prompt."""
    return (
        "\n\nReply with one JSON object only — no prose, no code fences — that validates "
        "against this JSON schema:\n"
        + json.dumps(schema.model_json_schema(), separators=(",", ":"))
    )


def _with_schema_in_prompt(messages: Sequence[dict[str, Any]], schema: type[BaseModel]):
    """Append the schema to the first system message (static, so prompt caching still works)."""
    out = [dict(m) for m in messages]
    for message in out:
        if message.get("role") == "system":
            message["content"] = str(message["content"]) + schema_instructions(schema)
            return out
    return [{"role": "system", "content": schema_instructions(schema).strip()}, *out]


_FENCE_RE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


def extract_json(content: str) -> str:
    """The JSON object in a plain reply: strip code fences and chatter around the braces."""
    text = _FENCE_RE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    if start == -1 or end < start:
        raise _InvalidOutput("the reply contains no JSON object")
    return text[start : end + 1]


# Statuses servers use to say "this response_format is not supported": OpenAI and vLLM
# 400, FastAPI-based servers 422, llama-cpp-python's server 500 ("Input should be
# 'text' or 'json_object'").
FORMAT_REJECT_STATUSES = frozenset({400, 422, 500})
_FORMAT_WORDS = ("response_format", "json_schema", "json_object")


def _about_response_format(exc: Exception) -> bool:
    """A 400/422/500 whose body says the server does not support the response_format."""
    status = getattr(exc, "status_code", None)
    if status is not None and status not in FORMAT_REJECT_STATUSES:
        return False
    param = str(getattr(exc, "param", "") or "")
    body = getattr(exc, "body", None)
    try:
        body_text = json.dumps(body) if body is not None else ""
    except (TypeError, ValueError):
        body_text = str(body)
    text = f"{param} {getattr(exc, 'message', '')} {body_text} {exc}".lower()
    return any(word in text for word in _FORMAT_WORDS)


def add_usage(usage: Usage, body: dict[str, Any]) -> None:
    """Count one answer's tokens from its ``usage`` object: the one place token counts
    are read, for live answers and Batch API result lines alike."""
    usage.asks += 1
    data = body.get("usage") or {}
    usage.prompt_tokens += int(data.get("prompt_tokens") or 0)
    usage.completion_tokens += int(data.get("completion_tokens") or 0)
    details = data.get("prompt_tokens_details") or {}
    usage.cached_tokens += int(details.get("cached_tokens") or 0)


def parse_reply(body: dict[str, Any], schema: type[T]) -> tuple[T, str]:
    """Validate one chat-completion body (also used for Batch API results).

    Returns ``(parsed, content)``. Raises :class:`ItemError` for answers that re-asking
    will not fix (cut off, refused, filtered) and ``_InvalidOutput`` for fixable ones.
    """
    try:
        choice = body["choices"][0]
        message = choice.get("message") or {}
    except (KeyError, IndexError, TypeError):
        raise _InvalidOutput("the reply has no choices") from None
    finish = choice.get("finish_reason")
    if finish == "length":
        raise CutOff(
            "the answer was cut off at the output token limit (finish_reason=length); "
            "split the set or raise the limit"
        )
    if finish == "content_filter":
        raise ItemError("the provider's content filter stopped the answer")
    refusal = message.get("refusal")
    if refusal:
        raise ItemError(f"the model declined to answer: {' '.join(str(refusal).split())[:160]}")
    content = message.get("content")
    if not content or not str(content).strip():
        raise _InvalidOutput("the reply was empty")
    try:
        return schema.model_validate_json(extract_json(str(content))), str(content)
    except ValidationError as exc:
        raise _InvalidOutput(validation_message(exc, limit=8)[:800]) from exc


def _reply_text(body: dict[str, Any]) -> str | None:
    """The first choice's message text, if the reply has one."""
    content = ((body.get("choices") or [{}])[0].get("message") or {}).get("content")
    return str(content) if content is not None else None


def _complete_part(
    body: dict[str, Any], schema: type[T], check: Callable[[T], str | None] | None
) -> T | None:
    """A cut-off answer up to its last complete list item, if that validates (and passes
    ``check``); small models under a grammar repeat items until the token limit."""
    from assistant.llm.salvage import complete_prefix

    content = _reply_text(body) or ""
    start = content.find("{")
    data = complete_prefix(content[start:]) if start >= 0 else None
    if not isinstance(data, dict):
        return None
    for name, field in schema.model_fields.items():  # lists after the cut: none written
        if name not in data and get_origin(field.annotation) is list:
            data[name] = []
    try:
        parsed = schema.model_validate(data)
    except ValidationError:
        return None
    return None if check is not None and check(parsed) else parsed


def _retry_after(exc: Exception) -> float:
    """Seconds a failed response asks to wait (``Retry-After``), else a short backoff."""
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(60.0, max(0.0, float(value))) if value else 0.5
    except ValueError:
        return 0.5


SHORTER_ANSWER = (
    "Your reply was cut off at the output token limit. Reply again with a much shorter "
    "answer: at most 5 findings, one short sentence per field, rewrite null unless it "
    "is essential. The complete JSON object only."
)


async def ask_structured(
    client: AsyncOpenAI,
    model: str,
    messages: Sequence[dict[str, Any]],
    schema: type[T],
    *,
    json_schema: bool = True,
    max_asks: int = DEFAULT_MAX_ASKS,
    mode: ResponseMode | None = None,
    mode_known: bool = False,
    send_schema: type[BaseModel] | None = None,
    max_tokens: int | None = None,
    token_param_name: str = "max_tokens",
    check: Callable[[T], str | None] | None = None,
) -> tuple[T, Usage]:
    """Ask for an answer that validates against ``schema``; re-ask with the error if not.

    ``json_schema=True`` uses ``chat.completions.parse(response_format=schema)`` (strict
    schema). Servers that reject it (a 400, 422 or 500 about response_format) are asked
    again with ``{"type": "json_object"}`` and then plain JSON, the schema in the prompt;
    the mode that worked is returned in ``Usage.mode`` so callers can stick to it. Until
    a mode is known to work (``mode_known``) the probe is sent without transport
    retries, so a server that answers 500 to a format costs one request, not three. A
    reply cut off at the token limit is re-asked once with a shorter-answer
    instruction. ``check`` may return an error message to re-ask with (semantic
    validation). ``send_schema`` is the schema sent when it differs from the one the
    answer is validated with (a per-set schema with enums, validated leniently). A mode
    switch or a re-ask each use one of ``max_asks``. Raises
    :class:`ItemError` with one line and the usage of every ask that was answered.
    """
    import openai

    usage = Usage(mode=mode or ("json_schema" if json_schema else "json_object"))
    convo: list[dict[str, Any]] = [dict(m) for m in messages]
    extra: dict[str, Any] = {token_param_name: max_tokens} if max_tokens else {}
    state = {"known": mode_known, "cut_off": False}

    sent = send_schema or schema
    stream = bool(getattr(client, "_okr_stream", False))

    async def send(current: ResponseMode, target: Any) -> Any:
        if stream:
            return await _streamed(target, model, convo, sent, current, extra)
        if current == "json_schema":
            return await target.chat.completions.with_raw_response.parse(
                model=model, messages=cast(Any, convo), response_format=sent, **extra
            )
        options: dict[str, Any] = dict(extra)
        if current == "json_object":
            options["response_format"] = {"type": "json_object"}
        prompt: Any = _with_schema_in_prompt(convo, sent)
        return await target.chat.completions.with_raw_response.create(
            model=model, messages=prompt, **options
        )

    async def once() -> T:
        current: ResponseMode = usage.mode  # type: ignore[assignment]
        probing = current in _DOWNGRADE and not state["known"]
        try:
            try:
                raw = await send(current, client.with_options(max_retries=0) if probing else client)
            except openai.APIStatusError as exc:
                retries_left = int(getattr(client, "max_retries", 0)) > 0
                if (
                    not probing
                    or not retries_left
                    or _about_response_format(exc)
                    or exc.status_code < 408
                ):
                    raise
                # A transient failure of the probe: wait as told, then the remaining
                # transport retries apply.
                await asyncio.sleep(_retry_after(exc))
                retries = int(getattr(client, "max_retries", 1)) - 1
                raw = await send(current, client.with_options(max_retries=retries))
        except openai.APIStatusError as exc:
            why = one_line(exc, limit=200)
            if current in _DOWNGRADE and _about_response_format(exc):
                usage.asks += 1
                usage.mode = _DOWNGRADE[current]
                raise _ModeRejected(why) from exc
            if exc.status_code == 400:
                raise ItemError(f"the server rejected the request (HTTP 400): {why}") from exc
            raise ItemError(f"HTTP {exc.status_code} after retries: {why}") from exc
        except openai.APITimeoutError as exc:
            raise ItemError("timed out after retries") from exc
        except openai.APIConnectionError as exc:
            raise ItemError(f"could not reach the server: {one_line(exc, limit=200)}") from exc
        state["known"] = True  # the server accepted this mode
        try:
            body = raw if isinstance(raw, dict) else json.loads(raw.http_response.text)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            usage.asks += 1
            raise _InvalidOutput("the server's reply was not JSON") from None
        add_usage(usage, body)
        try:
            parsed, content = parse_reply(body, schema)
        except CutOff:
            kept = _complete_part(body, schema, check)
            if kept is not None:  # the whole items before the cut: no second long answer
                usage.salvaged += 1
                return kept
            if state["cut_off"]:
                raise
            state["cut_off"] = True
            convo.append({"role": "user", "content": SHORTER_ANSWER})
            raise _InvalidOutput("the answer was cut off at the output token limit") from None
        except _InvalidOutput as exc:
            _feedback(convo, _reply_text(body), str(exc))
            raise
        problem = check(parsed) if check else None
        if problem:
            _feedback(convo, content, problem)
            raise _InvalidOutput(problem)
        return parsed

    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(max_asks),
            retry=retry_if_exception_type((_InvalidOutput, _ModeRejected)),
            reraise=True,
        ):
            with attempt:
                result = await once()
    except ItemError as exc:
        exc.usage = usage
        raise
    except _InvalidOutput as exc:
        raise ItemError(f"no valid answer after {usage.asks} asks: {exc}", usage) from None
    except _ModeRejected as exc:
        raise ItemError(f"the server supports no structured output mode: {exc}", usage) from None
    return result, usage


async def _streamed(
    target: Any,
    model: str,
    convo: list[dict[str, Any]],
    schema: type[BaseModel],
    mode: ResponseMode,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """One streamed ask, gathered into the body a non-streamed answer would have.

    The read timeout is then a silence timeout. Leaving the ``async with`` (an answer,
    an error, a cancelled task: Esc, Ctrl-C) closes the stream, so the server stops
    generating for a user who gave up."""
    options: dict[str, Any] = dict(extra)
    messages: Any = convo
    if mode == "json_schema":
        from openai.lib._parsing._completions import type_to_response_format_param

        options["response_format"] = type_to_response_format_param(schema)
    else:
        messages = _with_schema_in_prompt(convo, schema)
        if mode == "json_object":
            options["response_format"] = {"type": "json_object"}
    response = await target.chat.completions.create(
        model=model,
        messages=messages,
        stream=True,
        stream_options={"include_usage": True},
        **options,
    )
    content: list[str] = []
    refusal: list[str] = []
    finish: str | None = None
    usage: dict[str, Any] = {}
    async with response as chunks:
        async for chunk in chunks:
            if getattr(chunk, "usage", None) is not None:
                usage = chunk.usage.model_dump()
            for choice in chunk.choices or []:
                delta = choice.delta
                if delta is not None and delta.content:
                    content.append(delta.content)
                if delta is not None and getattr(delta, "refusal", None):
                    refusal.append(delta.refusal)
                if choice.finish_reason:
                    finish = choice.finish_reason
    message = {"content": "".join(content) or None, "refusal": "".join(refusal) or None}
    return {"choices": [{"finish_reason": finish, "message": message}], "usage": usage}


def _feedback(convo: list[dict[str, Any]], content: str | None, error: str) -> None:
    """Show the model its own answer and what was wrong with it, for the re-ask."""
    if content:
        convo.append({"role": "assistant", "content": content})
    convo.append(
        {
            "role": "user",
            "content": f"That reply could not be used: {error}\n"
            "Reply again with the complete, corrected JSON object only.",
        }
    )
