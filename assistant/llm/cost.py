"""Token and cost arithmetic: estimates before a run (``--dry-run``), totals after.

Estimates use about four characters per token (a common rule of thumb for English
with GPT tokenizers; good to ±25%, no tokenizer download needed). The expected answer
length is 150 tokens plus 90 per objective or key result, capped at the output limit.
Prices are USD per million tokens from the config (``[llm.prices."model"]``) or the
built-in table; the Batch API is billed at half price. Unknown model → cost unknown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from assistant.config import Price
from assistant.model import OKRSet

CHARS_PER_TOKEN = 4
TOKENS_PER_MESSAGE = 4  # role and separators
BATCH_DISCOUNT = 0.5


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate_prompt_tokens(messages: Iterable[dict[str, Any]]) -> int:
    return sum(estimate_tokens(str(m.get("content", ""))) + TOKENS_PER_MESSAGE for m in messages)


def estimate_completion_tokens(okr_set: OKRSet, cap: int) -> int:
    targets = len(okr_set.objectives) + sum(len(o.key_results) for o in okr_set.objectives)
    return min(cap, 150 + 90 * targets)


def cost_usd(
    price: Price | None,
    prompt_tokens: int,
    completion_tokens: int,
    cached_tokens: int = 0,
    *,
    batch: bool = False,
) -> float | None:
    """Cost in USD, or None when the model has no known price."""
    if price is None:
        return None
    cached = min(cached_tokens, prompt_tokens)
    cached_rate = price.cached_input if price.cached_input is not None else price.input
    total = (
        (prompt_tokens - cached) * price.input
        + cached * cached_rate
        + completion_tokens * price.output
    ) / 1_000_000
    return round(total * (BATCH_DISCOUNT if batch else 1.0), 6)


def format_cost(cost: float | None) -> str:
    if cost is None:
        return 'unknown (no price for this model; add [llm.prices."MODEL"] to config.toml)'
    return f"${cost:.4f}"
