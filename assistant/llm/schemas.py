"""Pydantic models for what the model must return.

They are sent as strict JSON schemas (``chat.completions.parse``), so every field is
required and optional ones are ``X | None`` with no default: strict mode forbids defaults.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, create_model


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CoachFinding(_Strict):
    """One coaching point about one target, as the model writes it."""

    target: str = Field(description="Id exactly as given: SET, O1, O1.KR2")
    code: str = Field(description="A code from the table, or LLM-SOMETHING")
    dimension: Literal["clarity", "measurability", "ambition", "structure"]
    severity: Literal["error", "warning", "info"]
    evidence: str = Field(description="Exact verbatim quote from the target's own text")
    message: str
    question: str
    suggestion: str
    rewrite: str | None = Field(description="Full replacement text for the target, or null")


class CoachCritique(_Strict):
    """The model's answer for one OKR set."""

    findings: list[CoachFinding]


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


def set_schema(target_ids: Sequence[str], codes: Sequence[str]) -> type[CoachCritique]:
    """The schema sent for one set: ``target`` and ``code`` are enums of that set's ids
    and the valid codes, so a server that constrains its grammar can emit nothing else.

    It subclasses :class:`CoachCritique` only for typing; answers are validated with
    :class:`LenientCritique` so one bad finding does not cost a re-ask of all of them.
    """
    target_type: Any = cast(Any, Literal)[tuple(target_ids)]
    code_type: Any = cast(Any, Literal)[tuple(dict.fromkeys(codes))]
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in CoachFinding.model_fields.items()
    }
    fields["target"] = (target_type, Field(description="Id exactly as given: SET, O1, O1.KR2"))
    fields["code"] = (code_type, Field(description="A code from the table, or an LLM- code"))
    finding: Any = create_model("CoachFinding", __base__=_Strict, **fields)
    model = create_model("CoachCritique", __base__=_Strict, findings=(list[finding], ...))
    return cast("type[CoachCritique]", model)


class LenientCritique(BaseModel):
    """What an answer is validated with: any list of findings. Each one is checked on its
    own (:func:`split_findings`), so the valid ones of a reply are kept."""

    findings: list[Any]


def split_findings(answer: LenientCritique) -> tuple[list[CoachFinding], int]:
    """The findings that validate, and how many did not."""
    valid: list[CoachFinding] = []
    for item in answer.findings:
        try:
            valid.append(CoachFinding.model_validate(item))
        except ValueError:
            continue
    return valid, len(answer.findings) - len(valid)
