"""User settings as a pydantic model tree, stored as TOML (tomlkit keeps the user's comments)
and overridden by ``OKR_…`` environment variables. The API key is never stored."""

from __future__ import annotations

import functools
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.errors import InputError, validation_message
from assistant.paths import config_path, write_output

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

ENV_PREFIX = "OKR_"  # OKR_ENGINE, OKR_LLM__MODEL: the environment over the config file

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


class SourcesSettings(BaseModel):
    """KR sources (SPEC §9, ``okr sync``): ``command:`` sources run only when allowed (an
    OKR file from someone else must not run programs here)."""

    model_config = ConfigDict(extra="forbid")
    allow_commands: bool = False
    timeout: float = Field(default=10.0, gt=0, le=600)  # seconds, per source
    concurrency: int = Field(default=8, ge=1, le=64)  # sources read at once


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: EngineName = "auto"
    style: Style = "balanced"
    llm: LLMSettings = Field(default_factory=LLMSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)


def api_key() -> str | None:
    """The key comes from the environment only."""
    return os.environ.get("OPENAI_API_KEY") or None


def masked_key() -> str:
    key = api_key()
    if not key:
        return "(not set)"
    return f"{key[:3]}…{key[-4:]}" if len(key) > 10 else "****"


def load_settings(home: Path | None = None, *, apply_env: bool = True) -> Settings:
    """Settings from the config file, then the environment for this run: ``OPENAI_BASE_URL``
    overrides the base URL and ``OKR_…`` variables override any setting (``OKR_ENGINE``,
    ``OKR_LLM__MODEL``). ``apply_env=False`` when the settings are about to be saved back,
    so no override is ever written to the file."""
    path = config_path(home)
    data: dict[str, Any] = {}
    if path.exists():
        import tomllib  # only with a config file: start-up without one skips it

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"invalid TOML: {exc}") from None
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise InputError(str(path), validation_message(exc)) from None
    if not apply_env:
        return settings
    env_base = os.environ.get("OPENAI_BASE_URL")
    if env_base:
        settings.llm.base_url = env_base
    return _with_okr_env(settings) if env_overrides() else settings


def env_overrides() -> list[str]:
    """The names of the ``OKR_…`` variables that override settings for this run."""
    fields = {f"{ENV_PREFIX}{name}".upper() for name in Settings.model_fields}
    return sorted(
        name
        for name, value in os.environ.items()
        if value and name.isprintable() and name.upper().split("__")[0] in fields
    )


def _with_okr_env(settings: Settings) -> Settings:
    """``settings`` with the ``OKR_…`` variables layered over them (the environment wins)."""
    from pydantic_settings import SettingsError

    try:
        layered = _layered_class()(**settings.model_dump())
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ENV_PREFIX + "__".join(str(part) for part in error["loc"]).upper()
        name = "".join(ch if ch.isprintable() else "?" for ch in name)  # to a terminal
        unknown = error["type"] == "extra_forbidden"
        raise InputError(name, "not a setting" if unknown else error["msg"]) from None
    except SettingsError as exc:  # OKR_LLM='{not json'
        raise InputError("environment", " ".join(str(exc).split())) from None
    return Settings.model_validate(dict(layered))


@functools.cache
def _layered_class() -> type[Settings]:
    """:class:`Settings` read by pydantic-settings: the file's values passed in, ``OKR_…``
    variables over them (``__`` between levels). Imported only when such a variable is
    set, so start-up does not pay for it."""
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class Layered(BaseSettings, Settings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_nested_delimiter="__", env_ignore_empty=True, extra="forbid"
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return env_settings, init_settings  # first wins: the environment over the file

    return Layered


HEADER = "okr-coach settings. The API key is read from OPENAI_API_KEY only, never stored here."


def dump_settings(settings: Settings) -> str:
    """``settings`` as the TOML text of a new config file."""
    return _document(settings).as_string()


def save_settings(settings: Settings, home: Path | None = None) -> Path:
    """Write ``settings`` into the config file, keeping the comments and layout of the one
    there (tomlkit). Written atomically, so a crash never leaves a half-written config; a
    text with a control character is refused and the file left as it was."""
    path = config_path(home)
    bad = _control_character_in(settings.model_dump(mode="json", exclude_none=True))
    if bad:
        shown = "".join(repr(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in bad)
        raise InputError(str(path), f"{shown}: a control character or line break cannot be saved")
    text = None
    if path.exists():
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        try:
            text = _document(settings, tomlkit.parse(path.read_text(encoding="utf-8"))).as_string()
        except (TOMLKitError, UnicodeDecodeError, AttributeError, KeyError, TypeError):
            text = None  # not TOML (load_settings says so), or a layout tomlkit trips on
    if text is None or not _reads_back(text, settings):
        text = dump_settings(settings)  # a new file: every setting, the header comment
    return write_output(path, text, private=True, parents=True)  # 0600, its folder made


def _reads_back(text: str, settings: Settings) -> bool:
    """True when ``text`` is TOML holding exactly ``settings`` (tomlkit edits in place;
    a few layouts, like dotted keys before a new table, would come out wrong)."""
    import tomllib

    try:
        return Settings.model_validate(tomllib.loads(text)) == settings
    except (tomllib.TOMLDecodeError, ValidationError):
        return False


def _control_character_in(data: dict[str, Any], prefix: str = "") -> str | None:
    """The dotted name of the first key or text in ``data`` holding a control character."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        texts = (key, value) if isinstance(value, str) else (key,)
        if any(unicodedata.category(ch) == "Cc" for text in texts for ch in text):
            return name
        found = _control_character_in(value, f"{name}.") if isinstance(value, dict) else None
        if found:
            return found
    return None


def _document(settings: Settings, existing: TOMLDocument | None = None) -> TOMLDocument:
    """``existing`` (or a new document, every setting written) changed to hold
    ``settings``; a setting the file leaves out is added only when its value changes."""
    import tomlkit

    before = None
    if existing is not None:
        try:
            before = Settings.model_validate(existing.unwrap()).model_dump(
                mode="json", exclude_none=True
            )
        except ValidationError:
            before = None  # load_settings refuses such a file; every setting rewritten
    doc = existing
    if doc is None:
        doc = tomlkit.document()
        doc.add(tomlkit.comment(HEADER))
    _merge(doc, settings.model_dump(mode="json", exclude_none=True), before)
    return doc


def _merge(
    table: Any, data: dict[str, Any], before: dict[str, Any] | None, *, quoted: bool = False
) -> None:
    """Make ``table`` hold ``data``: changed values replaced in place (their comments
    kept), keys no longer set removed, keys added where ``data`` differs from ``before``
    (the values the file meant, defaults included; None: add every key). ``quoted``: the
    keys are model names, written ``"gpt-4.1"`` so a dot stays part of the name."""
    import tomlkit
    from tomlkit.items import InlineTable, KeyType, SingleKey

    for key in [key for key in table if key not in data]:
        del table[key]
    for key, value in data.items():
        was = None if before is None else before.get(key)
        if key not in table and before is not None and was == value:
            continue  # left out of the file and unchanged: stays out
        if not isinstance(value, dict):
            if key not in table or table[key] != value:
                table[key] = value
            continue
        if key not in table:
            if isinstance(table, InlineTable):
                new: Any = tomlkit.inline_table()
            else:  # prices holds only tables: no "[llm.prices]" header of its own
                new = tomlkit.table(is_super_table=key == "prices")
            table[SingleKey(key, t=KeyType.Basic) if quoted else key] = new
        _merge(table[key], value, was if isinstance(was, dict) else None, quoted=key == "prices")


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
