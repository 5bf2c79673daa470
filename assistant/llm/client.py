"""Building the OpenAI-compatible client and asking it for structured output.

``openai`` is imported inside functions only. Transport retries (408/409/429/5xx,
timeouts, connection errors; honouring ``Retry-After``) belong to the SDK
(``max_retries``, default 2, so at most 3 HTTP tries per ask). Re-asking after an
invalid answer belongs to :func:`ask_structured` (``max_asks``, default 3). So one
item costs at most ``max_asks × (max_retries + 1)`` = 3 × 3 = 9 HTTP requests.

Every request of a client passes :class:`RequestCounter` (httpx event hooks): it is
counted, held back while a 429's ``Retry-After`` runs, and refused once the endpoint
has failed too many requests in a row (the circuit breaker). Everything a server
returns is scrubbed of the API key here, once (:func:`scrub_reply`), before any caller
shows, caches, logs or stores it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, get_origin

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from assistant.config import Settings, api_key, is_local
from assistant.errors import UsageError, one_line, scrub_secrets, validation_message
from assistant.llm import call_log

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


class NotSent(ItemError):
    """The circuit breaker was open before this ask sent anything: the item was not
    attempted. The message is the breaker's reason (the same for every such item)."""


class _Refused(Exception):
    """Raised by the request hook instead of sending: the circuit breaker is open."""


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


# Statuses that say the endpoint (not this request) is failing; the circuit breaker
# counts them. 429 is not one: the server is up and asks us to slow down (Retry-After).
# 400 and 422 are about one request's content (a response_format probe, a long prompt).
_ENDPOINT_FAILURES = frozenset({401, 403, 404, 408, 409})
BREAKER_MIN_FAILURES = 5
MAX_RETRY_AFTER = 60.0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass(eq=False)
class _AskTrace:
    """The HTTP requests of one ask (the SDK's retries included), seen by the hooks."""

    counter: RequestCounter | None = None
    requests: int = 0
    pending: bool = False  # its latest request went out and no response came back (yet)
    answered: bool = False  # its latest request got a response (headers, maybe a stream)
    sent_at: float = 0.0
    timeout: float | None = None  # the latest request's read (silence) timeout
    last_failure: str | None = None  # "HTTP 500", "no answer within 5 s"

    def sent(self) -> str:
        return f"{_plural(self.requests, 'request')} sent"


_ASK: ContextVar[_AskTrace | None] = ContextVar("okr_llm_ask", default=None)


def retry_after_seconds(headers: Any) -> float | None:
    """``Retry-After`` (or ``retry-after-ms``) in seconds, capped at a minute; None when
    the response does not say."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name) if headers is not None else None
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        if seconds == seconds:  # not NaN
            return min(MAX_RETRY_AFTER, max(0.0, seconds))
    return None


class RequestCounter:
    """What one client's requests did to the endpoint, through httpx event hooks.

    - ``count``: HTTP requests actually sent, transport retries included.
    - A 429's ``Retry-After`` holds back every request of the client until it has run
      (not only the one the SDK retries): one rate limit slows the whole run down
      instead of each task finding it out for itself.
    - The circuit breaker: after ``trip_after`` endpoint failures in a row (5xx,
      408/409, 401/403/404, no answer within the silence timeout, no connection) and no
      success between them, the endpoint is taken to be down: ``tripped`` says why and
      no further request is sent (the asks end with :class:`NotSent`, or with their own
      failure if they had sent something). The callers size ``trip_after`` to their
      concurrency: a whole wave of in-flight requests failing trips it. A request still
      unanswered past its timeout counts as failed from the next request on (the SDK
      is only about to retry it), so a hung server's first wave of timeouts stops the
      run before any of their retries is sent.
    """

    def __init__(self, *, trip_after: int = BREAKER_MIN_FAILURES) -> None:
        self.count = 0
        self.trip_after = max(1, trip_after)
        self.failures = 0  # in a row
        self.tripped: str | None = None
        self._resume_at = 0.0
        self._waiting: set[_AskTrace] = set()

    async def hook(self, request: Any) -> None:
        """Before each request: wait out a Retry-After, then count it or refuse it."""
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        now = time.monotonic()
        for silent in [a for a in self._waiting if a.timeout and now - a.sent_at > a.timeout]:
            self.no_answer(silent)
        ask = _ASK.get()
        if ask is not None:
            ask.counter = self
            if ask.pending:  # the SDK retries a request that got no response
                self.no_answer(ask)
        if self.tripped is not None:
            raise _Refused(self.tripped)
        self.count += 1
        if ask is not None:
            seconds = (getattr(request, "extensions", None) or {}).get("timeout", {}).get("read")
            ask.requests += 1
            ask.pending, ask.answered, ask.sent_at = True, False, now
            ask.timeout = float(seconds) if isinstance(seconds, int | float) else None
            self._waiting.add(ask)

    async def on_response(self, response: Any) -> None:
        """After each response's headers: a 429 pauses the client, a failure counts, a
        refused response_format is marked final (``x-should-retry: false``, which the
        SDK obeys: asking again in the same format cannot help) and is no failure of
        the endpoint (the ask falls back to a simpler format)."""
        ask = _ASK.get()
        if ask is not None:
            ask.pending, ask.answered = False, True
            self._waiting.discard(ask)
        status = int(response.status_code)
        if status < 400:
            return
        await response.aread()  # an error body: small
        if status in FORMAT_REJECT_STATUSES and _FORMAT_RE.search(response.text):
            response.headers["x-should-retry"] = "false"
            return
        if status == 429:
            seconds = retry_after_seconds(response.headers)
            self._resume_at = max(self._resume_at, time.monotonic() + (seconds or 0.0))
        elif status >= 500 or status in _ENDPOINT_FAILURES:
            says = _error_text(response)
            self.failed(ask, f"HTTP {status}: {says}" if says else f"HTTP {status}")

    def no_answer(self, ask: _AskTrace) -> None:
        """``ask``'s latest request got no response: silence, or no connection."""
        ask.pending = False
        self._waiting.discard(ask)
        silent = ask.timeout is not None and time.monotonic() - ask.sent_at >= ask.timeout
        self.failed(ask, f"no answer within {ask.timeout:g} s" if silent else "no connection")

    def failed(self, ask: _AskTrace | None, what: str) -> None:
        if ask is not None:
            ask.last_failure = what
        self.failures += 1
        if self.tripped is None and self.failures >= self.trip_after:
            self.tripped = (
                f"the server failed {self.failures} requests in a row (the last: {what}), "
                "so no more were sent"
            )

    def succeeded(self) -> None:
        """A whole answer arrived: the endpoint works."""
        self.failures = 0


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
    counter = counter if counter is not None else RequestCounter()
    http_client = openai.DefaultAsyncHttpxClient(
        event_hooks={"request": [counter.hook], "response": [counter.on_response]}
    )
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
    so the read timeout is a silence timeout; unless ``llm.timeout`` differs from its
    default it is :data:`LOCAL_SILENCE_TIMEOUT` (CPU-hosted models are slow to start
    answering)."""
    import openai  # its own httpx: ``openai.Timeout``

    seconds = settings.llm.timeout
    if is_local(settings.llm.base_url) and not settings.llm.timeout_is_set():
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
_FORMAT_RE = re.compile("|".join(_FORMAT_WORDS), re.IGNORECASE)


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


def scrub_reply(value: Any) -> Any:
    """``value`` (a reply body, its parts) with the API key masked in every string: the
    content, a refusal, an error, whatever the server put there. Every reply passes
    here before anything reads it, so no caller can show, cache, log or store the key
    a server or a model echoed back."""
    if isinstance(value, str):
        return scrub_secrets(value)
    if isinstance(value, dict):
        return {k: scrub_reply(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_reply(v) for v in value]
    return value


def parse_reply(body: dict[str, Any], schema: type[T]) -> tuple[T, str]:
    """Validate one chat-completion body (a Batch API result line), scrubbed first.

    Returns ``(parsed, content)``. Raises :class:`ItemError` for answers that re-asking
    will not fix (cut off, refused, filtered) and ``_InvalidOutput`` for fixable ones.
    """
    return _parse_scrubbed(scrub_reply(body), schema)


def _parse_scrubbed(body: dict[str, Any], schema: type[T]) -> tuple[T, str]:
    """:func:`parse_reply` for a body :func:`scrub_reply` has seen."""
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


def _error_message(body: Any) -> str:
    """``error.message`` (or ``message``) of an error body: one line, the key scrubbed,
    terminal controls shown as escapes (a server's words are untrusted text)."""
    from assistant.domain.text_safety import safe_text

    message = body.get("message") if isinstance(body, dict) else None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = body["error"].get("message") or message
    return safe_text(scrub_secrets(" ".join(str(message).split())[:200])) if message else ""


def _error_text(response: Any) -> str:
    """What an error response says, from its (already read) body."""
    try:
        return _error_message(json.loads(response.text))
    except ValueError:
        return ""


def _server_says(exc: Exception) -> str:
    """What an error response's body says (``error.message``), else the SDK's words."""
    return _error_message(getattr(exc, "body", None)) or one_line(exc, limit=200)


def _transport_failure(exc: BaseException) -> str | None:
    """``timeout`` or ``connection`` for a failure of the HTTP exchange itself, raised by
    the SDK or (mid-stream) by httpx, whichever httpx the SDK is built on."""
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "TimeoutException" in names:
        return "timeout"
    if "TransportError" in names or "StreamError" in names:
        return "connection"
    return None


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
    prompt_id: str | None = None,
) -> tuple[T, Usage]:
    """Ask for an answer that validates against ``schema``; re-ask with the error if not.

    ``json_schema=True`` uses ``chat.completions.parse(response_format=schema)`` (strict
    schema). Servers that reject it (a 400, 422 or 500 about response_format) are asked
    again with ``{"type": "json_object"}`` and then plain JSON, the schema in the prompt;
    the mode that worked is returned in ``Usage.mode`` so callers can stick to it. A
    refused format is never retried by the SDK (:meth:`RequestCounter.on_response`
    marks it), so a server that answers 500 to a format costs one request, not three;
    ``mode_known`` is accepted for the callers that still pass it. A
    reply cut off at the token limit is re-asked once with a shorter-answer
    instruction. ``check`` may return an error message to re-ask with (semantic
    validation). ``send_schema`` is the schema sent when it differs from the one the
    answer is validated with (a per-set schema with enums, validated leniently). A mode
    switch or a re-ask each use one of ``max_asks``. Raises
    :class:`ItemError` with one line and the usage of every ask that was answered.
    """
    import openai

    from assistant.llm.bounds import for_endpoint

    usage = Usage(mode=mode or ("json_schema" if json_schema else "json_object"))
    convo: list[dict[str, Any]] = [dict(m) for m in messages]
    extra: dict[str, Any] = {token_param_name: max_tokens} if max_tokens else {}
    state: dict[str, Any] = {"cut_off": False, "reply": None}

    # a hosted strict mode rejects string lengths: the validator clips instead
    sent = for_endpoint(send_schema or schema, str(getattr(client, "base_url", "") or ""))
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
        try:
            raw = await send(current, client)
        except openai.APIStatusError as exc:
            why = _server_says(exc)
            if current in _DOWNGRADE and _about_response_format(exc):
                usage.asks += 1
                usage.mode = _DOWNGRADE[current]
                raise _ModeRejected(why) from exc
            if exc.status_code == 400:
                raise ItemError(f"the server rejected the request (HTTP 400): {why}") from exc
            raise ItemError(f"HTTP {exc.status_code}: {why} ({trace.sent()})") from exc
        except _Refused as exc:
            if trace.requests == 0:
                raise NotSent(str(exc)) from None
            # The breaker's reason is said once for the run (``services.coach``).
            raise ItemError(
                f"{trace.last_failure or 'failed'} ({trace.sent()}); "
                "not retried: the server is failing"
            ) from None
        except Exception as exc:
            kind = _transport_failure(exc)
            if kind is None:
                raise
            # No response, or a stream that went silent or broke after its headers.
            what = f"no answer within {_timeout_words(client)}" if kind == "timeout" else ""
            if trace.counter is not None and trace.pending:
                trace.counter.no_answer(trace)
            elif trace.counter is not None and trace.answered:  # mid-stream
                trace.counter.failed(trace, what or "the connection broke")
            if kind == "timeout":
                raise ItemError(f"timed out: {what} ({trace.sent()})") from exc
            raise ItemError(
                f"could not reach the server ({trace.sent()}): {one_line(exc, limit=200)}"
            ) from exc
        if trace.counter is not None:
            trace.counter.succeeded()
        try:
            body = raw if isinstance(raw, dict) else json.loads(raw.http_response.text)
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            usage.asks += 1
            raise _InvalidOutput("the server's reply was not JSON") from None
        body = scrub_reply(body)  # before the content is fed back, salvaged or parsed
        state["reply"] = _reply_text(body)
        add_usage(usage, body)
        try:
            parsed, content = _parse_scrubbed(body, schema)
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

    async def logged_once() -> T:
        """``once``, recorded in the run's request log (``okr logs``) when there is one."""
        if not call_log.is_logging():
            return await once()
        sent_messages = [dict(m) for m in convo]
        before = (usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens)
        current, state["reply"] = usage.mode, None
        started, outcome = time.perf_counter(), "ok"
        try:
            return await once()
        except NotSent:
            outcome = ""  # nothing went out: nothing to log
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except Exception as exc:
            outcome = " ".join(str(exc).split())[:300] or type(exc).__name__
            raise
        finally:
            if outcome:
                call_log.record(
                    model=model,
                    base_url=str(getattr(client, "base_url", "") or "") or None,
                    mode=current,
                    messages=sent_messages,
                    reply=state["reply"],
                    prompt_tokens=usage.prompt_tokens - before[0],
                    completion_tokens=usage.completion_tokens - before[1],
                    cached_tokens=usage.cached_tokens - before[2],
                    seconds=time.perf_counter() - started,
                    outcome=outcome,
                    prompt=prompt_id or schema.__name__,  # the template, else the answer's shape
                )

    trace = _AskTrace()
    token = _ASK.set(trace)  # the client's hooks fill it in for this task's requests
    try:
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(max_asks),
            retry=retry_if_exception_type((_InvalidOutput, _ModeRejected)),
            reraise=True,
        ):
            with attempt:
                result = await logged_once()
    except ItemError as exc:
        exc.usage = usage
        raise
    except _InvalidOutput as exc:
        raise ItemError(f"no valid answer after {usage.asks} asks: {exc}", usage) from None
    except _ModeRejected as exc:
        raise ItemError(f"the server supports no structured output mode: {exc}", usage) from None
    finally:
        _ASK.reset(token)
    return result, usage


def _timeout_words(client: Any) -> str:
    """The client's read (silence) timeout, as said in messages: ``5 s``."""
    timeout = getattr(client, "timeout", None)
    seconds = getattr(timeout, "read", timeout)
    return f"{seconds:g} s" if isinstance(seconds, int | float) else "the timeout"


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
    generating for a user who gave up. The request goes through the SDK's ``post``
    with the body as plain JSON and the events read as dicts: the same retries, hooks
    and SSE handling as ``chat.completions.create``, without a typed transform of the
    schema and a typed chunk object per token (most of the client's CPU per answer)."""
    import openai

    body: dict[str, Any] = {
        "model": model,
        "messages": convo,
        "stream": True,
        "stream_options": {"include_usage": True},
        **extra,
    }
    if mode == "json_schema":
        body["response_format"] = response_format(schema)
    else:
        body["messages"] = _with_schema_in_prompt(convo, schema)
        if mode == "json_object":
            body["response_format"] = {"type": "json_object"}
    response = await target.post(
        "/chat/completions",
        body=body,
        cast_to=object,
        stream=True,
        stream_cls=openai.AsyncStream[object],
    )
    content: list[str] = []
    refusal: list[str] = []
    finish: str | None = None
    usage: dict[str, Any] = {}
    async with response as chunks:
        async for chunk in chunks:
            if not isinstance(chunk, dict):
                continue
            if isinstance(chunk.get("usage"), dict):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    content.append(str(delta["content"]))
                if delta.get("refusal"):
                    refusal.append(str(delta["refusal"]))
                if choice.get("finish_reason"):
                    finish = str(choice["finish_reason"])
    message = {"content": "".join(content) or None, "refusal": "".join(refusal) or None}
    return {"choices": [{"finish_reason": finish, "message": message}], "usage": usage}


@lru_cache(maxsize=256)
def response_format(schema: type[BaseModel]) -> dict[str, Any]:
    """The strict ``json_schema`` response_format for ``schema``, built once per schema
    class (pydantic's JSON schema generation costs about a millisecond)."""
    from openai.lib._parsing._completions import type_to_response_format_param

    return cast(dict[str, Any], type_to_response_format_param(schema))


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
