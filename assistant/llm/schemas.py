"""Pydantic models for what the model must return.

They are sent as strict JSON schemas (``chat.completions.parse``), so every field is
required and optional ones are ``X | None`` with no default: strict mode forbids defaults.
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
