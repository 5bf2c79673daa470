"""What a KR's ``source:`` says (SPEC §9), as typed values: where its number lives.

A source is stored in a version's content as the user wrote it: ``${VAR}`` stays
unexpanded (``assistant.sources.expand`` reads it from the environment at run time).
Pure data (pydantic and the standard library only), so the model (``KeyResult.source``)
can hold it; reading a source is the adapters' job (``csv_source``, ``sql_source``…).
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_serializer,
)

Kind = Literal["csv", "sql", "command", "json"]
KINDS: tuple[Kind, ...] = ("csv", "sql", "command", "json")
Pick = Literal["last", "sum", "mean", "min", "max", "count"]
PICKS: tuple[str, ...] = ("last", "sum", "mean", "min", "max", "count")
MAX_TIMEOUT = 600.0


class SourceSpecError(ValueError):
    """A ``source:`` mapping that cannot be read: the message is one line, without a location
    (the reader adds ``path:line``)."""


class Placeholders(string.Template):
    """``${VAR}`` only: a bare ``$HOME`` or ``$1`` stays as written (SQL, shell words);
    ``$${VAR}`` writes ``${VAR}`` itself."""

    pattern = r"""
    \$(?:
      (?P<escaped>\$(?=\{)) |
      (?P<named>(?!)) |
      \{(?P<braced>[_a-z][_a-z0-9]*)\} |
      (?P<invalid>\{)
    )
    """  # type: ignore[assignment]


def _template_ok(value: str, what: str) -> str:
    """``${VAR}`` placeholders must be well formed (``$${`` writes a literal ``${``)."""
    if not Placeholders(value).is_valid():
        raise ValueError(f"{what} has a malformed ${{VAR}} placeholder")
    return value


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: ClassVar[Kind]
    unit: str | None = Field(default=None, min_length=1)
    timeout: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT)

    @model_serializer(mode="wrap")
    def _as_written(self, handler: Any) -> dict[str, Any]:
        # The kind's key first (``{csv: …, column: …}``), as people write it.
        data = handler(self)
        return {self.kind: data.pop("location"), **data} if "location" in data else data


class CsvSource(_Spec):
    """The ``column`` of a CSV file, optionally only rows ``where`` columns equal values,
    reduced by ``pick`` (``last`` when not given)."""

    kind: ClassVar[Kind] = "csv"
    location: str = Field(alias="csv", min_length=1)
    column: str = Field(min_length=1)
    where: dict[str, str] | None = None
    pick: Pick | None = None

    @field_validator("where", mode="before")
    @classmethod
    def _scalars_as_text(cls, value: object) -> object:
        # ``where: {year: 2026}`` compares with the CSV's text "2026".
        if isinstance(value, Mapping):
            out: dict[str, object] = {}
            for key, item in value.items():
                if isinstance(item, bool) or not isinstance(item, str | int | float):
                    raise ValueError(f"where.{key} must be a single value (text or a number)")
                out[str(key)] = item if isinstance(item, str) else _plain_number(item)
            return out
        return value

    @field_validator("location")
    @classmethod
    def _path_template(cls, value: str) -> str:
        return _template_ok(value, "the csv path")


class SqlSource(_Spec):
    """One query returning one number, through any SQLAlchemy URL."""

    kind: ClassVar[Kind] = "sql"
    location: str = Field(alias="sql", min_length=1)
    query: str = Field(min_length=1)

    @field_validator("location")
    @classmethod
    def _url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(
                "sql must be a SQLAlchemy URL such as sqlite:///metrics.db or "
                "postgresql://user@host/db"
            )
        return _template_ok(value, "the sql URL")


class CommandSource(_Spec):
    """A program whose output is the number; run without a shell, only when
    ``sources.allow_commands = true``."""

    kind: ClassVar[Kind] = "command"
    location: str | list[str] = Field(alias="command")

    @field_validator("location")
    @classmethod
    def _argv(cls, value: str | list[str]) -> str | list[str]:
        items = [value] if isinstance(value, str) else value
        if not items or not all(item.strip() for item in items):
            raise ValueError("command is empty")
        for item in items:
            _template_ok(item, "the command")
        return value


_POINTER = re.compile(r"^(?:/(?:[^~/]|~[01])*)*$")


class JsonSource(_Spec):
    """An HTTP GET whose JSON answer holds the number at ``pointer`` (RFC 6901)."""

    kind: ClassVar[Kind] = "json"
    location: str = Field(alias="json", min_length=1)
    pointer: str = ""
    headers: dict[str, str] | None = None

    @field_validator("location")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^(https?://|\$\{?\w)", value, re.I):
            raise ValueError("json must be an http:// or https:// URL")
        return _template_ok(value, "the json URL")

    @field_validator("pointer")
    @classmethod
    def _pointer(cls, value: str) -> str:
        if not _POINTER.match(value):
            raise ValueError(
                f"pointer '{value}' is not a JSON pointer (RFC 6901: '/data/nps', "
                "'/items/0/value'; '~0' is '~' and '~1' is '/')"
            )
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name, item in (value or {}).items():
            if not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name):
                raise ValueError(f"header name '{name}' is not valid")
            if "\n" in item or "\r" in item:
                raise ValueError(f"header {name} spans lines")
            _template_ok(item, f"header {name}")
        return value


def _kind_of(value: object) -> str | None:
    if isinstance(value, _Spec):
        return value.kind
    if isinstance(value, Mapping):
        found = [kind for kind in KINDS if kind in value]
        return found[0] if len(found) == 1 else None
    return None


SourceSpec = Annotated[
    Annotated[CsvSource, Tag("csv")]
    | Annotated[SqlSource, Tag("sql")]
    | Annotated[CommandSource, Tag("command")]
    | Annotated[JsonSource, Tag("json")],
    Discriminator(_kind_of),
]
"""Any source; which one is told by its key (``csv:``, ``sql:``, ``command:``, ``json:``)."""


@functools.cache
def _adapter() -> TypeAdapter[SourceSpec]:
    return TypeAdapter(SourceSpec)


_MODELS: dict[str, type[_Spec]] = {
    "csv": CsvSource,
    "sql": SqlSource,
    "command": CommandSource,
    "json": JsonSource,
}


def fields_of(kind: str) -> tuple[str, ...]:
    """The fields a source of ``kind`` takes, as written (``csv``, ``column``, …)."""
    names = [info.alias or name for name, info in _MODELS[kind].model_fields.items()]
    common = [name for name in names if name in _Spec.model_fields]
    return tuple([name for name in names if name not in common] + common)


def parse_source(raw: object) -> SourceSpec:
    """A ``source:`` mapping → its typed value; ``SourceSpecError`` (one line) otherwise."""
    if not isinstance(raw, Mapping):
        raise SourceSpecError(
            "source must be a mapping such as {csv: metrics.csv, column: activation}"
        )
    data = {str(key).lower(): _plain(value) for key, value in raw.items()}
    kinds = [kind for kind in KINDS if kind in data]
    if not kinds:
        raise SourceSpecError(f"source needs one of: {', '.join(KINDS)}")
    if len(kinds) > 1:
        raise SourceSpecError(f"source names {' and '.join(kinds)}: give one kind per KR")
    allowed = fields_of(kinds[0])
    for key in data:
        if key not in allowed:
            raise SourceSpecError(
                f"source: unknown field '{key}' for a {kinds[0]} source "
                f"(expected: {', '.join(allowed)})"
            )
    try:
        return _adapter().validate_python(data)
    except ValidationError as exc:
        raise SourceSpecError(_one_line(exc)) from None


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = [str(p) for p in error["loc"] if p not in KINDS or p == error["loc"][-1]]
    where = ".".join(loc[1:] if len(loc) > 1 and loc[0] in KINDS else loc)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "is required"
    elif error["type"] == "literal_error" and where.endswith("pick"):
        message = f"must be one of {', '.join(PICKS)}"
    message = (
        message.replace("Input should be", "must be")
        .replace("a valid string", "text")
        .replace("a valid dictionary", "a mapping")
        .replace("a valid number", "a number")
    )
    if message.startswith(("the ", "sql ", "json ", "command ", "pointer ", "header", "where.")):
        return f"source: {message}"
    return f"source {where}: {message}" if where else f"source: {message}"


def _plain(value: object) -> object:
    """Located parser data (``LStr``, ``LDict``) → plain ``str``/``dict``/``list``."""
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _plain_number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
