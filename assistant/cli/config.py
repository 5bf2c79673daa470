"""``okr config …``: the settings file (the API key is never stored, and shown masked)."""

from __future__ import annotations

from typing import Any

import click

from assistant.domain.commands import okr_command
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
    from assistant.config import Settings
    from assistant.records import Record

    defaults = Settings()
    keys = []
    for name in Settings.field_names():
        table = getattr(defaults, name)
        if isinstance(table, Record):
            keys += [f"{name}.{key}" for key in table.field_names() if key != "prices"]
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

    from assistant.config import load_settings, save_settings, validate_settings
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
        new = validate_settings(data)
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


def register(group: click.Group) -> None:
    group.add_command(config_group)
