"""One engine interface: the ``Critic`` protocol and the one place "auto" is resolved.

The CLI, peer review and the TUI ask ``resolve_engine`` which engine speaks and
``make_critic`` for it; none of them knows how the rules or the LLM engine work.
Both return a ``Report`` whose findings share the SPEC §5 shape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from assistant.config import Settings, api_key, is_local
from assistant.errors import UsageError
from assistant.model import OKRSet, Report, SetCritique

if TYPE_CHECKING:
    from assistant.llm.cache import LLMCache

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
    """Anything that critiques sets. One async method: the CLI awaits it through
    ``asyncio.run`` at its edge, the TUI in a worker (so Esc cancels a request in flight)."""

    name: EngineKind

    async def critique(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        """The report for ``sets``; ``on_result(critique)`` as each set finishes."""
        ...


class RulesCritic:
    """The offline rubric: deterministic, no network."""

    name: EngineKind = "rules"

    async def critique(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        # One process, whoever awaits it (the TUI's workers, evaluations): the CLI's rules
        # critique of files takes ``services.critique`` instead, whose forked workers
        # start only where a fork is safe (``may_fork``).
        from assistant.rubric.critic import critique_sets

        report = critique_sets(sets)
        if on_result is not None:
            for critique in report.sets:
                on_result(critique)
        return report


@dataclass
class LLMCritic:
    """The LLM coach (``services.coach``) with its run options fixed.

    ``cache`` is built by the caller (the App: ``LLMCache`` of its data home) and keeps
    the answers and the structured-output mode that worked; None asks every time and
    remembers nothing. ``keep_partial``: a cancellation (the CLI's Ctrl-C) returns the
    sets that finished, the usage marked ``interrupted``, instead of propagating (the
    TUI keeps plain cancellation)."""

    settings: Settings
    cache: LLMCache | None = None
    style: str | None = None
    concurrency: int | None = None
    use_cache: bool = True
    progress: bool = False
    max_retries: int | None = None
    name: EngineKind = "llm"
    lessons: tuple[tuple[str, ...], ...] = ()  # per set: its draft's lesson texts (grounding)
    keep_partial: bool = False

    async def critique(
        self, sets: Sequence[OKRSet], *, on_result: OnResult | None = None
    ) -> Report:
        from assistant.llm.client import DEFAULT_MAX_RETRIES
        from assistant.services.coach import critique_with_llm

        return await critique_with_llm(
            sets,
            settings=self.settings,
            cache=self.cache,
            style=self.style or self.settings.style,
            concurrency=self.concurrency or self.settings.llm.concurrency,
            use_cache=self.use_cache,
            on_result=on_result,
            progress=self.progress,
            max_retries=DEFAULT_MAX_RETRIES if self.max_retries is None else self.max_retries,
            lessons=self.lessons,
            keep_partial=self.keep_partial,
        )


def make_critic(
    kind: EngineKind,
    *,
    settings: Settings,
    cache: LLMCache | None = None,
    style: str | None = None,
    concurrency: int | None = None,
    use_cache: bool = True,
    progress: bool = False,
    max_retries: int | None = None,
    lessons: Sequence[Sequence[str]] = (),
    keep_partial: bool = False,
) -> Critic:
    """The critic for an engine ``resolve_engine`` chose."""
    if kind == "rules":
        return RulesCritic()
    return LLMCritic(
        settings,
        cache,
        style=style,
        concurrency=concurrency,
        use_cache=use_cache,
        progress=progress,
        max_retries=max_retries,
        lessons=tuple(tuple(texts) for texts in lessons),
        keep_partial=keep_partial,
    )
