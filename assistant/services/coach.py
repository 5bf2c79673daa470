"""The LLM coaching use case: critique many sets concurrently, cheaply and safely.

One shared ``AsyncOpenAI`` client, ``concurrency`` workers pulling sets from one queue
(so at most that many requests are in flight), results handed to ``on_result`` as they
finish. An item that fails keeps its rules critique (with ``error`` set) and is listed
in ``Report.errors``; the others complete. Ctrl-C cancels what is in flight and returns
what finished. Cached answers cost no request and no API key. Nothing here imports
``openai`` unless a request must be sent.

:func:`run_usage` is the one place a run's ``RunUsage`` is built, for live runs here and
for Batch API runs (``services.batch``). The dry run lives in ``services.dry_run``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import UsageError, one_line
from assistant.llm.cache import LLMCache
from assistant.llm.client import DEFAULT_MAX_RETRIES, RequestCounter, Usage, build_client
from assistant.llm.cost import cost_usd
from assistant.llm.engine import ItemResult, LLMEngine, item_label
from assistant.model import GuardStats, OKRSet, Report, RunUsage, SetCritique
from assistant.rubric.critic import critique_sets as critique_in_process
from assistant.services.critique import critique_sets as critique_with_workers

OnResult = Callable[[SetCritique], None]


@dataclass
class _RunState:
    """What has finished so far; survives a KeyboardInterrupt outside the event loop."""

    results: dict[int, ItemResult] = field(default_factory=dict)
    counter: RequestCounter = field(default_factory=RequestCounter)
    interrupted: bool = False
    mode: str | None = None
    notes: list[str] = field(default_factory=list)
    shown: Sequence[SetCritique] = ()


def run_llm_critique(
    sets: list[OKRSet],
    *,
    settings: Settings,
    home: Path,
    concurrency: int,
    use_cache: bool,
    dry_run: bool,
    style: str,
    on_result: OnResult | None = None,
    progress: bool = False,
    max_retries: int = DEFAULT_MAX_RETRIES,
    lessons: Sequence[Sequence[str]] = (),
) -> Report:
    """Critique ``sets`` with the LLM engine; see the module docstring for the guarantees.
    ``lessons[i]``: texts of what set ``i``'s draft's last graded cycle taught (grounding).

    ``use_cache=False`` ignores cached answers (fresh answers are still stored).
    ``dry_run`` sends nothing: ``Report.dry_run`` holds the exact messages and the
    estimate (``assistant.render.llm.render_dry_run`` prints it).
    """
    if dry_run:
        from assistant.services.dry_run import dry_run_plan

        plan = dry_run_plan(sets, settings=settings, home=home, use_cache=use_cache, style=style)
        return Report(engine="llm", dry_run=plan)
    # The rules critique runs before the loop (forked workers for a big file are safe
    # here, outside any event loop), so an interrupt can always report it.
    state = _RunState(shown=critique_with_workers(sets).sets)
    try:
        return asyncio.run(
            run_llm_critique_async(
                sets,
                settings=settings,
                home=home,
                style=style,
                concurrency=concurrency,
                use_cache=use_cache,
                on_result=on_result,
                progress=progress,
                max_retries=max_retries,
                state=state,
                lessons=lessons,
            )
        )
    except KeyboardInterrupt:
        state.interrupted = True
        return _report(sets, state.shown, state, settings)


async def run_llm_critique_async(
    sets: list[OKRSet],
    *,
    settings: Settings,
    home: Path,
    style: str,
    concurrency: int = 1,
    use_cache: bool = True,
    on_result: OnResult | None = None,
    progress: bool = False,
    max_retries: int = DEFAULT_MAX_RETRIES,
    state: _RunState | None = None,
    lessons: Sequence[Sequence[str]] = (),
) -> Report:
    """:func:`run_llm_critique` for callers that already run an event loop (the TUI's
    workers): cancelling the awaiting task cancels the requests in flight. ``state``
    lets the sync entry point keep what finished when Ctrl-C interrupts the loop."""
    state = state or _RunState()
    if not state.shown:  # one process: never start the fork pool inside a running loop
        state.shown = critique_in_process(sets).sets
    cache = LLMCache(home)
    try:
        await _run(
            sets,
            state.shown,
            state,
            settings=settings,
            cache=cache,
            use_cache=use_cache,
            concurrency=max(1, concurrency),
            style=style,
            on_result=on_result,
            progress=progress,
            max_retries=max_retries,
            lessons=lessons,
        )
    finally:
        cache.close()
    return _report(sets, state.shown, state, settings)


async def _run(
    sets: Sequence[OKRSet],
    shown: Sequence[SetCritique],
    state: _RunState,
    *,
    settings: Settings,
    cache: LLMCache,
    use_cache: bool,
    concurrency: int,
    style: str,
    on_result: OnResult | None,
    progress: bool,
    max_retries: int,
    lessons: Sequence[Sequence[str]] = (),
) -> None:
    engine = LLMEngine(settings, client=None, cache=cache, style=style, read_cache=use_cache)
    bar = _Progress(len(sets)) if progress and sys.stderr.isatty() else None

    def done(i: int, result: ItemResult) -> None:
        state.results[i] = result
        if bar:
            bar.advance()
        if on_result:
            on_result(result.critique)

    def client() -> Any:
        # Built on the first cache miss only: a fully cached run needs no key or SDK.
        if engine.client is None:
            engine.client = build_client(settings, max_retries=max_retries, counter=state.counter)
        return engine.client

    async def one(i: int) -> None:
        try:
            prepared = engine.prepare(sets[i], lessons[i] if i < len(lessons) else ())
            answer = engine.cached_answer(prepared)
            if answer is not None:
                critique, guards = engine.finish_with_stats(prepared, answer, shown[i])
                result = ItemResult(critique, cached=True, guards=guards)
            else:
                client()
                answer, usage = await engine.ask(prepared)
                critique, guards = engine.finish_with_stats(prepared, answer, shown[i])
                result = ItemResult(critique, usage=usage, guards=guards)
        except (asyncio.CancelledError, UsageError):
            raise  # Ctrl-C, or no key for the endpoint: nothing else can be asked either
        except Exception as exc:  # one item never stops the others
            message = one_line(exc)
            # The tokens of failed asks are paid for: they stay in the run's usage.
            spent = getattr(exc, "usage", None)
            result = ItemResult(
                shown[i].model_copy(update={"error": message}),
                usage=spent if isinstance(spent, Usage) else Usage(),
                error=message,
            )
        done(i, result)

    # A pool of ``concurrency`` workers pulling from one queue (rather than one task per
    # set behind a semaphore): at most ``concurrency`` sets are prepared and in flight at
    # a time, so memory does not grow with the size of the file.
    queue = iter(range(len(sets)))

    async def worker() -> None:
        for i in queue:
            await one(i)
            await asyncio.sleep(0)  # cached items never wait on I/O: let Ctrl-C through

    workers: list[asyncio.Task[None]] = []
    try:
        if bar:
            bar.start()
        workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(sets)))]
        try:
            await asyncio.gather(*workers)
        except asyncio.CancelledError:
            # Stop every request in flight, then let the cancellation through: an async
            # caller (the TUI) sees its task cancelled; the sync entry point gets a
            # KeyboardInterrupt from asyncio.run and reports what finished from ``state``.
            state.interrupted = True
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            raise
    finally:
        state.mode = engine.mode
        state.notes = list(engine.notes)
        if engine.client is not None:
            await engine.client.close()
        if bar:
            bar.stop()


def _report(
    sets: Sequence[OKRSet], shown: Sequence[SetCritique], state: _RunState, settings: Settings
) -> Report:
    tally = Usage()
    guards = GuardStats()
    critiques, errors = [], []
    cache_hits = 0
    for i, okr_set in enumerate(sets):
        result = state.results.get(i)
        if result is None:
            message = "interrupted before it finished"
            critiques.append(shown[i].model_copy(update={"error": message}))
            errors.append(f"{item_label(okr_set)}: {message}")
            continue
        tally.add(result.usage)
        if result.guards is not None:
            guards.add(result.guards)
        cache_hits += result.cached
        critiques.append(result.critique)
        if result.error:
            errors.append(f"{item_label(okr_set)}: {result.error}")
    usage = run_usage(
        settings,
        model=settings.llm.model,
        tally=tally,
        requests=state.counter.count,
        cache_hits=cache_hits,
        mode=state.mode,
        interrupted=state.interrupted,
    )
    usage.notes = list(state.notes)
    if tally.salvaged:  # said, not hidden: these answers were shorter than the model meant
        usage.notes.append(
            f"{tally.salvaged} answer(s) were cut off at the output token limit; "
            "the complete findings before the cut were kept"
        )
    return Report(engine="llm", sets=critiques, errors=errors, usage=usage, guards=guards)


def run_usage(
    settings: Settings,
    *,
    model: str,
    tally: Usage,
    requests: int,
    cache_hits: int,
    mode: str | None = None,
    interrupted: bool = False,
    batch: str | None = None,
) -> RunUsage:
    """The run's usage from the tokens its answers reported (``tally``, counted by
    ``llm.client.add_usage`` for live and batch answers alike) and what was sent; a
    ``batch`` id prices the tokens at the Batch API's half price."""
    price = settings.llm.price_for(model)
    return RunUsage(
        model=model,
        requests=requests,
        asks=tally.asks,
        prompt_tokens=tally.prompt_tokens,
        completion_tokens=tally.completion_tokens,
        cached_tokens=tally.cached_tokens,
        cache_hits=cache_hits,
        cost_usd=cost_usd(
            price,
            tally.prompt_tokens,
            tally.completion_tokens,
            tally.cached_tokens,
            batch=batch is not None,
        ),
        mode=mode,
        interrupted=interrupted,
        batch=batch,
    )


class _Progress:
    """A Rich progress bar on stderr; only used when stderr is a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            # Only route stdout through the bar when both share the terminal; a piped
            # stdout must receive the report itself, never the stderr console.
            redirect_stdout=sys.stdout.isatty(),
        )
        self._task = self._progress.add_task("coaching", total=total)

    def start(self) -> None:
        self._progress.start()

    def advance(self) -> None:
        self._progress.advance(self._task)

    def stop(self) -> None:
        self._progress.stop()
