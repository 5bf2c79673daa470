"""The structured-output mode of one endpoint and model, shared by every kind of ask.

Critique, peer review, drafting and the retro summary all talk to the same server. A
server that refuses ``json_schema`` (llama-cpp-python's answers 500) costs refused
requests once, not on every run of each command: the mode that worked is remembered in
the cache database (per base URL and model), so the next run of any command starts
there. A refusal is never retried by the SDK (``llm.client.RequestCounter``).

By default, until an ask succeeded, asks go one at a time (one refused probe at most);
once the mode is known every waiting ask goes out at once. The critique of a team file
and peer review probe concurrently instead (``serialise=False``): a run is at its full
concurrency from the start, for at most one refused probe per worker, once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.llm.cache import LLMCache
    from assistant.llm.client import Usage

T = TypeVar("T")
MODES = ("json_schema", "json_object", "plain")


class ModeProbe:
    """Which response mode to ask in, learnt once per endpoint + model.

    ``serialise=False`` lets asks probe concurrently: for peer review, where one slow or
    hanging reviewer must not hold the others back, and for the critique of a team file,
    which must not wait a whole answer before its other workers start (it costs up to
    one refused probe per concurrent ask, once: the next run starts from the remembered
    mode)."""

    def __init__(
        self, settings: Settings, model: str, cache: LLMCache | None, *, serialise: bool = True
    ) -> None:
        self.serialise = serialise
        self.base_url = settings.llm.base_url
        self.model = model
        self.cache = cache
        self.mode: str = "json_schema" if settings.llm.json_schema else "json_object"
        self.known = False
        self.notes: list[str] = []
        remembered = self.cache.get_mode(self.base_url, model) if self.cache else None
        if remembered in MODES and MODES.index(remembered) >= MODES.index(self.mode):
            self.mode, self.known = remembered, True
        self._lock = asyncio.Lock()

    def close(self) -> None:
        """Close the cache's connection (it reopens on next use)."""
        if self.cache is not None:
            self.cache.close()

    async def ask(self, send: Callable[[str, bool], Awaitable[tuple[T, Usage]]]) -> tuple[T, Usage]:
        """``send(mode, mode_known)`` is one ``ask_structured`` call. A failure's usage
        still moves the mode on (a rejected mode stays rejected for this run)."""
        if self.known or not self.serialise:
            return await self._send(send)
        async with self._lock:
            if not self.known:  # still the probe: the others wait for its mode
                return await self._send(send)
        # Learnt while this ask waited: it goes out at once, not one at a time behind
        # the lock (that made a run ramp up 1, 2, 3, … requests per round).
        return await self._send(send)

    async def _send(
        self, send: Callable[[str, bool], Awaitable[tuple[T, Usage]]]
    ) -> tuple[T, Usage]:
        from assistant.llm.client import ItemError

        started = self.mode
        try:
            answer, usage = await send(self.mode, self.known)
        except ItemError as exc:
            if exc.usage is not None and exc.usage.mode:
                self.mode = exc.usage.mode
            raise
        if usage.mode:
            self.mode = usage.mode
        if not self.known:
            self.known = True
            if self.cache is not None:
                self.cache.set_mode(self.base_url, self.model, self.mode)
            if self.mode != started:
                self.notes.append(
                    f"the server does not support {started} output; using {self.mode} "
                    "(remembered for this base URL and model)"
                )
        return answer, usage
