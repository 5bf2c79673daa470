"""The structured answers the review prompts ask the model for (``prompts/review_*.md``).

What comes back is only a proposal: ``services.review.llm_panel`` grounds it (known targets,
evidence quoted verbatim, no invented numbers) before it becomes a ``Seat`` or a
``Synthesis``. Every bound it is held to is in the schema (``llm.bounds``): how many
points, questions, replies and changes, and how long each text is, so a small model
under a grammar ends its answer within the ask's token cap (``review.llm_panel``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.llm.bounds import Items, Label, OkrText, Prose, Quote
from assistant.services.review.synthesis import MAX_OPEN_QUESTIONS, TOP_CHANGES

MAX_POINTS = 4  # prompts/review_persona.md: "At most 4 points and 3 questions"
MAX_QUESTIONS = 3
MAX_REPLIES = 4  # prompts/review_reply.md: "at most 4"
MAX_AGREEMENTS = 3
MAX_DISAGREEMENTS = 2
MAX_POSITIONS = 2  # a disagreement is between two sides
MAX_NAMES = 3  # reviewers named in one agreement or open question
TARGET_CHARS = 16  # SET, O1, O1.KR2 (and "O1 KR2" as small models write it)
PERSONA_CHARS = 40  # ``Persona.name``
POINT_ID_CHARS = 48  # "finance-lead#2"
CODE_CHARS = 40
EVIDENCE_CHARS = 100  # the words a point is about
POINT_CHARS = 200  # a point, a reply, a change: a sentence or two
SENTENCE_CHARS = 150  # a question, a summary, a position
REWRITE_CHARS = 240  # a whole objective or key result


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Target = Annotated[str, Label(TARGET_CHARS)]
PersonaName = Annotated[str, Label(PERSONA_CHARS)]
Names = Annotated[list[PersonaName], Items(MAX_NAMES)]
Point = Annotated[str, Prose(POINT_CHARS, minimum=1)]
Sentence = Annotated[str, Prose(SENTENCE_CHARS, minimum=1)]
Evidence = Annotated[str, Quote(EVIDENCE_CHARS)]


class PointOut(_Strict):
    target: Target = Field(description="Id exactly as given: SET, O1, O1.KR2")
    code: Annotated[str, Quote(CODE_CHARS)] = Field(
        description="A rule code from the findings, or LLM-SOMETHING"
    )
    evidence: Evidence = Field(description="Exact verbatim quote from the target's own text")
    point: Point


class QuestionOut(_Strict):
    target: Target
    question: Sentence


class PersonaReviewOut(_Strict):
    """Round 1: one reviewer's points and questions."""

    points: Annotated[list[PointOut], Items(MAX_POINTS)]
    questions: Annotated[list[QuestionOut], Items(MAX_QUESTIONS)]


class ReplyOut(_Strict):
    to: Annotated[str, Label(POINT_ID_CHARS)] = Field(
        description="The id of the point answered, e.g. finance-lead#2"
    )
    stance: Literal["agree", "disagree", "refine"]
    reply: Point


class PersonaRepliesOut(_Strict):
    """Round 2: one reviewer's answers to the others."""

    replies: Annotated[list[ReplyOut], Items(MAX_REPLIES)]


class AgreementOut(_Strict):
    target: Target
    personas: Names
    summary: Sentence


class PositionOut(_Strict):
    persona: PersonaName
    position: Sentence


class DisagreementOut(_Strict):
    target: Target
    summary: Sentence
    positions: Annotated[list[PositionOut], Items(MAX_POSITIONS)]


class ChangeOut(_Strict):
    target: Target
    change: Point
    evidence: Evidence = Field(description="Exact verbatim quote from the target's own text")
    rewrite: Annotated[str, OkrText(REWRITE_CHARS)] | None = Field(
        description="Full replacement text for the target, or null"
    )


class OpenQuestionOut(_Strict):
    target: Target
    question: Sentence
    asked_by: Names


class SynthesisOut(_Strict):
    """The facilitator's synthesis."""

    agreements: Annotated[list[AgreementOut], Items(MAX_AGREEMENTS)]
    disagreements: Annotated[list[DisagreementOut], Items(MAX_DISAGREEMENTS)]
    top_changes: Annotated[list[ChangeOut], Items(TOP_CHANGES)]
    open_questions: Annotated[list[OpenQuestionOut], Items(MAX_OPEN_QUESTIONS)]
