"""The LLM coaching use case: critique many sets concurrently, cheaply and safely.

One async body (:func:`critique_with_llm`, behind ``services.engines.LLMCritic``):
``concurrency`` workers pulling sets from one queue, each handing its set to
``LLMEngine.critique_prepared`` (cache, ask, guards, merge), so at most that many
requests are in flight; results go to ``on_result`` as they finish. The rules critique
each set once (:class:`FileRules`), the model builds on their findings. An item that fails keeps its rules critique (with
``error`` set) and is listed in ``Report.errors``; the others complete. When the
endpoint fails request after request the client's circuit breaker opens: the sets not
sent yet are reported as not attempted, with the reason once. Cached answers cost no
request and no API key. Nothing here imports ``openai`` unless a request must be sent.

Cancelling the awaiting task cancels the requests in flight and propagates (the TUI's
Esc); with ``keep_partial`` (the CLI, where Ctrl-C cancels the main task) it returns
what finished instead, the usage marked ``interrupted``.

:func:`run_usage` is the one place a run's ``RunUsage`` is built, for live runs here and
for Batch API runs (``services.batch``). The dry run lives in ``services.dry_run``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import partial

from assistant.config import Settings
from assistant.errors import UsageError, one_line
from assistant.llm.cache import LLMCache
from assistant.llm.client import (
    BREAKER_MIN_FAILURES,
    DEFAULT_MAX_RETRIES,
    NotSent,
    RequestCounter,
    Usage,
    build_client,
)
from assistant.llm.cost import cost_usd
from assistant.llm.engine import ItemResult, LLMEngine, item_label
from assistant.model import Finding, GuardStats, OKRSet, Report, RunUsage, SetCritique
from assistant.rubric.critic import critique_from_findings, score_rules_rewrites
from assistant.rubric.engine import duplicate_findings, order_findings, set_findings
from assistant.rubric.rules import load_rubric

OnResult = Callable[[SetCritique], None]

NOT_ATTEMPTED = "not attempted: the server was failing, so nothing was sent for this set"
INTERRUPTED = "interrupted before it finished"


class FileRules:
    """The rules critique of a file's sets, each part computed once, when first needed.

    The same critique as ``rubric.critic.critique_sets``, in pieces: a set's checks when
    it is prepared (the model's grounding), the file's near-duplicate pass and the set's
    scores when its answer is merged. So the first requests go out before the whole
    file is checked, and the rest is checked while they are in flight."""

    def __init__(self, sets: Sequence[OKRSet]) -> None:
        self.sets = sets
        self.rubric = load_rubric()
        self._checks: dict[int, list[Finding]] = {}
        self._grounding: dict[int, list[Finding]] = {}
        self._duplicates: list[list[Finding]] | None = None
        self._critiques: dict[int, SetCritique] = {}

    def grounding(self, i: int) -> list[Finding]:
        """Set ``i``'s findings as if it stood alone (its near-duplicates within itself):
        its messages, and its cache key, do not change when another set does."""
        if i not in self._grounding:
            alone = duplicate_findings([self.sets[i]], self.rubric)[0]
            self._grounding[i] = order_findings([*self._own(i), *alone])
        return self._grounding[i]

    async def check_ahead(self) -> None:
        """Check every set in the gaps while requests are in flight (the event loop is
        otherwise idle), so a worker whose answer came in sends its next request at
        once instead of checking that set first."""
        for i in range(len(self.sets)):
            with suppress(Exception):  # a set the rules choke on: its worker reports it
                self.grounding(i)
                self.critique(i)
            await asyncio.sleep(0)

    def critique(self, i: int) -> SetCritique:
        """Set ``i``'s rules critique as shown: its checks, near-duplicates across the
        file, scores and scored rewrites."""
        if i not in self._critiques:
            if self._duplicates is None:
                self._duplicates = duplicate_findings(self.sets, self.rubric)
            okr_set = self.sets[i]
            found = [*self._own(i), *self._duplicates[i]]
            critique = critique_from_findings(okr_set, found, self.rubric)
            self._critiques[i] = score_rules_rewrites(okr_set, critique, self.rubric)
        return self._critiques[i]

    def _own(self, i: int) -> list[Finding]:
        if i not in self._checks:
            self._checks[i] = set_findings(self.sets[i], self.rubric)
        return self._checks[i]


@dataclass
class _Run:
    """What one run has done so far (read when it ends, however it ends)."""

    sets: Sequence[OKRSet]
    rules: FileRules
    counter: RequestCounter
    results: dict[int, ItemResult] = field(default_factory=dict)
    not_sent: list[int] = field(default_factory=list)
    breaker: str | None = None  # why the sets in ``not_sent`` were not sent
    interrupted: bool = False


async def critique_with_llm(
    sets: Sequence[OKRSet],
    *,
    settings: Settings,
    cache: LLMCache | None,
    style: str,
    concurrency: int = 1,
    use_cache: bool = True,
    on_result: OnResult | None = None,
    progress: bool = False,
    max_retries: int = DEFAULT_MAX_RETRIES,
    lessons: Sequence[Sequence[str]] = (),
    keep_partial: bool = False,
) -> Report:
    """Critique ``sets`` with the LLM engine; see the module docstring for the guarantees.

    ``cache`` keeps the answers and the structured-output mode that worked (None: no
    cache, no memory); the run closes its connection when it ends. ``use_cache=False``
    ignores cached answers (fresh answers are still stored). ``lessons[i]``: texts of
    what set ``i``'s draft's last graded cycle taught (grounding).
    """
    sets = list(sets)
    concurrency = max(1, concurrency)
    # The rules, once per set, in this process (never a fork pool inside a running
    # loop): the model's grounding, the findings merged with, the scores shown.
    rules = FileRules(sets)
    # A whole wave of in-flight requests failing (or 5 in a row) opens the breaker.
    counter = RequestCounter(trip_after=max(BREAKER_MIN_FAILURES, concurrency))
    run = _Run(sets, rules, counter)
    engine = LLMEngine(
        settings,
        client=None,
        cache=cache,
        style=style,
        read_cache=use_cache,
        connect=lambda: build_client(settings, max_retries=max_retries, counter=counter),
    )
    bar = _Progress(len(sets)) if progress and sys.stderr.isatty() else None

    async def one(i: int) -> None:
        try:
            taught = lessons[i] if i < len(lessons) else ()
            shown = partial(rules.critique, i)  # computed when the answer is merged
            prepared = engine.prepare(sets[i], taught, shown, grounding=rules.grounding(i))
            result = await engine.critique_prepared(prepared)
        except (asyncio.CancelledError, UsageError):
            raise  # Ctrl-C or Esc, or no key for the endpoint: nothing else can be asked
        except NotSent as exc:  # the breaker was open before this set sent anything
            run.not_sent.append(i)
            run.breaker = run.breaker or str(exc)
            result = ItemResult(rules.critique(i).model_copy(update={"error": NOT_ATTEMPTED}))
        except Exception as exc:  # one item never stops the others
            message = one_line(exc)
            # The tokens of failed asks are paid for: they stay in the run's usage.
            spent = getattr(exc, "usage", None)
            result = ItemResult(
                rules.critique(i).model_copy(update={"error": message}),
                usage=spent if isinstance(spent, Usage) else Usage(),
                error=message,
            )
        run.results[i] = result
        if bar:
            bar.advance()
        if on_result:
            on_result(result.critique)

    # A pool of ``concurrency`` workers pulling from one queue (rather than one task per
    # set behind a semaphore): at most ``concurrency`` sets are prepared and in flight at
    # a time, so memory does not grow with the size of the file.
    queue = iter(range(len(sets)))

    async def worker() -> None:
        for i in queue:
            await one(i)
            await asyncio.sleep(0)  # cached items never wait on I/O: let Ctrl-C through

    workers: list[asyncio.Task[None]] = []
    ahead: asyncio.Task[None] | None = None
    try:
        if bar:
            bar.start()
        workers = [asyncio.create_task(worker()) for _ in range(min(concurrency, len(sets)))]
        ahead = asyncio.create_task(rules.check_ahead())  # after the first prepares
        try:
            await asyncio.gather(*workers)
        except BaseException as exc:
            # Stop every request in flight (an error in one worker, or a cancellation).
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            if not (keep_partial and isinstance(exc, asyncio.CancelledError)):
                raise
            run.interrupted = True
    finally:
        if ahead is not None:
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)
        if engine.client is not None:
            await engine.client.close()
        if cache is not None:
            cache.close()  # it reopens on next use
        if bar:
            bar.stop()
    return _report(run, engine, settings)


def _report(run: _Run, engine: LLMEngine, settings: Settings) -> Report:
    tally = Usage()
    guards = GuardStats()
    critiques, errors = [], []
    cache_hits = 0
    for i, okr_set in enumerate(run.sets):
        result = run.results.get(i)
        if result is None:
            critiques.append(run.rules.critique(i).model_copy(update={"error": INTERRUPTED}))
            errors.append(f"{item_label(okr_set)}: {INTERRUPTED}")
            continue
        tally.add(result.usage)
        if result.guards is not None:
            guards.add(result.guards)
        cache_hits += result.cached
        critiques.append(result.critique)
        if result.error:
            errors.append(f"{item_label(okr_set)}: {result.error}")
    if run.not_sent:  # one line for all of them, with the reason once
        labels = [item_label(run.sets[i]) for i in sorted(run.not_sent)]
        shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        errors.append(f"{len(labels)} set(s) not attempted ({shown}): {run.breaker}")
    usage = run_usage(
        settings,
        model=engine.model,
        tally=tally,
        requests=run.counter.count,
        cache_hits=cache_hits,
        mode=engine.mode,
        interrupted=run.interrupted,
    )
    usage.notes = list(engine.notes)
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
