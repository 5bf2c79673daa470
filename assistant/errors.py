"""Errors the CLI turns into a one-line message and an exit code instead of a traceback."""

from __future__ import annotations


class OKRError(Exception):
    """Base class for errors shown to the user as one line."""

    exit_code = 2


class InputError(OKRError):
    """Bad input: rendered as ``path:line: what is wrong``."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


class UsageError(OKRError):
    """A command was asked for something that cannot be done (unknown draft, rule…)."""


class EngineError(OKRError):
    """The LLM engine could not finish an item."""

    exit_code = 3
