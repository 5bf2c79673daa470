"""What every use case may use: the fields ``App`` is built with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.config import Settings

if TYPE_CHECKING:
    from assistant.llm.cache import LLMCache
    from assistant.store.store import Store


class Clock(Protocol):
    """What time it is: the system's, or a fixed one in tests."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return date.today()  # the user's local date: check-ins and cycles are dated locally


@dataclass(frozen=True)
class FixedClock:
    """A clock that always says ``at`` (tests, reproducible reports)."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def today(self) -> date:
        return self.at.date()


@dataclass(frozen=True)
class HomePaths:
    """Where the data home keeps each thing."""

    home: Path

    @property
    def db(self) -> Path:
        return self.home / "okr.db"

    @property
    def llm_cache(self) -> Path:
        return self.home / "llm_cache.db"

    @property
    def personas(self) -> Path:
        return self.home / "personas"

    @property
    def logs_off(self) -> Path:
        """While this file exists, LLM requests are not logged (``okr logs off``)."""
        return self.home / "logs-off"


# An OpenAI-compatible async client factory (tests pass a fake or one bound to a local server).
LLMClientFactory = Callable[[], Any]


class AppBase:
    """The fields of ``App`` (see ``assistant.app.bootstrap``)."""

    settings: Settings
    store: Store
    paths: HomePaths
    clock: Clock
    llm: LLMClientFactory | None

    @property
    def home(self) -> Path:
        return self.paths.home

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def llm_cache(self) -> LLMCache:
        """The data home's cache of LLM answers (opened on first use)."""
        from assistant.llm.cache import LLMCache

        return LLMCache(self.home)
