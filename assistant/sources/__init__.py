"""Where a KR's number lives (SPEC §9): CSV files, SQL queries, commands, JSON APIs.

``assistant.domain.source_spec`` holds what a ``source:`` says (typed, stored with
``${VAR}`` unexpanded: the model holds it, so it is domain data); ``reading`` the one
small interface every adapter implements; ``reader`` reads one source or many at once
with a bound. Each kind's adapter is a module of its own, imported when a source of
its kind is read.
"""

from __future__ import annotations

from assistant.domain.source_spec import (
    CommandSource,
    CsvSource,
    JsonSource,
    SourceSpec,
    SourceSpecError,
    SqlSource,
    parse_source,
)
from assistant.sources.reader import SourceResult, read_all, read_all_blocking, read_source
from assistant.sources.reading import SourceContext, SourceError, SourceReading

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
