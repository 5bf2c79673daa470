"""User settings as dataclass records, stored as TOML (tomlkit keeps the user's comments)
and overridden by ``OKR_…`` environment variables. The API key is never stored.

The settings are read on every run, ``okr critique`` included, so they are plain
dataclasses (:class:`~assistant.records.Record`): without a config file or an ``OKR_…``
variable no pydantic is imported. A config file is validated by pydantic as before (the
ranges below are given to it as ``Field`` constraints when it builds its validator), and
its errors are worded as they were when the settings were pydantic models."""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from assistant.errors import InputError, validation_message
from assistant.paths import config_path, write_output
from assistant.records import Record, worded_as_models

if TYPE_CHECKING:
    from pydantic import BaseModel, GetCoreSchemaHandler
    from pydantic_core import CoreSchema
    from tomlkit import TOMLDocument

ENV_PREFIX = "OKR_"  # OKR_ENGINE, OKR_LLM__MODEL: the environment over the config file

EngineName = Literal["auto", "rules", "llm"]
Style = Literal["questions", "balanced", "rewrite"]


class Bounds:
    """``Annotated[int, Bounds(ge=1, le=256)]``: pydantic's ``Field(ge=1, le=256)``,
    created only when pydantic builds the validator (importing pydantic here would cost
    every run), so the checks and their messages are pydantic's own."""

    __slots__ = ("ge", "gt", "le")

    def __init__(
        self, *, ge: float | None = None, gt: float | None = None, le: float | None = None
    ) -> None:
        self.ge, self.gt, self.le = ge, gt, le

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        from pydantic import Field

        return handler.generate_schema(Annotated[source, Field(ge=self.ge, gt=self.gt, le=self.le)])


@dataclass(slots=True, kw_only=True)
class Price(Record):
    """USD per million tokens."""

    input: Annotated[float, Bounds(ge=0)]
    output: Annotated[float, Bounds(ge=0)]
    cached_input: Annotated[float | None, Bounds(ge=0)] = None


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o-mini": Price(input=0.15, output=0.60, cached_input=0.075),
    "gpt-4o": Price(input=2.50, output=10.00, cached_input=1.25),
    "gpt-4.1-mini": Price(input=0.40, output=1.60, cached_input=0.10),
    "gpt-4.1": Price(input=2.00, output=8.00, cached_input=0.50),
    "gpt-4.1-nano": Price(input=0.10, output=0.40, cached_input=0.025),
}

FREE = Price(input=0.0, output=0.0, cached_input=0.0)

DEFAULT_TIMEOUT = 60.0  # seconds, llm.timeout


@dataclass(slots=True, kw_only=True)
class LLMSettings(Record):
    model: str = "gpt-4o-mini"
    base_url: str | None = None
    concurrency: Annotated[int, Bounds(ge=1, le=256)] = 8
    timeout: Annotated[float, Bounds(gt=0)] = DEFAULT_TIMEOUT
    json_schema: bool = True
    max_output_tokens: Annotated[int, Bounds(ge=256)] = 4000
    prices: dict[str, Price] = field(default_factory=dict)
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

    def timeout_is_set(self) -> bool:
        """True when ``timeout`` was chosen: it differs from the default. (As a pydantic
        model this asked ``model_fields_set``; a dataclass does not record which keys its
        input named, and ``okr config set`` writes every setting, the default timeout
        included, so a timeout equal to the default is taken as not chosen.)"""
        return self.timeout != DEFAULT_TIMEOUT


@dataclass(slots=True, kw_only=True)
class SourcesSettings(Record):
    """KR sources (SPEC §9, ``okr sync``): ``command:`` sources run only when allowed (an
    OKR file from someone else must not run programs here)."""

    allow_commands: bool = False
    timeout: Annotated[float, Bounds(gt=0, le=600)] = 10.0  # seconds, per source
    concurrency: Annotated[int, Bounds(ge=1, le=64)] = 8  # sources read at once


@dataclass(slots=True, kw_only=True)
class Settings(Record):
    engine: EngineName = "auto"
    style: Style = "balanced"
    llm: LLMSettings = field(default_factory=LLMSettings)
    sources: SourcesSettings = field(default_factory=SourcesSettings)


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
    so no override is ever written to the file. Without a config file and ``OKR_…``
    variables (most runs) this imports neither pydantic nor a TOML parser."""
    path = config_path(home)
    settings = Settings()
    if path.exists():
        import tomllib  # only with a config file: start-up without one skips it

        from pydantic import ValidationError

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(str(path), f"invalid TOML: {exc}") from None
        try:
            settings = validate_settings(data)
        except ValidationError as exc:
            raise InputError(str(path), validation_message(exc)) from None
    if not apply_env:
        return settings
    env_base = os.environ.get("OPENAI_BASE_URL")
    if env_base:
        settings.llm.base_url = env_base
    return _with_okr_env(settings) if env_overrides() else settings


def validate_settings(data: Any) -> Settings:
    """``data`` (the config file's tables) validated by pydantic into :class:`Settings`
    (``pydantic.ValidationError`` worded as for a model: ``Record.model_validate``)."""
    return Settings.model_validate(data)


def env_overrides() -> list[str]:
    """The names of the ``OKR_…`` variables that override settings for this run."""
    fields = {f"{ENV_PREFIX}{name}".upper() for name in Settings.field_names()}
    return sorted(
        name
        for name, value in os.environ.items()
        if value and name.isprintable() and name.upper().split("__")[0] in fields
    )


def _with_okr_env(settings: Settings) -> Settings:
    """``settings`` with the ``OKR_…`` variables layered over them (the environment wins)."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        layered = _layered_class()(**settings.model_dump())
    except ValidationError as exc:
        error = worded_as_models(exc).errors()[0]
        name = ENV_PREFIX + "__".join(str(part) for part in error["loc"]).upper()
        name = "".join(ch if ch.isprintable() else "?" for ch in name)  # to a terminal
        unknown = error["type"] == "extra_forbidden"
        raise InputError(name, "not a setting" if unknown else error["msg"]) from None
    except SettingsError as exc:  # OKR_LLM='{not json'
        raise InputError("environment", " ".join(str(exc).split())) from None
    return Settings.model_validate(layered.model_dump())


@functools.cache
def _layered_class() -> type[BaseModel]:
    """:class:`Settings` read by pydantic-settings: the file's values passed in, ``OKR_…``
    variables over them (``__`` between levels). Imported only when such a variable is
    set, so start-up does not pay for it.

    Its fields are those of :class:`Settings`, the tables (``llm``, ``sources``) made
    pydantic dataclasses: pydantic-settings finds the fields of a nested table only in a
    pydantic model or dataclass, and needs them to read ``OKR_LLM__PRICES='{…}'`` as JSON.
    """
    import typing

    from pydantic import create_model
    from pydantic.dataclasses import dataclass as pydantic_dataclass
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class EnvOverFile(BaseSettings):
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

    hints = typing.get_type_hints(Settings, include_extras=True)
    fields: dict[str, Any] = {}
    for name in Settings.field_names():
        hint = hints[name]
        if isinstance(hint, type) and issubclass(hint, Record):
            hint = pydantic_dataclass(hint)
        fields[name] = (hint, ...)  # required: every value is passed in
    return create_model("Layered", __base__=EnvOverFile, **fields)


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

    from pydantic import ValidationError

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
    from pydantic import ValidationError

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
