"""The structured answers the review prompts ask the model for (``prompts/review_*.md``).

What comes back is only a proposal: ``services.review.llm`` grounds it (known targets,
evidence quoted verbatim, no invented numbers) before it becomes a ``Seat`` or a
``Synthesis``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointOut(_Strict):
    target: str = Field(description="Id exactly as given: SET, O1, O1.KR2")
    code: str = Field(description="A rule code from the findings, or LLM-SOMETHING")
    evidence: str = Field(description="Exact verbatim quote from the target's own text")
    point: str


class QuestionOut(_Strict):
    target: str
    question: str


class PersonaReviewOut(_Strict):
    """Round 1: one reviewer's points and questions."""

    points: list[PointOut]
    questions: list[QuestionOut]


class ReplyOut(_Strict):
    to: str = Field(description="The id of the point answered, e.g. finance-lead#2")
    stance: Literal["agree", "disagree", "refine"]
    reply: str


class PersonaRepliesOut(_Strict):
    """Round 2: one reviewer's answers to the others."""

    replies: list[ReplyOut]


class AgreementOut(_Strict):
    target: str
    personas: list[str]
    summary: str


class PositionOut(_Strict):
    persona: str
    position: str


class DisagreementOut(_Strict):
    target: str
    summary: str
    positions: list[PositionOut]


class ChangeOut(_Strict):
    target: str
    change: str
    evidence: str = Field(description="Exact verbatim quote from the target's own text")
    rewrite: str | None = Field(description="Full replacement text for the target, or null")


class OpenQuestionOut(_Strict):
    target: str
    question: str
    asked_by: list[str]


class SynthesisOut(_Strict):
    """The facilitator's synthesis."""

    agreements: list[AgreementOut]
    disagreements: list[DisagreementOut]
    top_changes: list[ChangeOut]
    open_questions: list[OpenQuestionOut]
