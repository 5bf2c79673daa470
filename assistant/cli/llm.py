"""``okr config …`` (settings, key masked) and ``okr batch …`` (OpenAI Batch API).

``openai`` is imported only inside the batch commands that talk to the API.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import click

from assistant.cli.options import checked_output
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted
from assistant.errors import UsageError

# Names that mean the API key itself; only these are refused with a word about
# OPENAI_API_KEY (``llm.max_output_tokens``, a price for a model called "*-token-*" or a
# made-up "nope.key" are ordinary unknown or known settings).
_SECRET_NAMES = {"api_key", "apikey", "openai_api_key", "api_token", "secret", "password"}


def _is_secret(key: str) -> bool:
    """``KEY`` names the API key: ``api_key``, ``llm.openai_api_key``, ``key``, ``llm.key``."""
    parts = key.lower().replace("-", "_").split(".")
    if parts[:2] == ["llm", "prices"]:
        return False
    return parts[-1] in _SECRET_NAMES or parts in (["key"], ["llm", "key"])


@click.group("config")
def config_group() -> None:
    """Show or change settings (model, endpoint, concurrency, style, prices).

    The API key is never stored: it is read from OPENAI_API_KEY only.
    OPENAI_BASE_URL, when set, overrides llm.base_url for the run, and OKR_…
    variables override any setting (OKR_ENGINE=rules, OKR_LLM__MODEL=NAME).
    Comments in the config file are kept when a value changes.

    \b
    Examples:
      okr config show
      okr config set llm.model gpt-4.1-mini
      okr config set llm.base_url http://localhost:11434/v1
      okr config set style questions
      okr config set llm.prices.my-model.input 0.2
    """


@config_group.command("show")
def config_show() -> None:
    """Print the effective settings and where they come from (key masked).

    \b
    Examples:
      okr config show
      OKR_LLM__MODEL=gpt-4.1-mini okr config show     # an override for one run
    """
    import os

    from assistant.config import dump_settings, env_overrides, load_settings, masked_key
    from assistant.paths import config_path

    path = config_path()
    settings = load_settings()
    state = "" if path.exists() else " (not created yet; defaults shown)"
    click.echo(f"# config file: {path}{state}")
    click.echo(dump_settings(settings), nl=False)
    overrides = env_overrides()
    if os.environ.get("OPENAI_BASE_URL") and not any("BASE_URL" in n.upper() for n in overrides):
        click.echo("# llm.base_url comes from OPENAI_BASE_URL for this run")
    if overrides:
        click.echo(f"# from the environment for this run: {', '.join(overrides)}")
    click.echo(f"# api key: {masked_key()} (from OPENAI_API_KEY; never stored)")


def _settable_keys() -> list[str]:
    """Every setting ``okr config set`` takes, tables (``llm``, ``sources``) spelled out."""
    from pydantic import BaseModel

    from assistant.config import Settings

    keys = []
    for name, field in Settings.model_fields.items():
        table = field.annotation
        if isinstance(table, type) and issubclass(table, BaseModel):
            keys += [f"{name}.{key}" for key in table.model_fields if key != "prices"]
        else:
            keys.append(name)
    return [*keys, "llm.prices.MODEL.input|output|cached_input"]


@config_group.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key: str, value: str) -> None:
    """Set KEY to VALUE in the config file (validated; an empty VALUE clears it).

    Prices are USD per million tokens: 'llm.prices.MODEL INPUT,OUTPUT[,CACHED]'
    or one field at a time, e.g. 'llm.prices.MODEL.output 0.8'.

    \b
    Examples:
      okr config set llm.model gpt-4.1-mini
      okr config set engine rules
      okr config set llm.prices.my-model 0.2,0.8
      okr config set llm.base_url ""                  # back to the default
    """
    from pydantic import ValidationError

    from assistant.config import Settings, load_settings, save_settings
    from assistant.errors import validation_message

    if _is_secret(key):
        raise UsageError(
            "the API key is read from the OPENAI_API_KEY environment variable only "
            "and is never stored"
        )
    unknown = UsageError(f"unknown setting '{key}' (known: {', '.join(_settable_keys())})")
    data: dict[str, Any] = load_settings(apply_env=False).model_dump(mode="json")
    parts = key.split(".")
    if parts[:2] == ["llm", "prices"] and len(parts) >= 3:
        _set_price(data["llm"]["prices"], parts[2:], value, unknown)
    else:
        node: Any = data
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                raise unknown
            node = node[part]
        if parts[-1] not in node or isinstance(node[parts[-1]], dict):
            raise unknown
        node[parts[-1]] = None if value == "" else value
    try:
        new = Settings.model_validate(data)
    except ValidationError as exc:
        raise UsageError(validation_message(exc)) from None
    path = save_settings(new)
    click.echo(f"{key} = {value!r} → {path}")


_PRICE_FIELDS = ("input", "output", "cached_input")


def _set_price(prices: dict[str, Any], parts: list[str], value: str, unknown: Exception) -> None:
    """``MODEL`` with ``IN,OUT[,CACHED]``, or ``MODEL.FIELD`` with one number."""
    from assistant.config import DEFAULT_PRICES

    if parts[-1] in _PRICE_FIELDS and len(parts) >= 2:
        model = ".".join(parts[:-1])
        if model not in prices:
            if model not in DEFAULT_PRICES:
                raise UsageError(
                    f"no price for '{model}' yet: set all of it first, "
                    f"e.g. {okr_command('config', 'set', f'llm.prices.{model}', '0.15,0.60')}"
                )
            prices[model] = DEFAULT_PRICES[model].model_dump(exclude_none=True)
        prices[model][parts[-1]] = None if value == "" else value
        return
    model = ".".join(parts)
    if not model:
        raise unknown
    if value == "":
        prices.pop(model, None)
        return
    numbers = [v.strip() for v in value.split(",")]
    if len(numbers) not in (2, 3):
        raise UsageError("a price is INPUT,OUTPUT[,CACHED_INPUT] in USD per million tokens")
    prices[model] = dict(zip(_PRICE_FIELDS, numbers, strict=False))


@config_group.command("path")
def config_path_command() -> None:
    """Print where the config file and the data home are.

    \b
    Examples:
      okr config path
      OKR_HOME=/tmp/okr-test okr config path          # another data home
    """
    from assistant.paths import config_path, data_home

    click.echo(f"config: {config_path()}")
    click.echo(f"data:   {data_home()}")


@click.group("batch")
def batch_group() -> None:
    """Critique a whole team's OKRs through the OpenAI Batch API at half price.

    Results arrive within 24 hours. Batch ids are kept in the data home, and
    fetched answers go into the answer cache, so 'okr critique --engine llm'
    afterwards sends nothing for those sets.

    \b
    Examples:
      okr batch submit team.yaml
      okr batch status
      okr batch fetch batch_abc123 --format json > report.json
    """


@batch_group.command("submit")
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option("--format-in", type=click.Choice(["yaml", "markdown", "md", "json", "csv"]))
@click.option("--model", help="Model name (overrides the config file).")
@click.option("--style", type=click.Choice(["questions", "balanced", "rewrite"]))
def batch_submit(
    files: tuple[str, ...], format_in: str | None, model: str | None, style: str | None
) -> None:
    """Upload the sets in FILE… as one batch job (cached sets are skipped).

    \b
    Examples:
      okr batch submit team.yaml
      okr batch submit q3/*.yaml --model gpt-4.1-mini
    """
    from assistant.config import load_settings
    from assistant.io import read_paths
    from assistant.llm.cache import LLMCache
    from assistant.llm.cost import format_cost
    from assistant.paths import data_home
    from assistant.services.batch import submit_batch

    sets = read_paths(list(files), format_in)
    settings = load_settings()
    if model:
        settings.llm.model = model
    cache = LLMCache(data_home())
    result = asyncio.run(
        submit_batch(sets, settings=settings, cache=cache, style=style or settings.style)
    )
    if result["id"] is None:
        click.echo(
            f"{counted(len(sets), 'set')}, all with a cached answer already; nothing submitted. "
            "Run 'okr critique --engine llm' to see them."
        )
        return
    click.echo(
        f"Submitted {result['id']}: {counted(result['requests'], 'set')} ({result['cached']} cached), "
        f"estimated cost {format_cost(result['estimated_cost_usd'])} at batch price."
    )
    click.echo(
        f"Check with: {okr_command('batch', 'status', result['id'])}, then: "
        f"{okr_command('batch', 'fetch', result['id'])}"
    )


@batch_group.command("status")
@click.argument("batch_id", required=False)
def batch_status_command(batch_id: str | None) -> None:
    """Status of BATCH_ID, or of every batch submitted from here.

    \b
    Examples:
      okr batch status
      okr batch status batch_abc123
    """
    from assistant.config import load_settings
    from assistant.llm.cache import LLMCache
    from assistant.paths import data_home
    from assistant.services.batch import batch_status

    cache = LLMCache(data_home())
    rows = asyncio.run(batch_status(batch_id, settings=load_settings(), cache=cache))
    if not rows:
        click.echo("No batches yet. Submit one with 'okr batch submit FILE'.")
        return
    for row in rows:
        done = ""
        if row.get("total") is not None:
            done = f"  {row.get('completed') or 0}/{row['total']} done"
            if row.get("failed"):
                done += f", {row['failed']} failed"
        click.echo(f"{row['id']}  {row['status']}{done}")


@batch_group.command("fetch")
@click.argument("batch_id")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text"
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    callback=checked_output,
    help="Write the report to a file.",
)
def batch_fetch(batch_id: str, fmt: str, output: str | None) -> None:
    """Download BATCH_ID's results and print the same report as 'okr critique'.

    \b
    Examples:
      okr batch fetch batch_abc123
      okr batch fetch batch_abc123 --format markdown -o report.md
    """
    from assistant.config import load_settings
    from assistant.llm.cache import LLMCache
    from assistant.paths import data_home
    from assistant.render import render
    from assistant.render.llm import usage_line
    from assistant.services.batch import fetch_batch

    cache = LLMCache(data_home())
    report = asyncio.run(fetch_batch(batch_id, settings=load_settings(), cache=cache))
    text = render(report, fmt, color=sys.stdout.isatty() and output is None)
    if output:
        from assistant.paths import write_output

        write_output(output, text)
    else:
        click.echo(text, nl=False)
    if report.usage is not None:
        click.echo(usage_line(report.usage) + " (batch price)", err=True)
    for error in report.errors:
        click.echo(f"okr: {error}", err=True)
    if report.errors:
        sys.exit(3)


def register(group: click.Group) -> None:
    group.add_command(config_group)
    group.add_command(batch_group)
