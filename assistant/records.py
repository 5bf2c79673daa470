"""Plain dataclass records with the few pydantic-model methods the code uses.

The domain model, the rubric and the settings are on the path of every ``okr critique``,
where importing pydantic cost ~75 ms of a 0.2 s run. As standard-library dataclasses
they cost nothing to define; pydantic is imported only when data comes from outside
(``model_validate`` on a stored draft, a backup, a config file) or when a pydantic model
holds a record as a field, and then it validates them the way it validated the models
(types, literals, ``extra`` forbidden) and raises the same ``ValidationError``.

A record lists the fields its dumps leave out in ``_EXCLUDE`` (line numbers, eval
labels: what ``Field(exclude=True)`` said) and may set ``__pydantic_config__``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

if TYPE_CHECKING:
    from pydantic import TypeAdapter, ValidationError
    from pydantic_core import core_schema

_SCALARS = (str, int, float, bool, type(None))


class Record:
    """Base of the dataclass records (``@dataclass(slots=True, kw_only=True)``)."""

    __slots__ = ()
    _EXCLUDE: ClassVar[frozenset[str]] = frozenset()
    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    def model_dump(
        self,
        *,
        mode: str = "python",
        exclude_none: bool = False,
        exclude: set[str] | frozenset[str] | None = None,
    ) -> dict[str, Any]:
        """The record as a dict, nested records and lists too (tuples become lists for
        ``mode="json"``, as pydantic did); ``exclude_none`` applies at every level."""
        json_mode = mode == "json"
        out: dict[str, Any] = {}
        for name in _dumped(type(self)):
            if exclude is not None and name in exclude:
                continue
            value = getattr(self, name)
            if value is None:
                if not exclude_none:
                    out[name] = None
                continue
            out[name] = value if type(value) in _SCALARS else _dump(value, json_mode, exclude_none)
        return out

    def model_dump_json(self, *, exclude: set[str] | None = None) -> str:
        """Compact JSON, the way pydantic wrote it (no spaces, characters kept)."""
        return json.dumps(
            self.model_dump(mode="json", exclude=exclude), separators=(",", ":"), ensure_ascii=False
        )

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy, ``update``'s fields replaced; shallow unless ``deep`` (the rules engine
        stamps thousands of findings: a plain field-by-field copy, 3x ``copy.copy``)."""
        if deep:
            copied = copy.deepcopy(self)
        else:
            cls = type(self)
            copied = object.__new__(cls)
            for name in _all_fields(cls):
                object.__setattr__(copied, name, getattr(self, name))  # frozen ones too
        for name, value in (update or {}).items():
            object.__setattr__(copied, name, value)
        return copied

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """A record from untrusted data: pydantic's validation (imported now, not at start-up)."""
        from pydantic import ValidationError

        if isinstance(data, cls):
            return data
        try:
            return _adapter(cls).validate_python(data)
        except ValidationError as exc:
            raise worded_as_models(exc) from None

    @classmethod
    def model_validate_json(cls, text: str | bytes) -> Self:
        from pydantic import ValidationError

        try:
            return _adapter(cls).validate_json(text)
        except ValidationError as exc:
            raise worded_as_models(exc) from None

    @classmethod
    def _before_schema(cls) -> None:
        """Called before pydantic reads the record's annotations: a record whose field
        types are imported lazily puts them where the annotations resolve."""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return _all_fields(cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> core_schema.CoreSchema:
        """Validated as the dataclass it is; dumped by :meth:`model_dump`, so a pydantic model
        holding a record leaves out what the record leaves out."""
        from pydantic_core import core_schema

        cls._before_schema()
        schema = dict(handler(source))
        schema["serialization"] = core_schema.plain_serializer_function_ser_schema(
            _serialize, info_arg=True
        )
        return cast("core_schema.CoreSchema", schema)


def _serialize(value: Record, info: Any) -> dict[str, Any]:
    return value.model_dump(mode=info.mode, exclude_none=info.exclude_none)


_DUMPED: dict[type, tuple[str, ...]] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _all_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _dumped(cls: type) -> tuple[str, ...]:
    names = _DUMPED.get(cls)
    if names is None:
        skip = cls._EXCLUDE  # type: ignore[attr-defined]
        names = _DUMPED[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name not in skip)
    return names


def _dump(value: Any, json_mode: bool, exclude_none: bool) -> Any:
    if isinstance(value, Record):
        return value.model_dump(mode="json" if json_mode else "python", exclude_none=exclude_none)
    if isinstance(value, list):
        return [v if type(v) in _SCALARS else _dump(v, json_mode, exclude_none) for v in value]
    if isinstance(value, tuple):
        items = [v if type(v) in _SCALARS else _dump(v, json_mode, exclude_none) for v in value]
        return items if json_mode else tuple(items)
    if isinstance(value, dict):
        return {
            k: v if type(v) in _SCALARS else _dump(v, json_mode, exclude_none)
            for k, v in value.items()  # None kept in a dict, as pydantic kept it
        }
    dump = getattr(value, "model_dump", None)  # a pydantic model inside a record
    if dump is not None:
        return dump(mode="json" if json_mode else "python", exclude_none=exclude_none)
    return value


# pydantic's error types for a dataclass -> the ones it gives for a model (same ctx).
_MODEL_ERROR_TYPES = {
    "unexpected_keyword_argument": "extra_forbidden",
    "dataclass_type": "model_type",
}


def worded_as_models(exc: ValidationError) -> ValidationError:
    """``exc`` with a dataclass's error types replaced by a model's, so messages read as
    they did when these were pydantic models ("Extra inputs are not permitted", not
    "Unexpected keyword argument"; ``errors.validation_message`` keys on the type)."""
    from pydantic import ValidationError
    from pydantic_core import InitErrorDetails

    errors: list[InitErrorDetails] = []
    for error in exc.errors():
        details = InitErrorDetails(
            type=_MODEL_ERROR_TYPES.get(error["type"], error["type"]),
            loc=error["loc"],
            input=error["input"],
        )
        if "ctx" in error:
            details["ctx"] = error["ctx"]
        errors.append(details)
    return ValidationError.from_exception_data(exc.title, errors)


_ADAPTERS: dict[type, TypeAdapter[Any]] = {}


def _adapter(cls: type) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(cls)
    if adapter is None:
        from pydantic import TypeAdapter

        cls._before_schema()  # type: ignore[attr-defined]  # a Record
        adapter = _ADAPTERS[cls] = TypeAdapter(cls)
    return adapter
