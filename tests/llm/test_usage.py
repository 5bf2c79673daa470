"""Run usage is one typed value, counted the same way for live and Batch API runs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from assistant.config import Price
from assistant.llm.cache import LLMCache
from assistant.model import RunUsage
from assistant.render import to_json_data
from assistant.render.llm_usage import usage_line
from assistant.services.batch import fetch_batch, submit_batch

from .conftest import run_llm_critique, settings_for, team
from .fake_server import FakeOpenAI


def test_live_and_batch_runs_count_tokens_the_same_way(tmp_path: Path) -> None:
    names = ["A", "B", "C"]
    with FakeOpenAI(usage=(1000, 200), cached_tokens=600) as server:
        settings = settings_for(server)
        settings.llm.prices["gpt-4o-mini"] = Price(input=1.0, output=2.0, cached_input=0.5)
        live = run_llm_critique(
            team(names),
            settings=settings,
            home=tmp_path / "live",
            concurrency=2,
            use_cache=True,
            dry_run=False,
            style="balanced",
        )
        cache = LLMCache(tmp_path / "batch")
        submitted = asyncio.run(
            submit_batch(team(names), settings=settings, cache=cache, style="balanced")
        )
        batch = asyncio.run(fetch_batch(submitted["id"], settings=settings, cache=cache))
    assert isinstance(live.usage, RunUsage) and isinstance(batch.usage, RunUsage)
    tokens = ("asks", "prompt_tokens", "completion_tokens", "cached_tokens")
    assert {k: getattr(live.usage, k) for k in tokens} == {
        "asks": 3,
        "prompt_tokens": 3000,
        "completion_tokens": 600,
        "cached_tokens": 1800,
    }
    assert {k: getattr(batch.usage, k) for k in tokens} == {
        k: getattr(live.usage, k) for k in tokens
    }
    assert live.usage.requests == 3 and batch.usage.requests == 3
    # (1200 uncached × 1.0 + 1800 cached × 0.5 + 600 × 2.0) / 1e6; half that at batch price
    assert live.usage.cost_usd == 0.0033
    assert batch.usage.cost_usd == 0.00165
    assert live.usage.batch is None and batch.usage.batch == submitted["id"]
    assert "3 requests, 3000 prompt + 600 completion tokens, 0 cached" in usage_line(live.usage)


def test_the_json_usage_key_keeps_its_shape(fake: FakeOpenAI, okr_home: Path) -> None:
    report = run_llm_critique(
        team(["A"]),
        settings=settings_for(fake),
        home=okr_home,
        concurrency=1,
        use_cache=True,
        dry_run=False,
        style="balanced",
    )
    usage = json.loads(json.dumps(to_json_data(report)))["usage"]
    assert list(usage) == [
        "model",
        "requests",
        "asks",
        "prompt_tokens",
        "completion_tokens",
        "cached_tokens",
        "cache_hits",
        "cost_usd",
        "mode",
        "interrupted",
    ]
    assert usage["requests"] == 1 and usage["mode"] == "json_schema"
    assert usage["interrupted"] is False


def test_a_local_server_costs_nothing_unless_a_price_is_configured() -> None:
    from assistant.config import Price, Settings

    settings = Settings()
    assert settings.llm.price_for("gpt-4o-mini").input > 0  # hosted: the list price
    settings.llm.base_url = "http://127.0.0.1:8080/v1"
    assert settings.llm.price_for("gpt-4o-mini") == Price(input=0, output=0, cached_input=0)
    settings.llm.prices["gpt-4o-mini"] = Price(input=0.01, output=0.02)
    assert settings.llm.price_for("gpt-4o-mini").input == 0.01  # the user's own price wins
