"""Pydantic models for what the model must return when it critiques one OKR set.

They are sent as strict JSON schemas (``chat.completions.parse``), so every field is
required and optional ones are ``X | None`` with no default: strict mode forbids defaults.
Every bound the answer is held to is in the schema (``llm.bounds``): the number of
findings, the length of each text, and — in the schema sent for one set
(:func:`set_schema`) — the target ids, the codes and, per target, the spans of its text
the evidence may quote.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.bounds import Items, Label, OkrText, Prose, Quote
from assistant.llm.quotes import QUOTE_CHARS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


MAX_FINDINGS = 8  # prompts/critique.md: "At most 8 findings"
COMPACT_MAX_FINDINGS = 5  # prompts/critique_compact.md: "at most 5 findings"
MESSAGE_CHARS = 200  # message, question, suggestion: a sentence each
REWRITE_CHARS = 240  # a whole objective or key result (a 35-word KR fits)
TARGET_CHARS = 16  # SET, O1, O1.KR2 (and "O1 KR2" as small models write it)
CODE_CHARS = 40

Sentence = Annotated[str, Prose(MESSAGE_CHARS)]


class CoachFinding(_Strict):
    """One coaching point about one target, as the model writes it."""

    target: Annotated[str, Label(TARGET_CHARS)] = Field(
        description="Id exactly as given: SET, O1, O1.KR2"
    )
    code: Annotated[str, Quote(CODE_CHARS)] = Field(
        description="A code from the table, or LLM-SOMETHING"
    )
    dimension: Literal["clarity", "measurability", "ambition", "structure"]
    severity: Literal["error", "warning", "info"]
    evidence: Annotated[str, Quote(QUOTE_CHARS)] = Field(
        description="Exact verbatim quote from the target's own text"
    )
    message: Sentence
    question: Sentence
    suggestion: Sentence
    rewrite: Annotated[str, OkrText(REWRITE_CHARS)] | None = Field(
        description="Full replacement text for the target, or null"
    )


class CoachCritique(_Strict):
    """The model's answer for one OKR set."""

    findings: Annotated[list[CoachFinding], Items(MAX_FINDINGS)]


def schema_fingerprint(schema: type[BaseModel]) -> str:
    """A short hash of the JSON schema: part of the cache key, so a schema change re-asks."""
    text = json.dumps(schema.model_json_schema(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


# The ``LLM-…`` codes the critique prompt names; with the rubric's codes they make the
# ``enum`` a grammar-constrained server must pick from (``LLM-OTHER`` for the rest).
LLM_CODES = (
    "LLM-NOT-ALIGNED",
    "LLM-NO-DATA-SOURCE",
    "LLM-GAMEABLE",
    "LLM-MISSING-GUARDRAIL",
    "LLM-UNCLEAR-TERM",
    "LLM-SANDBAG",
    "LLM-OVERREACH",
    "LLM-OTHER",
)


class LenientCritique(BaseModel):
    """What an answer is validated with: any list of findings. Each one is checked on its
    own (:func:`split_findings`), so the valid ones of a reply are kept."""

    findings: list[Any]


@lru_cache(maxsize=1)
def _finding_schema() -> dict[str, Any]:
    return CoachFinding.model_json_schema()


def _enum(values: Sequence[str]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def set_json_schema(
    targets: Sequence[tuple[str, Sequence[str]]],
    codes: Sequence[str],
    max_findings: int = MAX_FINDINGS,
) -> dict[str, Any]:
    """The JSON schema for one set's answer.

    ``targets``: each id (SET, O1, O1.KR2) with the spans of its text a finding may
    quote. A finding is one of one object per target, in which ``target`` is that id
    and ``evidence`` one of that target's spans: a grammar-constrained model can only
    quote the text of the target it names. ``code`` is one of ``codes``; the texts keep
    :class:`CoachFinding`'s bounds (shared in ``$defs``, so a set of 15 targets stays
    small); at most ``max_findings`` findings."""
    properties = _finding_schema()["properties"]
    defs: dict[str, Any] = {
        "Code": {**_enum(list(dict.fromkeys(codes))), "description": "A code from the table"},
        "Dimension": _enum(properties["dimension"]["enum"]),
        "Severity": _enum(properties["severity"]["enum"]),
        "Sentence": {"type": "string", "maxLength": MESSAGE_CHARS},
        "Rewrite": copy.deepcopy(properties["rewrite"]),
    }
    variants = []
    for target, spans in targets:
        variant: dict[str, Any] = {
            "type": "object",
            "properties": {
                "target": _enum([target]),
                "code": {"$ref": "#/$defs/Code"},
                "dimension": {"$ref": "#/$defs/Dimension"},
                "severity": {"$ref": "#/$defs/Severity"},
                "evidence": {
                    **_enum(list(dict.fromkeys(spans)) or [""]),
                    "description": f"A verbatim quote of {target}'s text",
                },
                "message": {"$ref": "#/$defs/Sentence"},
                "question": {"$ref": "#/$defs/Sentence"},
                "suggestion": {"$ref": "#/$defs/Sentence"},
                "rewrite": {"$ref": "#/$defs/Rewrite"},
            },
            "additionalProperties": False,
        }
        variant["required"] = list(variant["properties"])
        variants.append(variant)
    items: dict[str, Any] = variants[0] if len(variants) == 1 else {"anyOf": variants}
    return {
        "type": "object",
        "title": "CoachCritique",
        "properties": {
            "findings": {"type": "array", "items": items, "maxItems": max_findings},
        },
        "required": ["findings"],
        "additionalProperties": False,
        "$defs": defs,
    }


def set_schema(
    targets: Sequence[tuple[str, Sequence[str]]],
    codes: Sequence[str],
    max_findings: int = MAX_FINDINGS,
) -> type[CoachCritique]:
    """The schema class sent for one set (:func:`set_json_schema` is its JSON schema).

    It validates like :class:`LenientCritique` (answers are checked one finding at a
    time, :func:`split_findings`), and subclasses nothing else: one cheap class per set,
    its JSON schema built from plain dicts (a team file has hundreds of sets)."""
    text = json.dumps(set_json_schema(targets, codes, max_findings))

    def model_json_schema(cls: type[BaseModel], *args: Any, **kwargs: Any) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(text))  # a fresh copy: callers mutate it

    namespace = {
        "__module__": __name__,
        "__doc__": "The answer for one OKR set.",
        "model_json_schema": classmethod(model_json_schema),
    }
    metaclass: Any = type(LenientCritique)  # pydantic's: the class is a model too
    model = metaclass("CoachCritique", (LenientCritique,), namespace)
    return cast("type[CoachCritique]", model)


def split_findings(
    answer: LenientCritique, limit: int | None = None
) -> tuple[list[CoachFinding], int, int]:
    """The findings that validate (the first ``limit`` of the answer), how many did not,
    and how many were past the limit."""
    items = answer.findings if limit is None else answer.findings[:limit]
    valid: list[CoachFinding] = []
    for item in items:
        try:
            valid.append(CoachFinding.model_validate(item))
        except ValueError:
            continue
    return valid, len(items) - len(valid), len(answer.findings) - len(items)
