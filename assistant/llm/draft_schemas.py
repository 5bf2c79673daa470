"""What the model must return when it drafts (``okr draft``) or rewords one KR
(``okr draft --improve``). Strict JSON schemas: every field required, no defaults."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftedObjective(_Strict):
    title: str = Field(description="Qualitative outcome in words, no numbers, at most 20 words")
    key_results: list[str] = Field(
        description="2-4 key results, each one measure: metric from [baseline] to [target] "
        "by [deadline], using only numbers the person wrote"
    )


class DraftedSet(_Strict):
    """A first draft: 1-3 objectives, and the questions the person still has to answer."""

    name: str | None = Field(description="A short name for the set, or null")
    objectives: list[DraftedObjective] = Field(description="1-3 objectives")
    questions: list[str] = Field(
        description="At most 3 questions whose answers fill the placeholders"
    )


class Alternatives(_Strict):
    """Alternative wordings of one key result."""

    alternatives: list[str] = Field(description="Exactly 3 complete key-result texts")
