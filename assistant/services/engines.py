"""One engine interface: the ``Critic`` protocol and the one place "auto" is resolved.

The CLI, peer review and the TUI ask ``resolve_engine`` which engine speaks and
``make_critic`` for it; none of them knows how the rules or the LLM engine work.
Both return a ``Report`` whose findings share the SPEC §5 shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from assistant.config import Settings, api_key, is_local
from assistant.errors import UsageError
from assistant.model import OKRSet, Report, SetCritique

EngineKind = Literal["rules", "llm"]
ENGINE_CHOICES = ("rules", "llm", "auto")
OnResult = Callable[[SetCritique], None]


def has_credentials(settings: Settings) -> bool:
    """Whether the LLM can be asked: an API key, or a ``base_url`` on this machine or
    the local network (a local server takes a dummy key: ``llm.client.build_client``).
    The one rule the CLI and the TUI share; a remote endpoint still needs a key."""
    return bool(api_key()) or is_local(settings.llm.base_url)


def resolve_engine(choice: str | None, settings: Settings) -> EngineKind:
    """``rules`` or ``llm`` for an engine choice: an explicit choice (``auto`` too)
    wins over the settings; ``auto`` means the LLM when it can be asked (an API key,
    or a local ``base_url``: :func:`has_credentials`), else the rules (SPEC §6)."""
    chosen = choice or settings.engine
    if chosen == "auto":
        return "llm" if has_credentials(settings) else "rules"
    if chosen not in ("rules", "llm"):
        raise UsageError(f"unknown engine '{chosen}' (rules, llm or auto)")
    return chosen  # type: ignore[return-value]


@runtime_checkable
class Critic(Protocol):
    """Anything that critiques sets: ``critique`` for scripts, ``critique_async`` for
    event loops (the TUI's workers, reviews), so Esc can cancel a request in flight."""

    name: EngineKind

    def critique(self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None) -> Report:
        """The report for ``sets``; ``on_result(critique)`` as each set finishes."""
        ...

    async def critique_async(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report: ...


class RulesCritic:
    """The offline rubric: deterministic, no network."""

    name: EngineKind = "rules"

    def critique(self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None) -> Report:
        from assistant.services.critique import critique_sets

        report = critique_sets(sets)
        if on_result is not None:
            for critique in report.sets:
                on_result(critique)
        return report

    async def critique_async(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        # One process: a fork pool is never started from inside a running event loop.
        from assistant.rubric.critic import critique_sets

        report = critique_sets(sets)
        if on_result is not None:
            for critique in report.sets:
                on_result(critique)
        return report


@dataclass
class LLMCritic:
    """The LLM coach (``services.coach``) with its run options fixed."""

    settings: Settings
    home: Path
    style: str | None = None
    concurrency: int | None = None
    use_cache: bool = True
    progress: bool = False
    max_retries: int | None = None
    name: EngineKind = "llm"
    lessons: tuple[tuple[str, ...], ...] = ()  # per set: its draft's lesson texts (grounding)

    def _options(self) -> dict:
        options: dict = {
            "settings": self.settings,
            "home": self.home,
            "style": self.style or self.settings.style,
            "concurrency": self.concurrency or self.settings.llm.concurrency,
            "use_cache": self.use_cache,
            "progress": self.progress,
        }
        if self.max_retries is not None:
            options["max_retries"] = self.max_retries
        if self.lessons:
            options["lessons"] = self.lessons
        return options

    def critique(self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None) -> Report:
        from assistant.services.coach import run_llm_critique

        return run_llm_critique(list(sets), dry_run=False, on_result=on_result, **self._options())

    async def critique_async(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        from assistant.services.coach import run_llm_critique_async

        return await run_llm_critique_async(list(sets), on_result=on_result, **self._options())


def make_critic(
    kind: EngineKind,
    *,
    settings: Settings,
    home: Path,
    style: str | None = None,
    concurrency: int | None = None,
    use_cache: bool = True,
    progress: bool = False,
    max_retries: int | None = None,
    lessons: Sequence[Sequence[str]] = (),
) -> Critic:
    """The critic for an engine ``resolve_engine`` chose."""
    if kind == "rules":
        return RulesCritic()
    return LLMCritic(
        settings,
        home,
        style=style,
        concurrency=concurrency,
        use_cache=use_cache,
        progress=progress,
        max_retries=max_retries,
        lessons=tuple(tuple(texts) for texts in lessons),
    )
