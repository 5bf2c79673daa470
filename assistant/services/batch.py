"""``okr batch``: critique a whole team through the OpenAI Batch API at half price.

Submit records the batch (with the sets themselves) in the answer cache the caller
gives (the data home's ``llm_cache.db``); fetch builds the same report as
``okr critique`` and stores the answers there, so a later live run sends nothing for
those sets. The run usage is built by the same function as a live run's
(``services.coach.run_usage``). ``openai`` is imported only here, inside the use cases
that talk to the API. Each use case is async; the CLI awaits it with ``asyncio.run``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from assistant.config import Settings
from assistant.errors import EngineError, OKRError, UsageError, one_line
from assistant.llm.cache import LLMCache
from assistant.llm.client import build_client
from assistant.llm.cost import cost_usd, estimate_completion_tokens, estimate_prompt_tokens
from assistant.llm.engine import LLMEngine, item_label
from assistant.model import OKRSet, Report
from assistant.services.coach import run_usage

T = TypeVar("T")


async def talk(what: str, go: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Await one exchange with the Batch API; whatever the server or the network does
    (an ``openai.APIError``, a refused connection, a 404, an answer of the wrong shape)
    becomes one ``EngineError`` line (exit 3), never a traceback."""
    import openai

    try:
        return await go()
    except OKRError:
        raise
    except openai.NotFoundError as exc:
        raise EngineError(
            f"{what}: the server has no such batch or file ({one_line(exc)})"
        ) from None
    except openai.APIConnectionError as exc:
        raise EngineError(f"{what}: cannot reach the server ({one_line(exc)})") from None
    except (openai.OpenAIError, OSError) as exc:
        raise EngineError(f"{what}: {one_line(exc)}") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise EngineError(f"{what}: unexpected answer from the server ({one_line(exc)})") from None


async def submit_batch(
    sets: list[OKRSet], *, settings: Settings, cache: LLMCache, style: str
) -> dict[str, Any]:
    """Submit the uncached sets as one Batch API job; the record is kept in ``cache``.

    Returns ``{"id": batch id or None when every set is cached, "requests": n, ...}``.
    """
    from assistant.llm import batch as batch_api

    engine = LLMEngine(settings, client=None, cache=cache, style=style)

    async def go() -> tuple[str | None, dict[str, Any]]:
        client = build_client(settings)
        try:
            return await batch_api.submit(client, engine, sets)
        finally:
            await client.close()

    try:
        batch_id, record = await talk("batch submit", go)
        if batch_id is not None:
            cache.save_batch(
                batch_id,
                model=engine.model,
                style=style,
                prompt=engine.prompt.id,
                status="submitted",
                record=record,
            )
        sent = [
            okr_set
            for okr_set, item in zip(sets, record["items"], strict=True)
            if not item["cached"]
        ]
        prompt = sum(estimate_prompt_tokens(engine.prepare(s).messages) for s in sent)
        completion = sum(
            estimate_completion_tokens(s, settings.llm.max_output_tokens) for s in sent
        )
        price = settings.llm.price_for(engine.model)
        return {
            "id": batch_id,
            "requests": record["requests"],
            "cached": len(sets) - record["requests"],
            "estimated_cost_usd": cost_usd(price, prompt, completion, batch=True),
        }
    finally:
        cache.close()


async def batch_status(
    batch_id: str | None, *, settings: Settings, cache: LLMCache
) -> list[dict[str, Any]]:
    """Status of one batch (asks the API), or of every recorded batch when no id is given."""
    from assistant.llm import batch as batch_api

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

        return await talk("batch status", go) if records else []
    finally:
        cache.close()


async def fetch_batch(batch_id: str, *, settings: Settings, cache: LLMCache) -> Report:
    """Download a finished batch and build the same report as ``okr critique``; the
    answers go into the cache, so a later live run sends nothing for these sets."""
    from assistant.llm import batch as batch_api

    try:
        record = cache.get_batch(batch_id)
        if record is None:
            raise UsageError(f"unknown batch '{batch_id}' (see 'okr batch status')")
        batch_settings = settings.model_copy(deep=True)
        batch_settings.llm.model = record["model"]
        engine = LLMEngine(batch_settings, client=None, cache=cache, style=record["style"])

        async def go() -> batch_api.Fetched:
            client = build_client(batch_settings)
            try:
                return await batch_api.fetch(client, engine, record, batch_id)
            finally:
                await client.close()

        fetched = await talk(f"batch fetch {batch_id}", go)
        cache.set_batch_status(batch_id, "fetched")
        return Report(
            engine="llm",
            sets=[critique for _s, critique, _e in fetched.results],
            errors=[f"{item_label(s)}: {error}" for s, _c, error in fetched.results if error],
            usage=run_usage(
                batch_settings,
                model=engine.model,
                tally=fetched.usage,
                requests=fetched.requests,
                cache_hits=sum(1 for item in record["items"] if item["cached"]),
                batch=batch_id,
            ),
        )
    finally:
        cache.close()
