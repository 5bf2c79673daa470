"""What was sent and what came back: one ``LLMCall`` per request, to whoever logs them.

The client records every request it sends (critique, review, drafting, retro, eval)
through the log of the current context: a use case's caller opens
``logging_to(log, command)`` once (the CLI per command, the TUI per run) and every
request made under it, in any task, is recorded with that command's name. Nothing is
logged outside such a block (library use, tests that do not ask for it). The key is
scrubbed before a call leaves this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class LLMCall:
    """One request to an LLM endpoint and its outcome (``ok`` or a one-line reason)."""

    command: str
    model: str
    base_url: str | None
    mode: str | None
    messages: Sequence[dict[str, Any]]
    reply: str | None
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int
    seconds: float
    outcome: str
    prompt: str | None = None  # the prompt template's id (prompts/*.md), when known
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


class CallLog(Protocol):
    """Somewhere calls are kept (the data home's ``okr.db``; a list in tests)."""

    def record(self, call: LLMCall) -> None: ...


@dataclass(frozen=True)
class _Context:
    log: CallLog
    command: str
    prompt: str | None = None


_current: ContextVar[_Context | None] = ContextVar("okr_llm_call_log", default=None)


@contextmanager
def logging_to(log: CallLog | None, command: str) -> Iterator[None]:
    """Record every LLM request made inside the block (``log`` None: record nothing)."""
    token = _current.set(_Context(log, command) if log is not None else None)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def prompt_named(prompt: str | None) -> Iterator[None]:
    """Requests made inside the block were built from prompt template ``prompt``."""
    context = _current.get()
    if context is None or prompt is None:
        yield
        return
    token = _current.set(_Context(context.log, context.command, prompt))
    try:
        yield
    finally:
        _current.reset(token)


def is_logging() -> bool:
    return _current.get() is not None


def record(
    *,
    model: str,
    base_url: str | None,
    mode: str | None,
    messages: Sequence[dict[str, Any]],
    reply: str | None,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cached_tokens: int = 0,
    seconds: float,
    outcome: str,
    prompt: str | None = None,
) -> None:
    """Log one request in the current context (a no-op outside ``logging_to``). A log that
    cannot be written never fails the request it records."""
    context = _current.get()
    if context is None:
        return
    from assistant.errors import scrub_secrets as scrub

    call = LLMCall(
        command=context.command,
        model=model,
        base_url=base_url,
        mode=mode,
        messages=[_scrubbed(dict(m)) for m in messages],
        reply=scrub(reply) if reply is not None else None,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        cached_tokens=cached_tokens,
        seconds=round(seconds, 3),
        outcome=scrub(outcome),
        prompt=context.prompt or prompt,
    )
    try:
        context.log.record(call)
    except Exception:  # noqa: BLE001 - the log is a record, never a reason to fail a run
        return


def _scrubbed(value: Any) -> Any:
    """``value`` (a message, its parts) with the key masked in every string."""
    from assistant.errors import scrub_secrets

    if isinstance(value, str):
        return scrub_secrets(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(v) for v in value]
    return value
