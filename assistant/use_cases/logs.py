"""``okr logs``: what was sent to an LLM and what it cost, from the data home's log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.use_cases.base import AppBase

if TYPE_CHECKING:
    from assistant.llm.call_log import CallLog
    from assistant.store.llm_log import DayTotal, LoggedCall


class LogUseCases(AppBase):
    log_requests: bool  # False for one run (`--no-log`)

    def call_log(self) -> CallLog | None:
        """Where this run's LLM requests are logged; None when logging is off."""
        from assistant.services import llm_log

        if not self.log_requests or not llm_log.enabled(self.paths.logs_off):
            return None
        return llm_log.StoreCallLog(self.store, self.settings)

    async def logged_calls(
        self, limit: int | None = None, since: str | None = None
    ) -> list[LoggedCall]:
        from assistant.services import llm_log

        return llm_log.newest(self.store, limit, since)

    async def logged_call(self, log_id: int) -> LoggedCall | None:
        from assistant.services import llm_log

        return llm_log.entry(self.store, log_id)

    async def log_totals(self, since: str | None = None) -> list[DayTotal]:
        from assistant.services import llm_log

        return llm_log.totals(self.store, since)

    async def switch_logging(self, on: bool) -> None:
        from assistant.services import llm_log

        llm_log.switch(self.paths.logs_off, on)

    def logging_enabled(self) -> bool:
        from assistant.services import llm_log

        return llm_log.enabled(self.paths.logs_off)
