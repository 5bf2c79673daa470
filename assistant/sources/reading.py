"""What reading a source gives back, what it needs, and how it fails: the one small
interface every adapter (``csv_source``, ``sql_source``, ``command_source``,
``json_source``) implements.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from assistant.domain.source_spec import Kind, SourceSpec
from assistant.errors import OKRError, scrub_secrets

DEFAULT_TIMEOUT = 10.0  # seconds, when neither the source nor the settings say
SQL_HINT = "pip install 'okr-coach[sql]'"


class SourceError(OKRError):
    """A source that could not give its number: one line that names the source as written
    (``${VAR}`` unexpanded, never a secret). ``okr sync`` exits 3 when one fails."""

    exit_code = 3

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        text = " ".join(scrub_secrets(message).split())
        self.message = "".join(ch if ch.isprintable() else "?" for ch in text)
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class SourceContext:
    """What reading needs from outside: where relative paths start, the environment that
    fills ``${VAR}``, whether commands may run, and the default timeout."""

    cwd: Path = field(default_factory=Path.cwd)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    allow_commands: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def timeout_for(self, spec: SourceSpec) -> float:
        return spec.timeout if spec.timeout is not None else self.timeout

    def path(self, text: str) -> Path:
        """A path as written in a source: ``~`` expanded, relative ones from ``cwd``."""
        p = Path(text).expanduser()
        return p if p.is_absolute() else self.cwd / p


@dataclass(frozen=True, slots=True)
class SourceReading:
    """One number read from a source. ``unit`` is the source's own ``unit:`` (None: the
    KR's unit); ``provenance`` says where it came from, as written (no expanded secret)."""

    kind: Kind
    value: float
    provenance: str
    unit: str | None = None

    @property
    def source(self) -> str:
        """The check-in's ``source`` column (SPEC §9)."""
        return f"sync:{self.kind}"

    def as_text(self) -> str:
        """The value as a check-in is typed (``41``, ``41%``, ``$1200``, ``900 ms``): read
        like a typed value, so it converts to the KR's unit the same way."""
        number = f"{self.value:.15g}"
        unit = (self.unit or "").strip()
        if not unit:
            return number
        if unit in ("$", "€", "£", "¥"):
            return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
        return f"{number}{unit}" if unit == "%" else f"{number} {unit}"


class Source(Protocol):
    """An adapter: reads one source of its kind, or raises ``SourceError``. Blocking;
    ``read_all`` runs adapters in threads."""

    def __call__(self, spec: SourceSpec, context: SourceContext) -> SourceReading: ...


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
MAX_VALUE = 1e15  # like typed check-ins: anything larger is a mistake, not a metric


def as_number(value: object, kind: str, what: str) -> float:
    """A value from a file, database, program or server as a finite number, else a
    ``SourceError`` naming ``what`` it was. Text may carry thousands separators (``1,234``)
    and a trailing ``%``."""
    number: float | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str | bytes):
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        text = text.strip().removesuffix("%").strip()
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or abs(number) > MAX_VALUE:
        raise SourceError(kind, f"{what} is not a number: {describe(value)}")
    return number


def describe(value: object, limit: int = 40) -> str:
    """A short, printable description of an unexpected value for an error line."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    text = "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))
    if not text:
        return "nothing (empty)"
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
