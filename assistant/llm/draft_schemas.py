"""What the model must return when it drafts (``okr draft``) or rewords one KR
(``okr draft --improve``). Strict JSON schemas: every field required, no defaults.

The counts ``services.drafting_llm`` holds a draft to are in the schema (``llm.bounds``):
1-3 objectives of 2-4 key results, at most 3 questions, exactly 3 alternatives, and
each text's length, so a server that follows the schema gives a draft that passes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.bounds import Items, OkrText, Prose

MIN_OBJECTIVES, MAX_OBJECTIVES = 1, 3
MIN_KEY_RESULTS, MAX_KEY_RESULTS = 2, 4
MAX_QUESTIONS = 3
ALTERNATIVES = 3
TITLE_CHARS = 160  # "at most 20 words"
KEY_RESULT_CHARS = 240  # a 35-word KR fits
NAME_CHARS = 80
QUESTION_CHARS = 200


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


KeyResultText = Annotated[str, OkrText(KEY_RESULT_CHARS, minimum=1)]


class DraftedObjective(_Strict):
    title: Annotated[str, OkrText(TITLE_CHARS, minimum=1)] = Field(
        description="Qualitative outcome in words, no numbers, at most 20 words"
    )
    key_results: Annotated[list[KeyResultText], Items(MAX_KEY_RESULTS, minimum=MIN_KEY_RESULTS)] = (
        Field(
            description=f"{MIN_KEY_RESULTS}-{MAX_KEY_RESULTS} key results, each one measure: "
            "metric from [baseline] to [target] by [deadline], using only numbers the person wrote"
        )
    )


class DraftedSet(_Strict):
    """A first draft: 1-3 objectives, and the questions the person still has to answer."""

    name: Annotated[str, OkrText(NAME_CHARS)] | None = Field(
        description="A short name for the set, or null"
    )
    objectives: Annotated[list[DraftedObjective], Items(MAX_OBJECTIVES, minimum=MIN_OBJECTIVES)] = (
        Field(description=f"{MIN_OBJECTIVES}-{MAX_OBJECTIVES} objectives")
    )
    questions: Annotated[
        list[Annotated[str, Prose(QUESTION_CHARS, minimum=1)]], Items(MAX_QUESTIONS)
    ] = Field(description=f"At most {MAX_QUESTIONS} questions whose answers fill the placeholders")


class Alternatives(_Strict):
    """Alternative wordings of one key result."""

    alternatives: Annotated[list[KeyResultText], Items(ALTERNATIVES, minimum=ALTERNATIVES)] = Field(
        description=f"Exactly {ALTERNATIVES} complete key-result texts"
    )
