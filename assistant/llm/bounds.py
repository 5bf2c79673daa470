"""Bounded field types that every structured-output schema the model fills is built from.

A grammar-constrained server (llama.cpp's ``llama-server`` turns the JSON schema into a
grammar) can write only what the schema allows, so each schema states what its
validator enforces: ``maxLength`` on free text, ``maxItems`` on lists, and the minimums
(``minItems``, ``minLength``) the services check. Then such a model can neither give an
answer the validator rejects nor write one string or list until the token cap.

Validation is lenient where being strict would only cost a re-ask: text past its limit
is clipped (prose at a word, with an ellipsis; a quote at the limit, so it stays a
substring of what it quotes) and a list past its cap keeps its first items. Minimums
are stated in the schema only: the service that needs them checks them and says what
is missing in its own words (``okr draft``: "objective 1 has 1 key result(s)").

Hosted strict mode (OpenAI's) rejects ``minLength``/``maxLength``; :func:`for_endpoint`
sends those schemas without them (counts and enums stay: strict mode supports them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, cast

from pydantic import BaseModel, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import core_schema

ELLIPSIS = "…"
LENGTH_KEYWORDS = ("minLength", "maxLength")


@dataclass(frozen=True)
class _Bound:
    """``Annotated`` metadata: the bound in the JSON schema, the clip in validation."""

    limit: int
    minimum: int = 0
    keywords: ClassVar[tuple[str, str]] = ("minLength", "maxLength")

    def clip(self, value: Any) -> Any:
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(self.clip, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        json_schema = dict(handler(schema))
        low, high = self.keywords
        if self.minimum:
            json_schema[low] = self.minimum
        json_schema[high] = self.limit
        return json_schema


class Prose(_Bound):
    """A sentence or two the model writes (a message, a question, a reply): clipped at
    a word, with an ellipsis."""

    def clip(self, value: Any) -> Any:
        if not isinstance(value, str) or len(value) <= self.limit:
            return value
        head = value[: self.limit - len(ELLIPSIS)]
        cut = head.rsplit(None, 1)[0] if " " in head.strip() else head
        return cut.rstrip(" ,;:") + ELLIPSIS


class OkrText(_Bound):
    """Text that becomes an objective, a key result or a set name: clipped at a word,
    never given an ellipsis (it is the user's text to be)."""

    def clip(self, value: Any) -> Any:
        if not isinstance(value, str) or len(value) <= self.limit:
            return value
        head = value[: self.limit + 1]
        cut = head.rsplit(None, 1)[0] if " " in head.strip() else head
        return cut[: self.limit].rstrip(" ,;:")


class Quote(_Bound):
    """A verbatim quote of the user's text: clipped at the limit, so it stays a substring."""

    def clip(self, value: Any) -> Any:
        return value[: self.limit] if isinstance(value, str) else value


class Label(_Bound):
    """An id the model copies (a target, a persona, a point): bounded in the schema, not
    clipped (the guards map what an unconstrained model writes, ``O1 KR2`` or the
    target's own text, to an id, and drop what names nothing)."""


class Items(_Bound):
    """A list of at most ``limit`` items (the first ones are kept) and, in the schema, at
    least ``minimum`` (the service checks the minimum, in its own words)."""

    keywords: ClassVar[tuple[str, str]] = ("minItems", "maxItems")

    def clip(self, value: Any) -> Any:
        return value[: self.limit] if isinstance(value, list) else value


# --- what goes on the wire --------------------------------------------------------------


def strip_lengths(node: Any) -> Any:
    """``node`` (a JSON schema) without ``minLength``/``maxLength`` anywhere."""
    if isinstance(node, dict):
        return {k: strip_lengths(v) for k, v in node.items() if k not in LENGTH_KEYWORDS}
    if isinstance(node, list):
        return [strip_lengths(v) for v in node]
    return node


@lru_cache(maxsize=512)
def without_lengths(schema: type[BaseModel]) -> type[BaseModel]:
    """``schema`` as a class whose JSON schema has no string lengths (what hosted strict
    mode accepts); it validates exactly as ``schema`` does, under the same name."""
    if getattr(schema, "__okr_no_lengths__", False):
        return schema

    def model_json_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        return strip_lengths(schema.model_json_schema(*args, **kwargs))

    namespace = {
        "__module__": schema.__module__,
        "__doc__": schema.__doc__,
        "__okr_no_lengths__": True,
        "model_json_schema": classmethod(model_json_schema),
    }
    metaclass: Any = type(schema)  # pydantic's: the subclass is a model too
    return cast("type[BaseModel]", metaclass(schema.__name__, (schema,), namespace))


def for_endpoint(schema: type[BaseModel], base_url: str | None) -> type[BaseModel]:
    """The schema to send to ``base_url``: complete for a server on this machine or the
    local network (llama.cpp, vLLM, Ollama turn every keyword into a grammar), without
    string lengths for a hosted API (OpenAI's strict mode rejects ``maxLength``: the
    validator clips instead)."""
    from assistant.config import is_local

    return schema if is_local(base_url) else without_lengths(schema)


# --- how long an answer can be ------------------------------------------------------------

CHARS_PER_TOKEN = 3  # English prose is ~4 characters a token, JSON punctuation fewer


def _json_length(value: Any) -> int:
    if isinstance(value, str):  # quoted, quotes and backslashes escaped
        return 2 + len(value) + value.count('"') + value.count("\\")
    return len(json.dumps(value))


def longest_answer(schema: dict[str, Any]) -> int | None:
    """The most characters of compact JSON an answer valid under ``schema`` can have;
    None when something in it is unbounded (a string without ``maxLength``, a list
    without ``maxItems``). Escapes in free text are not counted: prose has few."""
    defs: dict[str, int | None] = {}

    def size(node: dict[str, Any]) -> int | None:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in defs:
                defs[name] = size(schema["$defs"][name])
            return defs[name]
        if "anyOf" in node:
            sizes = [size(option) for option in node["anyOf"]]
            return None if None in sizes else max(s for s in sizes if s is not None)
        if "enum" in node:
            return max(_json_length(value) for value in node["enum"])
        kind = node.get("type")
        if kind == "object":
            fields = node.get("properties", {})
            sizes = [size(value) for value in fields.values()]
            if None in sizes:
                return None
            keys = sum(_json_length(key) + 1 for key in fields)  # "key":
            return 2 + keys + sum(s for s in sizes if s is not None) + max(0, len(fields) - 1)
        if kind == "array":
            item = size(node["items"])
            if item is None or "maxItems" not in node:
                return None
            count = int(node["maxItems"])
            return 2 + count * item + max(0, count - 1)
        if kind == "string":
            return None if "maxLength" not in node else 2 + int(node["maxLength"])
        return {"null": 4, "boolean": 5}.get(str(kind))

    return size(schema)


def answer_tokens(schema: dict[str, Any]) -> int | None:
    """Output tokens that hold the longest answer ``schema`` allows (None: unbounded)."""
    chars = longest_answer(schema)
    return None if chars is None else -(-chars // CHARS_PER_TOKEN)
