"""Where a KR's number lives (SPEC §9): CSV files, SQL queries, commands, JSON APIs.

``assistant.domain.source_spec`` holds what a ``source:`` says (typed, stored with
``${VAR}`` unexpanded: the model holds it, so it is domain data);
``reading`` the one small interface every adapter implements; ``reader`` reads one
source or many at once with a bound. Each kind's adapter is a module of its own.
Names are imported on first use: ``okr --help`` should not pay for thread pools and
event loops.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.domain.source_spec import (
        CommandSource,
        CsvSource,
        JsonSource,
        SourceSpec,
        SourceSpecError,
        SqlSource,
        parse_source,
    )
    from assistant.sources.reader import (
        SourceResult,
        read_all,
        read_all_blocking,
        read_source,
    )
    from assistant.sources.reading import SourceContext, SourceError, SourceReading

_HOMES = {
    "SourceResult": "assistant.sources.reader",
    "read_all": "assistant.sources.reader",
    "read_all_blocking": "assistant.sources.reader",
    "read_source": "assistant.sources.reader",
    "SourceContext": "assistant.sources.reading",
    "SourceError": "assistant.sources.reading",
    "SourceReading": "assistant.sources.reading",
    "CommandSource": "assistant.domain.source_spec",
    "CsvSource": "assistant.domain.source_spec",
    "JsonSource": "assistant.domain.source_spec",
    "SourceSpec": "assistant.domain.source_spec",
    "SourceSpecError": "assistant.domain.source_spec",
    "SqlSource": "assistant.domain.source_spec",
    "parse_source": "assistant.domain.source_spec",
}
__all__ = [
    "CommandSource",
    "CsvSource",
    "JsonSource",
    "SourceContext",
    "SourceError",
    "SourceReading",
    "SourceResult",
    "SourceSpec",
    "SourceSpecError",
    "SqlSource",
    "parse_source",
    "read_all",
    "read_all_blocking",
    "read_source",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'assistant.sources' has no attribute '{name}'")
    return getattr(importlib.import_module(home), name)
