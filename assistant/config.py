"""User settings as a pydantic model tree, stored as TOML. The API key is never stored."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import InputError, validation_message
from assistant.paths import config_path, write_output

EngineName = Literal["auto", "rules", "llm"]
Style = Literal["questions", "balanced", "rewrite"]


class Price(BaseModel):
    """USD per million tokens."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(input=0.15, output=0.60, cached_input=0.075),
    "gpt-4o": Price(input=2.50, output=10.00, cached_input=1.25),
    "gpt-4.1-mini": Price(input=0.40, output=1.60, cached_input=0.10),
    "gpt-4.1": Price(input=2.00, output=8.00, cached_input=0.50),
    "gpt-4.1-nano": Price(input=0.10, output=0.40, cached_input=0.025),
}

FREE = Price(input=0.0, output=0.0, cached_input=0.0)


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    concurrency: int = Field(default=8, ge=1, le=256)
    timeout: float = Field(default=60.0, gt=0)
    json_schema: bool = True
    max_output_tokens: int = Field(default=4000, ge=256)
    prices: dict[str, Price] = Field(default_factory=dict)
    # Stream answers (timeout on silence, stream closed on cancel); None: for local URLs.
    stream: bool | None = None
    # The critique prompt: "full", "compact" (small models), "auto" (compact for local URLs).
    prompt: Literal["full", "compact", "auto"] = "auto"

    def price_for(self, model: str) -> Price | None:
        """The configured price, else OpenAI's list price for a hosted model; a model on
        a local server (llama.cpp & co.) costs nothing unless a price is configured."""
        if model in self.prices:
            return self.prices[model]
        if is_local(self.base_url):
            return FREE
        return DEFAULT_PRICES.get(model)


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: EngineName = "auto"
    style: Style = "balanced"
    llm: LLMSettings = Field(default_factory=LLMSettings)


def api_key() -> str | None:
    """The key comes from the environment only."""
    return os.environ.get("OPENAI_API_KEY") or None


def masked_key() -> str:
    key = api_key()
    if not key:
        return "(not set)"
    return f"{key[:3]}…{key[-4:]}" if len(key) > 10 else "****"


def load_settings(home: Path | None = None, *, apply_env: bool = True) -> Settings:
    """Settings from the config file, then ``OPENAI_BASE_URL`` overrides the base URL
    (``apply_env=False`` when the settings are about to be saved back)."""
    path = config_path(home)
    data: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"invalid TOML: {exc}") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise InputError(str(path), validation_message(exc)) from None
    env_base = os.environ.get("OPENAI_BASE_URL")
    if env_base and apply_env:
        settings.llm.base_url = env_base
    return settings


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def dump_settings(settings: Settings) -> str:
    lines = [
        "# okr-coach settings. The API key is read from OPENAI_API_KEY only, never stored here.",
        f"engine = {_toml_value(settings.engine)}",
        f"style = {_toml_value(settings.style)}",
        "",
        "[llm]",
    ]
    llm = settings.llm.model_dump(exclude={"prices"}, exclude_none=True)
    lines += [f"{key} = {_toml_value(value)}" for key, value in llm.items()]
    for model, price in settings.llm.prices.items():
        lines += ["", f'[llm.prices."{model}"]']
        lines += [
            f"{key} = {_toml_value(v)}" for key, v in price.model_dump(exclude_none=True).items()
        ]
    return "\n".join(lines) + "\n"


def save_settings(settings: Settings, home: Path | None = None) -> Path:
    """Write atomically so a crash never leaves a half-written config."""
    return write_output(config_path(home), dump_settings(settings))


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"}


def is_local(base_url: str | None) -> bool:
    """A base URL on this machine or the local network (where streaming is used)."""
    if not base_url:
        return False
    import ipaddress
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    if host in _LOCAL_HOSTS or host.endswith((".local", ".localhost", ".lan", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local
