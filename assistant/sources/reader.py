"""Reading sources: one (``read_source``), or many at once with a bound (``read_all``).

Adapters block (files, drivers, subprocesses, HTTP), so ``read_all`` runs them on a
thread pool of ``limit`` threads; a source that fails gives a ``SourceResult`` with its
error and never stops the others. Adapter modules are imported on first use, so a
machine without the ``[sql]`` extra reads CSV, command and JSON sources as usual.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from assistant.domain.source_spec import SourceSpec
from assistant.errors import one_line
from assistant.sources.reading import Source, SourceContext, SourceError, SourceReading

K = TypeVar("K")

_ADAPTERS: dict[str, tuple[str, str]] = {
    "csv": ("assistant.sources.csv_source", "read_csv"),
    "sql": ("assistant.sources.sql_source", "read_sql"),
    "command": ("assistant.sources.command_source", "read_command"),
    "json": ("assistant.sources.json_source", "read_json"),
}
DEFAULT_LIMIT = 8


def adapter_for(kind: str) -> Source:
    module, name = _ADAPTERS[kind]
    adapter: Source = getattr(importlib.import_module(module), name)
    return adapter


def read_source(spec: SourceSpec, context: SourceContext | None = None) -> SourceReading:
    """Read one source (blocking). Raises only ``SourceError``: an adapter's unexpected
    exception becomes one too, so one broken source cannot take a sync down."""
    context = context or SourceContext()
    try:
        return adapter_for(spec.kind)(spec, context)
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(spec.kind, f"{spec.kind} source failed: {one_line(exc)}") from exc


@dataclass(frozen=True, slots=True)
class SourceResult(Generic[K]):
    """What one source gave: a reading, or the error that stopped it."""

    key: K
    spec: SourceSpec
    reading: SourceReading | None = None
    error: SourceError | None = None

    @property
    def ok(self) -> bool:
        return self.reading is not None


async def read_all(
    items: Sequence[tuple[K, SourceSpec]],
    *,
    limit: int = DEFAULT_LIMIT,
    context: SourceContext | None = None,
) -> list[SourceResult[K]]:
    """Read every ``(key, spec)``, at most ``limit`` at a time; results in input order."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    context = context or SourceContext()
    if not items:
        return []
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(limit)

    pool = ThreadPoolExecutor(max_workers=min(limit, len(items)), thread_name_prefix="okr-source")

    async def one(key: K, spec: SourceSpec) -> SourceResult[K]:
        async with gate:
            try:
                reading = await loop.run_in_executor(pool, read_source, spec, context)
            except SourceError as exc:
                return SourceResult(key, spec, error=exc)
            return SourceResult(key, spec, reading=reading)

    try:
        return list(await asyncio.gather(*(one(key, spec) for key, spec in items)))
    finally:  # on cancel, nothing queued starts; running reads end at their timeouts
        pool.shutdown(wait=False, cancel_futures=True)


def read_all_blocking(
    items: Sequence[tuple[K, SourceSpec]],
    *,
    limit: int = DEFAULT_LIMIT,
    context: SourceContext | None = None,
) -> list[SourceResult[K]]:
    """``read_all`` for callers with no event loop of their own."""
    return asyncio.run(read_all(items, limit=limit, context=context))
