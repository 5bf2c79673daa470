"""What an LLM run prints besides the critique: the usage line and the dry-run plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assistant.domain.plural import counted
from assistant.llm.cost import format_cost

if TYPE_CHECKING:
    from assistant.model import DryRunPlan, GuardStats, RunUsage


def usage_line(usage: RunUsage) -> str:
    """One line for stderr after a run: requests, tokens, cache hits and cost (then one
    ``note:`` line per thing said once, such as a response-mode fallback)."""
    line = (
        f"{usage.model}: {counted(usage.requests, 'request')}, "
        f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, "
        f"{usage.cache_hits} cached, cost {format_cost(usage.cost_usd)}"
    )
    return "\n".join([line, *(f"note: {note}" for note in usage.notes)])


def _counts(by: dict[str, int]) -> str:
    return ", ".join(f"{n} {why}" for why, n in sorted(by.items(), key=lambda kv: (-kv[1], kv[0])))


def guards_line(guards: GuardStats) -> str:
    """What the guards kept and threw away, in one line:
    ``llm: 2 findings kept, 7 dropped: 5 unknown target, 2 evidence not in your text``."""
    noun = "finding" if guards.kept == 1 else "findings"
    line = f"llm: {guards.kept} {noun} kept, {guards.dropped} dropped"
    if guards.dropped_by:
        line += f": {_counts(guards.dropped_by)}"
    if guards.rewrites_withheld:
        line += f"; {counted(guards.rewrites_withheld, 'rewrite')} withheld: {_counts(guards.withheld_by)}"
    return line


def guards_json(guards: GuardStats, requests: int) -> dict[str, object]:
    """SPEC §5 ``summary.llm``."""
    return {
        "requests": requests,
        "kept": guards.kept,
        "dropped": guards.dropped,
        "dropped_by": dict(sorted(guards.dropped_by.items())),
        "rewrites_withheld": guards.rewrites_withheld,
    }


def message_lines(item: Any, seen_system: dict[str, str]) -> list[str]:
    """One planned request's messages as ``--- role ---`` blocks; a system message already
    shown (``seen_system``: text → the item that showed it) is referred to, not repeated."""
    out: list[str] = []
    for message in item.messages:
        content = str(message["content"])
        if message["role"] == "system" and content in seen_system:
            out.append(f"--- system: identical to {seen_system[content]} ---")
            continue
        if message["role"] == "system":
            seen_system[content] = item.item
        out += [f"--- {message['role']} ---", content]
    return [*out, ""]


def render_dry_run(plan: DryRunPlan) -> str:
    """What would be sent, message by message, then the estimate. Identical system
    messages are printed once and referred to afterwards."""
    out = [
        f"Dry run: nothing is sent. Endpoint {plan.base_url}, model {plan.model}, "
        f"prompt {plan.prompt}, style {plan.style}, response_format {plan.response_format}.",
        "",
    ]
    seen_system: dict[str, str] = {}
    for item in plan.items:
        header = f"=== {item.item}" + (f" ({item.name})" if item.name else "")
        if item.cached:
            out += [f"{header}: cached answer, not sent ===", ""]
            continue
        out.append(f"{header}: ~{item.estimated_prompt_tokens} prompt tokens ===")
        out += message_lines(item, seen_system)
    out.append(
        f"Would send {counted(plan.requests, 'request')} ({plan.cache_hits} cached): "
        f"~{plan.estimated_prompt_tokens} prompt + ~{plan.estimated_completion_tokens} "
        f"completion tokens (estimated at 4 characters per token), "
        f"cost ~{format_cost(plan.estimated_cost_usd)} "
        f"(~{format_cost(plan.estimated_batch_cost_usd)} with okr batch)."
    )
    return "\n".join(out) + "\n"
