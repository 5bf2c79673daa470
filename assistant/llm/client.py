"""Building the OpenAI-compatible client and asking it for structured output.

``openai`` is imported inside functions only. Transport retries (408/409/429/5xx,
timeouts, connection errors; honouring ``Retry-After``) belong to the SDK
(``max_retries``, default 2, so at most 3 HTTP tries per ask). Re-asking after an
invalid answer belongs to :func:`ask_structured` (``max_asks``, default 3). So one
item costs at most ``max_asks × (max_retries + 1)`` = 3 × 3 = 9 HTTP requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from assistant.config import Settings, api_key
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
    """This item got no usable answer; the message is one line for the report."""

    one_line_as_is = True  # ``errors.one_line`` prints it without the type name


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

    def add(self, other: Usage) -> None:
        self.asks += other.asks
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.cached_tokens += other.cached_tokens

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
    return openai.AsyncOpenAI(
        api_key=key,
        base_url=base_url,
        timeout=settings.llm.timeout,
        max_retries=max_retries,
        http_client=http_client,
    )


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


def _about_response_format(exc: Exception) -> bool:
    """A 400 that says the server does not support the requested response_format."""
    param = str(getattr(exc, "param", "") or "")
    text = f"{param} {getattr(exc, 'message', '')} {exc}".lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object"))


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
        raise ItemError(
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


async def ask_structured(
    client: AsyncOpenAI,
    model: str,
    messages: Sequence[dict[str, Any]],
    schema: type[T],
    *,
    json_schema: bool = True,
    max_asks: int = DEFAULT_MAX_ASKS,
    mode: ResponseMode | None = None,
    max_tokens: int | None = None,
    token_param_name: str = "max_tokens",
    check: Callable[[T], str | None] | None = None,
) -> tuple[T, Usage]:
    """Ask for an answer that validates against ``schema``; re-ask with the error if not.

    ``json_schema=True`` uses ``chat.completions.parse(response_format=schema)`` (strict
    schema). Servers that reject it with a 400 about response_format are asked again
    with ``{"type": "json_object"}`` and then plain JSON, the schema in the prompt; the
    mode that worked is returned in ``Usage.mode`` so callers can stick to it. ``check``
    may return an error message to re-ask with (semantic validation). A mode switch or
    a re-ask each use one of ``max_asks``. Raises :class:`ItemError` with one line.
    """
    import openai

    usage = Usage(mode=mode or ("json_schema" if json_schema else "json_object"))
    convo: list[dict[str, Any]] = [dict(m) for m in messages]
    extra: dict[str, Any] = {token_param_name: max_tokens} if max_tokens else {}

    async def once() -> T:
        current: ResponseMode = usage.mode  # type: ignore[assignment]
        try:
            if current == "json_schema":
                raw = await client.chat.completions.with_raw_response.parse(
                    model=model, messages=cast(Any, convo), response_format=schema, **extra
                )
            else:
                options: dict[str, Any] = dict(extra)
                if current == "json_object":
                    options["response_format"] = {"type": "json_object"}
                prompt: Any = _with_schema_in_prompt(convo, schema)
                raw = await client.chat.completions.with_raw_response.create(
                    model=model, messages=prompt, **options
                )
        except openai.BadRequestError as exc:
            why = one_line(exc, limit=200)
            if current in _DOWNGRADE and _about_response_format(exc):
                usage.asks += 1
                usage.mode = _DOWNGRADE[current]
                raise _ModeRejected(why) from exc
            raise ItemError(f"the server rejected the request (HTTP 400): {why}") from exc
        except openai.APIStatusError as exc:
            why = one_line(exc, limit=200)
            raise ItemError(f"HTTP {exc.status_code} after retries: {why}") from exc
        except openai.APITimeoutError as exc:
            raise ItemError("timed out after retries") from exc
        except openai.APIConnectionError as exc:
            raise ItemError(f"could not reach the server: {one_line(exc, limit=200)}") from exc
        try:
            body = json.loads(raw.http_response.text)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            usage.asks += 1
            raise _InvalidOutput("the server's reply was not JSON") from None
        add_usage(usage, body)
        try:
            parsed, content = parse_reply(body, schema)
        except _InvalidOutput as exc:
            reply = ((body.get("choices") or [{}])[0].get("message") or {}).get("content")
            _feedback(convo, reply, str(exc))
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
    except _InvalidOutput as exc:
        raise ItemError(f"no valid answer after {usage.asks} asks: {exc}") from None
    except _ModeRejected as exc:
        raise ItemError(f"the server supports no structured output mode: {exc}") from None
    return result, usage


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
