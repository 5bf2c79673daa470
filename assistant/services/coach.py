"""The LLM coaching use case: critique many sets concurrently, cheaply and safely.

One shared ``AsyncOpenAI`` client, ``concurrency`` workers pulling sets from one queue
(so at most that many requests are in flight), results handed to ``on_result`` as they
finish. An item that fails keeps its rules critique (with ``error`` set) and is listed
in ``Report.errors``; the others complete. Ctrl-C cancels what is in flight and returns
what finished. Cached answers cost no request
and no API key. Nothing here imports ``openai`` unless a request must be sent.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.errors import UsageError
from assistant.llm.cache import LLMCache
from assistant.llm.client import (
    DEFAULT_MAX_RETRIES,
    RequestCounter,
    Usage,
    build_client,
    schema_instructions,
)
from assistant.llm.cost import (
    cost_usd,
    estimate_completion_tokens,
    estimate_prompt_tokens,
    format_cost,
)
from assistant.llm.engine import ItemResult, LLMEngine
from assistant.llm.schemas import CoachCritique
from assistant.model import OKRSet, Report, SetCritique
from assistant.services.critique import critique_sets

OnResult = Callable[[SetCritique], None]


def item_label(okr_set: OKRSet) -> str:
    return f"{okr_set.source or '-'}#{okr_set.index}"


@dataclass
class _RunState:
    """What has finished so far; survives a KeyboardInterrupt outside the event loop."""

    results: dict[int, ItemResult] = field(default_factory=dict)
    counter: RequestCounter = field(default_factory=RequestCounter)
    interrupted: bool = False
    mode: str | None = None
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
) -> Report:
    """Critique ``sets`` with the LLM engine; see the module docstring for the guarantees.

    ``use_cache=False`` ignores cached answers (fresh answers are still stored).
    ``dry_run`` sends nothing: ``Report.usage["dry_run"]`` holds the exact messages
    and the estimate (render it with :func:`render_dry_run`).
    """
    if dry_run:
        cache = LLMCache(home)
        try:
            return _dry_run(sets, settings=settings, cache=cache, use_cache=use_cache, style=style)
        finally:
            cache.close()
    # The rules critique runs before the loop, so an interrupt can always report it.
    state = _RunState(shown=critique_sets(sets).sets)
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
) -> Report:
    """:func:`run_llm_critique` for callers that already run an event loop (the TUI's
    workers): cancelling the awaiting task cancels the requests in flight. ``state``
    lets the sync entry point keep what finished when Ctrl-C interrupts the loop."""
    state = state or _RunState()
    if not state.shown:
        state.shown = critique_sets(sets).sets
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
            prepared = engine.prepare(sets[i])
            answer = engine.cached_answer(prepared)
            if answer is not None:
                result = ItemResult(engine.finish(prepared, answer, shown[i]), cached=True)
            else:
                client()
                answer, usage = await engine.ask(prepared)
                result = ItemResult(engine.finish(prepared, answer, shown[i]), usage=usage)
        except (asyncio.CancelledError, UsageError):
            raise  # Ctrl-C, or no key for the endpoint: nothing else can be asked either
        except Exception as exc:  # one item never stops the others
            message = _one_line(exc)
            result = ItemResult(shown[i].model_copy(update={"error": message}), error=message)
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
            state.interrupted = True
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
    finally:
        state.mode = engine.mode
        if engine.client is not None:
            await engine.client.close()
        if bar:
            bar.stop()


def _one_line(exc: BaseException) -> str:
    from assistant.llm.client import ItemError

    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, ItemError) else f"{type(exc).__name__}: {text}"[:300]


def _report(
    sets: Sequence[OKRSet], shown: Sequence[SetCritique], state: _RunState, settings: Settings
) -> Report:
    usage = Usage()
    critiques, errors = [], []
    cache_hits = 0
    for i, okr_set in enumerate(sets):
        result = state.results.get(i)
        if result is None:
            message = "interrupted before it finished"
            critiques.append(shown[i].model_copy(update={"error": message}))
            errors.append(f"{item_label(okr_set)}: {message}")
            continue
        usage.add(result.usage)
        cache_hits += result.cached
        critiques.append(result.critique)
        if result.error:
            errors.append(f"{item_label(okr_set)}: {result.error}")
    model = settings.llm.model
    price = settings.llm.price_for(model)
    cost = cost_usd(price, usage.prompt_tokens, usage.completion_tokens, usage.cached_tokens)
    return Report(
        engine="llm",
        sets=critiques,
        errors=errors,
        usage={
            "model": model,
            "requests": state.counter.count,
            "asks": usage.asks,
            "prompt_tokens": usage.prompt_tokens,
            "completion_tokens": usage.completion_tokens,
            "cached_tokens": usage.cached_tokens,
            "cache_hits": cache_hits,
            "cost_usd": cost,
            "mode": state.mode,
            "interrupted": state.interrupted,
        },
    )


def usage_line(usage: dict[str, Any]) -> str:
    """One line for stderr after a run: requests, tokens, cache hits and cost."""
    return (
        f"{usage.get('model')}: {usage.get('requests', 0)} requests, "
        f"{usage.get('prompt_tokens', 0)} prompt + {usage.get('completion_tokens', 0)} "
        f"completion tokens, {usage.get('cache_hits', 0)} cached, "
        f"cost {format_cost(usage.get('cost_usd'))}"
    )


# --- dry run ---------------------------------------------------------------------------------


def _dry_run(
    sets: Sequence[OKRSet], *, settings: Settings, cache: LLMCache, use_cache: bool, style: str
) -> Report:
    engine = LLMEngine(settings, client=None, cache=cache, style=style, read_cache=use_cache)
    items, prompt_total, completion_total, hits = [], 0, 0, 0
    for okr_set in sets:
        prepared = engine.prepare(okr_set)
        cached = engine.cached_answer(prepared) is not None
        messages = prepared.messages
        if not settings.llm.json_schema:
            messages = [
                {
                    **messages[0],
                    "content": messages[0]["content"] + schema_instructions(CoachCritique),
                },
                *messages[1:],
            ]
        prompt = estimate_prompt_tokens(messages)
        completion = estimate_completion_tokens(okr_set, settings.llm.max_output_tokens)
        if cached:
            hits += 1
        else:
            prompt_total += prompt
            completion_total += completion
        items.append(
            {
                "item": item_label(okr_set),
                "name": okr_set.name,
                "cached": cached,
                "estimated_prompt_tokens": prompt,
                "estimated_completion_tokens": completion,
                "messages": messages,
            }
        )
    price = settings.llm.price_for(settings.llm.model)
    plan = {
        "model": settings.llm.model,
        "base_url": settings.llm.base_url or "https://api.openai.com/v1",
        "prompt": engine.prompt.id,
        "style": style,
        "response_format": "json_schema CoachCritique (strict)"
        if settings.llm.json_schema
        else "json_object (schema in the system message)",
        "requests": len(sets) - hits,
        "cache_hits": hits,
        "estimated_prompt_tokens": prompt_total,
        "estimated_completion_tokens": completion_total,
        "estimated_cost_usd": cost_usd(price, prompt_total, completion_total),
        "estimated_batch_cost_usd": cost_usd(price, prompt_total, completion_total, batch=True),
        "items": items,
    }
    return Report(engine="llm", usage={"dry_run": plan})


def render_dry_run(report: Report) -> str:
    """What would be sent, message by message, then the estimate. Identical system
    messages are printed once and referred to afterwards."""
    plan = report.usage["dry_run"] if report.usage else {}
    out = [
        f"Dry run: nothing is sent. Endpoint {plan['base_url']}, model {plan['model']}, "
        f"prompt {plan['prompt']}, style {plan['style']}, response_format {plan['response_format']}.",
        "",
    ]
    seen_system: dict[str, str] = {}
    for item in plan["items"]:
        header = f"=== {item['item']}" + (f" ({item['name']})" if item["name"] else "")
        if item["cached"]:
            out += [f"{header}: cached answer, not sent ===", ""]
            continue
        out.append(f"{header}: ~{item['estimated_prompt_tokens']} prompt tokens ===")
        for message in item["messages"]:
            content = str(message["content"])
            if message["role"] == "system" and content in seen_system:
                out.append(f"--- system: identical to {seen_system[content]} ---")
                continue
            if message["role"] == "system":
                seen_system[content] = item["item"]
            out += [f"--- {message['role']} ---", content]
        out.append("")
    out.append(
        f"Would send {plan['requests']} requests ({plan['cache_hits']} cached): "
        f"~{plan['estimated_prompt_tokens']} prompt + ~{plan['estimated_completion_tokens']} "
        f"completion tokens (estimated at 4 characters per token), "
        f"cost ~{format_cost(plan['estimated_cost_usd'])} "
        f"(~{format_cost(plan['estimated_batch_cost_usd'])} with okr batch)."
    )
    return "\n".join(out) + "\n"


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


# --- Batch API -------------------------------------------------------------------------------


def submit_batch(
    sets: list[OKRSet], *, settings: Settings, home: Path, style: str
) -> dict[str, Any]:
    """Submit the uncached sets as one Batch API job; the record is kept in the data home.

    Returns ``{"id": batch id or None when every set is cached, "requests": n, ...}``.
    """
    from assistant.llm import batch as batch_api

    cache = LLMCache(home)
    engine = LLMEngine(settings, client=None, cache=cache, style=style)

    async def go() -> tuple[str | None, dict[str, Any]]:
        client = build_client(settings)
        try:
            return await batch_api.submit(client, engine, sets)
        finally:
            await client.close()

    try:
        batch_id, record = asyncio.run(go())
        if batch_id is not None:
            cache.save_batch(
                batch_id,
                model=engine.model,
                style=style,
                prompt=engine.prompt.id,
                status="submitted",
                record=record,
            )
        prompt = sum(
            estimate_prompt_tokens(engine.prepare(okr_set).messages)
            for okr_set, item in zip(sets, record["items"], strict=True)
            if not item["cached"]
        )
        price = settings.llm.price_for(engine.model)
        return {
            "id": batch_id,
            "requests": record["requests"],
            "cached": len(sets) - record["requests"],
            "estimated_cost_usd": cost_usd(
                price,
                prompt,
                sum(
                    estimate_completion_tokens(s, settings.llm.max_output_tokens)
                    for s, item in zip(sets, record["items"], strict=True)
                    if not item["cached"]
                ),
                batch=True,
            ),
        }
    finally:
        cache.close()


def batch_status(batch_id: str | None, *, settings: Settings, home: Path) -> list[dict[str, Any]]:
    """Status of one batch (asks the API), or of every recorded batch when no id is given."""
    from assistant.llm import batch as batch_api

    cache = LLMCache(home)
    try:
        records = [cache.get_batch(batch_id)] if batch_id else cache.list_batches()
        if batch_id and records[0] is None:
            raise UsageError(f"unknown batch '{batch_id}' (see 'okr batch status')")

        async def go() -> list[dict[str, Any]]:
            client = build_client(settings)
            try:
                out = []
                for record in records:
                    assert record is not None
                    if record["status"] in ("fetched", *batch_api.FINAL_STATES) and not batch_id:
                        out.append({"id": record["id"], "status": record["status"]})
                        continue
                    info = await batch_api.status(client, record["id"])
                    if record["status"] != "fetched":
                        cache.set_batch_status(record["id"], info["status"])
                    out.append(info)
                return out
            finally:
                await client.close()

        return asyncio.run(go()) if records else []
    finally:
        cache.close()


def fetch_batch(batch_id: str, *, settings: Settings, home: Path) -> Report:
    """Download a finished batch and build the same report as ``okr critique``; the
    answers go into the cache, so a later live run sends nothing for these sets."""
    from assistant.llm import batch as batch_api

    cache = LLMCache(home)
    try:
        record = cache.get_batch(batch_id)
        if record is None:
            raise UsageError(f"unknown batch '{batch_id}' (see 'okr batch status')")
        batch_settings = settings.model_copy(deep=True)
        batch_settings.llm.model = record["model"]
        engine = LLMEngine(batch_settings, client=None, cache=cache, style=record["style"])

        async def go():
            client = build_client(batch_settings)
            try:
                return await batch_api.fetch(client, engine, record, batch_id)
            finally:
                await client.close()

        results, usage, _info = asyncio.run(go())
        cache.set_batch_status(batch_id, "fetched")
        errors = [f"{item_label(s)}: {error}" for s, _c, error in results if error]
        price = batch_settings.llm.price_for(engine.model)
        return Report(
            engine="llm",
            sets=[critique for _s, critique, _e in results],
            errors=errors,
            usage={
                "model": engine.model,
                "batch": batch_id,
                "requests": usage.asks,
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens,
                "cached_tokens": 0,
                "cache_hits": sum(1 for item in record["items"] if item["cached"]),
                "cost_usd": cost_usd(
                    price, usage.prompt_tokens, usage.completion_tokens, batch=True
                ),
            },
        )
    finally:
        cache.close()
