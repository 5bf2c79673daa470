"""The application core: one ``App`` per process, built by ``bootstrap``.

The CLI builds it once per command, the TUI once per run, tests with fakes. It owns
what every use case needs — the settings, the one ``Store``, the engines, the clock,
the data home's paths — and exposes the use cases (``assistant.use_cases``) as async
methods with one body each. The faces (``assistant/cli``, ``tui``) only parse input,
await a use case and render what comes back; ``asyncio.run`` happens only at the
CLI's edge.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from assistant.config import Settings, load_settings
from assistant.paths import data_home
from assistant.use_cases.base import (
    Clock,
    FixedClock,
    HomePaths,
    LLMClientFactory,
    SystemClock,
)
from assistant.use_cases.batch import BatchUseCases
from assistant.use_cases.critique import CritiqueUseCases
from assistant.use_cases.cycle import CycleUseCases
from assistant.use_cases.drafting import DraftingUseCases
from assistant.use_cases.drafts import DraftUseCases
from assistant.use_cases.evaluation import EvalUseCases
from assistant.use_cases.logs import LogUseCases
from assistant.use_cases.review import ReviewUseCases
from assistant.use_cases.sources import SourceUseCases
from assistant.use_cases.tui_support import TuiUseCases

if TYPE_CHECKING:
    from assistant.store.store import Store

__all__ = ["App", "Clock", "FixedClock", "HomePaths", "SystemClock", "bootstrap"]


class App(
    EvalUseCases,  # before CritiqueUseCases, its base (one consistent MRO)
    TuiUseCases,  # before CritiqueUseCases, its base too
    CritiqueUseCases,
    DraftUseCases,
    CycleUseCases,
    LogUseCases,
    ReviewUseCases,
    DraftingUseCases,
    SourceUseCases,
    BatchUseCases,
):
    """okr-coach for one process. Build it with :func:`bootstrap`."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        paths: HomePaths,
        clock: Clock,
        llm: LLMClientFactory | None = None,
        log_requests: bool = True,
    ) -> None:
        self.settings = settings
        self.store = store
        self.paths = paths
        self.clock = clock
        self.llm = llm
        self.log_requests = log_requests

    def close(self) -> None:
        """Close the store's connection (the CLI's process ends anyway; tests call it)."""
        self.store.close()


def bootstrap(
    home: Path | None = None,
    settings: Settings | None = None,
    *,
    llm: LLMClientFactory | None = None,
    clock: Clock | None = None,
    config_home: Path | None = None,
    log_requests: bool = True,
) -> App:
    """The one ``App`` for this process: the data home (``home``, else ``$OKR_HOME`` or
    the platform's data dir), the settings (given, else the config file — ``config_home``
    or ``home`` — with ``OKR_…`` environment overrides), the store (opened on first use,
    migrated once). ``log_requests=False``: this run's LLM requests are not logged
    (``--no-log``). Nothing touches the disk here."""
    from assistant.store.store import Store  # on use: `okr critique FILE` never opens it

    root = (home or data_home()).expanduser()
    if settings is None:
        settings = load_settings(config_home if config_home is not None else home)
    return App(
        settings=settings,
        store=Store.in_home(root),
        paths=HomePaths(root),
        clock=clock or SystemClock(),
        llm=llm,
        log_requests=log_requests,
    )
