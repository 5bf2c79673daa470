"""``okr critique --dry-run``: the exact messages an LLM run would send, and the estimate.

Nothing is sent and no key is needed. Cached sets are listed but not counted: a live
run would not ask for them either. Rendered by ``assistant.render.llm_usage.render_dry_run``.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.config import Settings
from assistant.llm.cache import LLMCache
from assistant.llm.client import schema_instructions
from assistant.llm.cost import cost_usd, estimate_completion_tokens, estimate_prompt_tokens
from assistant.llm.engine import LLMEngine, item_label
from assistant.model import DryRunItem, DryRunPlan, OKRSet

DEFAULT_BASE_URL = "https://api.openai.com/v1"


def dry_run_plan(
    sets: Sequence[OKRSet],
    *,
    settings: Settings,
    cache: LLMCache | None,
    use_cache: bool,
    style: str,
    lessons: Sequence[Sequence[str]] = (),
) -> DryRunPlan:
    """What the LLM critique (``services.coach``) would send for ``sets``, message by
    message (with each set's draft ``lessons`` as grounding, as the live run sends
    them). ``cache`` says which sets would be answered from it (its connection is
    closed afterwards; None: every set would be sent)."""
    try:
        return _plan(
            sets, settings=settings, cache=cache, use_cache=use_cache, style=style, lessons=lessons
        )
    finally:
        if cache is not None:
            cache.close()


def _plan(
    sets: Sequence[OKRSet],
    *,
    settings: Settings,
    cache: LLMCache | None,
    use_cache: bool,
    style: str,
    lessons: Sequence[Sequence[str]],
) -> DryRunPlan:
    engine = LLMEngine(settings, client=None, cache=cache, style=style, read_cache=use_cache)
    items: list[DryRunItem] = []
    prompt_total = completion_total = hits = 0
    for i, okr_set in enumerate(sets):
        prepared = engine.prepare(okr_set, lessons[i] if i < len(lessons) else ())
        cached = engine.cached_answer(prepared) is not None
        messages = prepared.messages
        if not settings.llm.json_schema:
            messages = [
                {
                    **messages[0],
                    "content": messages[0]["content"]
                    + schema_instructions(engine.set_schema(prepared)),
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
            DryRunItem(
                item=item_label(okr_set),
                name=okr_set.name,
                cached=cached,
                estimated_prompt_tokens=prompt,
                estimated_completion_tokens=completion,
                messages=messages,
            )
        )
    price = settings.llm.price_for(settings.llm.model)
    return DryRunPlan(
        model=settings.llm.model,
        base_url=settings.llm.base_url or DEFAULT_BASE_URL,
        prompt=engine.prompt.id,
        style=style,
        response_format="json_schema CoachCritique (strict, each set's ids, codes and quotes as enums)"
        if settings.llm.json_schema
        else "json_object (schema in the system message)",
        requests=len(sets) - hits,
        cache_hits=hits,
        estimated_prompt_tokens=prompt_total,
        estimated_completion_tokens=completion_total,
        estimated_cost_usd=cost_usd(price, prompt_total, completion_total),
        estimated_batch_cost_usd=cost_usd(price, prompt_total, completion_total, batch=True),
        items=items,
    )
