"""Scale-out through the OpenAI Batch API: half price, results within 24 hours.

``submit`` uploads one JSONL line per uncached set (a ``/v1/chat/completions`` request
with the strict JSON schema; ``custom_id`` = ordinal + content hash) and records the
batch, with the sets themselves, in the data home. ``fetch`` downloads the results,
validates them like a live answer (no re-asks: invalid items are reported and a later
``okr critique --engine llm`` retries just those), stores them in the answer cache and
builds the same report as ``okr critique``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from assistant.errors import EngineError, UsageError, scrub_secrets
from assistant.llm.client import (
    ItemError,
    Usage,
    _InvalidOutput,
    add_usage,
    parse_reply,
    token_param,
)
from assistant.llm.engine import LLMEngine, Prepared
from assistant.llm.schemas import LenientCritique
from assistant.model import OKRSet, SetCritique
from assistant.rubric.critic import critique_sets

if TYPE_CHECKING:
    from openai import AsyncOpenAI

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
FINAL_STATES = ("completed", "failed", "expired", "cancelled")


def custom_id(ordinal: int, key: str) -> str:
    return f"set-{ordinal}-{key[:16]}"


def request_line(engine: LLMEngine, prepared: Prepared, cid: str) -> dict[str, Any]:
    """One Batch API request: the same body a live ask would send."""
    from openai.lib._parsing._completions import type_to_response_format_param

    return {
        "custom_id": cid,
        "method": "POST",
        "url": ENDPOINT,
        "body": {
            "model": engine.model,
            "messages": prepared.messages,
            "response_format": type_to_response_format_param(engine.set_schema(prepared)),
            token_param(engine.settings.llm.base_url): engine.max_tokens,
        },
    }


def dump_set(okr_set: OKRSet) -> dict[str, Any]:
    """The set with its source, index and line numbers, so fetch can rebuild the report."""
    lines = {"SET": okr_set.line}
    for oi, objective in enumerate(okr_set.objectives, start=1):
        lines[f"O{oi}"] = objective.line
        for ki, kr in enumerate(objective.key_results, start=1):
            lines[f"O{oi}.KR{ki}"] = kr.line
    return {
        "content": okr_set.content(),
        "source": okr_set.source,
        "index": okr_set.index,
        "lines": lines,
    }


def load_set(data: dict[str, Any]) -> OKRSet:
    okr_set = OKRSet.model_validate(data["content"])
    okr_set.source, okr_set.index = data.get("source"), int(data.get("index") or 1)
    lines = data.get("lines") or {}
    okr_set.line = lines.get("SET")
    for oi, objective in enumerate(okr_set.objectives, start=1):
        objective.line = lines.get(f"O{oi}")
        for ki, kr in enumerate(objective.key_results, start=1):
            kr.line = lines.get(f"O{oi}.KR{ki}")
    return okr_set


async def submit(
    client: AsyncOpenAI, engine: LLMEngine, sets: list[OKRSet]
) -> tuple[str | None, dict[str, Any]]:
    """Upload and create the batch; returns ``(batch_id or None if all cached, record)``."""
    items, lines = [], []
    for ordinal, okr_set in enumerate(sets, start=1):
        prepared = engine.prepare(okr_set)
        cached = engine.cached_answer(prepared) is not None
        cid = custom_id(ordinal, prepared.key)
        items.append({"custom_id": cid, "key": prepared.key, "cached": cached, **dump_set(okr_set)})
        if not cached:
            lines.append(json.dumps(request_line(engine, prepared, cid), ensure_ascii=False))
    record: dict[str, Any] = {"items": items, "requests": len(lines)}
    if not lines:
        return None, record
    data = ("\n".join(lines) + "\n").encode()
    upload = await client.files.create(
        file=("okr-coach-batch.jsonl", io.BytesIO(data)), purpose="batch"
    )
    batch = await client.batches.create(
        input_file_id=upload.id,
        endpoint=ENDPOINT,
        completion_window="24h",
        metadata={"tool": "okr-coach", "prompt": engine.prompt.id},
    )
    record["input_file_id"] = upload.id
    return batch.id, record


async def status(client: AsyncOpenAI, batch_id: str) -> dict[str, Any]:
    batch = await client.batches.retrieve(batch_id)
    counts = batch.request_counts
    return {
        "id": batch.id,
        "status": batch.status,
        "total": counts.total if counts else None,
        "completed": counts.completed if counts else None,
        "failed": counts.failed if counts else None,
        "output_file_id": batch.output_file_id,
        "error_file_id": batch.error_file_id,
    }


async def download(client: AsyncOpenAI, file_id: str | None) -> list[dict[str, Any]]:
    if not file_id:
        return []
    response = await client.files.content(file_id)
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


@dataclass
class Fetched:
    """A downloaded batch: ``(set, critique, error)`` per recorded set, in order, and the
    requests and tokens its answered lines cost (read like a live answer's)."""

    results: list[tuple[OKRSet, SetCritique, str | None]]
    usage: Usage
    requests: int
    info: dict[str, Any]


async def fetch(
    client: AsyncOpenAI, engine: LLMEngine, record: dict[str, Any], batch_id: str
) -> Fetched:
    """Results per recorded set; answers go into the cache."""
    info = await status(client, batch_id)
    if info["status"] not in FINAL_STATES:
        raise UsageError(
            f"batch {batch_id} is {info['status']} ({info['completed'] or 0}/"
            f"{info['total'] or '?'} done); try 'okr batch fetch {batch_id}' later"
        )
    if info["status"] != "completed" and not info["output_file_id"]:
        raise EngineError(f"batch {batch_id} ended as {info['status']} with no results")
    rows = await download(client, info["output_file_id"])
    rows += await download(client, info["error_file_id"])
    by_id = {row.get("custom_id"): row for row in rows}
    usage = Usage()
    requests = 0
    out: list[tuple[OKRSet, SetCritique, str | None]] = []
    sets = [load_set(item) for item in record["items"]]
    shown = critique_sets(sets).sets
    for item, okr_set, rules in zip(record["items"], sets, shown, strict=True):
        prepared = engine.prepare(okr_set, rules=rules)  # the rules once per set
        prepared.key = item["key"]
        answer = engine.cached_answer(prepared)
        error = None
        if answer is None:
            row = by_id.get(item["custom_id"])
            requests += row is not None
            answer, error = _answer_from_row(row, usage)
            if answer is not None:
                engine.store(prepared, answer, Usage())
        critique = engine.finish(prepared, answer, rules) if answer else None
        out.append((okr_set, critique or rules.model_copy(update={"error": error}), error))
    return Fetched(out, usage, requests, info)


def _answer_from_row(
    row: dict[str, Any] | None, usage: Usage
) -> tuple[LenientCritique | None, str | None]:
    if row is None:
        return None, "no result in the batch output"
    if row.get("error"):
        err = row["error"]
        return None, scrub_secrets(f"batch error: {err.get('message') or err.get('code') or err}")
    response = row.get("response") or {}
    if response.get("status_code") != 200:
        body = response.get("body") or {}
        message = (body.get("error") or {}).get("message") or "request failed"
        return None, scrub_secrets(f"HTTP {response.get('status_code')}: {message}")
    body = response.get("body") or {}
    add_usage(usage, body)  # the same token accounting as a live answer
    try:
        answer, _content = parse_reply(body, LenientCritique)
    except (ItemError, _InvalidOutput) as exc:
        return None, str(exc)
    return answer, None
