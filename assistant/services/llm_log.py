"""The LLM request log kept in the data home (``okr logs``).

``StoreCallLog`` is the ``CallLog`` the App hands to ``llm.call_log.logging_to``: each
request is priced with the configured (or list) price and appended to ``okr.db`` in a
unit of work of its own. Logging can be switched off for a data home (a ``logs-off``
marker file beside the database, so a switched-off log never opens it) or for one run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: `okr critique FILE` asks whether logging is on, nothing more
    from assistant.config import Settings
    from assistant.llm.call_log import LLMCall
    from assistant.store.llm_log import DayTotal, LoggedCall
    from assistant.store.store import Store


@dataclass
class StoreCallLog:
    """Appends every request to ``okr.db`` (``uow.logs``)."""

    store: Store
    settings: Settings

    def record(self, call: LLMCall) -> None:
        from assistant.llm.cost import cost_usd

        price = self.settings.llm.price_for(call.model)
        cost = cost_usd(price, call.prompt_tokens, call.completion_tokens, call.cached_tokens)
        with self.store.unit_of_work() as uow:
            uow.logs.add(call, cost)


def enabled(marker: Path) -> bool:
    """Logging is on unless the ``logs-off`` marker (``HomePaths.logs_off``) exists."""
    return not marker.exists()


def switch(marker: Path, on: bool) -> None:
    """Resume (``on``) or stop logging for this data home."""
    if on:
        marker.unlink(missing_ok=True)
    else:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(
            "okr-coach does not log LLM requests while this file exists (`okr logs on`).\n",
            encoding="utf-8",
        )


def newest(store: Store, limit: int | None = None, since: str | None = None) -> list[LoggedCall]:
    if not store.exists():
        return []
    with store.unit_of_work(write=False) as uow:
        return uow.logs.newest(limit, since)


def entry(store: Store, log_id: int) -> LoggedCall | None:
    if not store.exists():
        return None
    with store.unit_of_work(write=False) as uow:
        return uow.logs.get(log_id)


def totals(store: Store, since: str | None = None) -> list[DayTotal]:
    if not store.exists():
        return []
    with store.unit_of_work(write=False) as uow:
        return uow.logs.totals(since)
