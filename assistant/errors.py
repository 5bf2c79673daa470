"""Errors the CLI turns into a one-line message and an exit code instead of a traceback,
and the two helpers that put any exception or validation error on one line."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import ValidationError


class OKRError(Exception):
    """Base class for errors shown to the user as one line."""

    exit_code = 2


class InputError(OKRError):
    """Bad input: rendered as ``path:line: what is wrong`` (``path: …`` without a line)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    @property
    def has_location(self) -> bool:
        """True when the message carries a line of the input, not only its path."""
        return self.line is not None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class UsageError(OKRError):
    """A command was asked for something that cannot be done (unknown draft, rule…)."""


class EngineError(OKRError):
    """The LLM engine could not finish an item."""

    exit_code = 3


def one_line(exc: BaseException, limit: int = 300) -> str:
    """An exception as one line for a message: our own errors as they are, anything
    else prefixed with its type (``TimeoutError: …``); whitespace collapsed, capped."""
    # Our errors print whole (an InputError's path:line); SDK errors carry a .message.
    raw = str(exc) if isinstance(exc, OKRError) else str(getattr(exc, "message", None) or exc)
    text = " ".join(raw.split())
    if not isinstance(exc, OKRError) and not getattr(exc, "one_line_as_is", False):
        text = f"{type(exc).__name__}: {text or 'failed'}"
    text = scrub_secrets(text or type(exc).__name__)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_KEY_LIKE_RE = re.compile(r"\b(sk-[A-Za-z0-9_-]{2,}[A-Za-z0-9_*.-]{6,})|(Bearer\s+)\S+", re.I)


def scrub_secrets(text: str) -> str:
    """``text`` with the API key (``OPENAI_API_KEY``, also when a server or proxy echoes
    it back in an error body) and anything key-like (``sk-…``, ``Bearer …``) masked.
    Every error line goes through here (:func:`one_line`)."""
    key = os.environ.get("OPENAI_API_KEY") or ""
    if len(key) >= 8:
        text = text.replace(key, "[redacted]")
    return _KEY_LIKE_RE.sub(
        lambda m: "[redacted]" if m.group(1) else f"{m.group(2)}[redacted]", text
    )


def validation_message(
    exc: ValidationError, *, limit: int = 1, fields: dict[str, Any] | None = None
) -> str:
    """A pydantic validation error as ``field.path: what is wrong`` (the first ``limit``
    errors joined by ``; ``); ``fields`` names the allowed fields for unknown ones."""
    parts = []
    for error in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in error["loc"] if p != "literal_error") or "(root)"
        message = error["msg"]
        if error["type"] == "extra_forbidden" and fields:
            message = f"unknown field (expected: {', '.join(fields)})"
        elif error["type"] == "missing":
            message = "is required"
        parts.append(f"{loc}: {message}")
    return "; ".join(parts)
