"""A peer review session as data: the seats, what each reviewer said, the synthesis.

``services.review`` builds these (offline or with the LLM), the store keeps a
``Review`` as its JSON transcript, and the renderers and the TUI only read them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.model import OKRSet, RunUsage

ReviewEngine = Literal["rules", "llm"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReviewPoint(_M):
    """One thing a reviewer raises about one target, quoting the author's words."""

    id: str  # "<persona>#<n>", what round-2 replies refer to
    target: str
    code: str | None = None
    evidence: str = ""
    text: str
    weight: float = 1.0


class ReviewQuestion(_M):
    target: str
    text: str


class Reply(_M):
    """Round 2: a reviewer's answer to another reviewer's point."""

    to: str
    stance: Literal["agree", "disagree", "refine"]
    text: str


class Seat(_M):
    """One reviewer's part of the session; ``failed`` seats keep what they said before failing."""

    persona: str
    display_name: str
    role: str
    status: Literal["ok", "failed"] = "ok"
    error: str | None = None
    points: list[ReviewPoint] = Field(default_factory=list)
    questions: list[ReviewQuestion] = Field(default_factory=list)
    replies: list[Reply] = Field(default_factory=list)
    dropped: int = 0  # items the guards removed (evidence not in the text, unknown target…)


class Agreement(_M):
    target: str
    text: str
    personas: list[str] = Field(default_factory=list)


class Position(_M):
    persona: str
    text: str


class Disagreement(_M):
    target: str
    text: str
    positions: list[Position] = Field(default_factory=list)


ChangeKind = Literal["rewrite", "add_key_result"]


class Change(_M):
    """One of the top changes. ``kind`` ``rewrite``: ``rewrite`` is the full new text of
    the target, or None. ``add_key_result``: the target is an objective and ``rewrite``
    the text of the key result to add to it (accepting it never touches the title).
    ``score_delta`` is what accepting does to the set's overall score."""

    target: str
    text: str
    kind: ChangeKind = "rewrite"
    rewrite: str | None = None
    evidence: str = ""
    score_delta: int | None = None
    invented_numbers: list[str] = Field(default_factory=list)
    raised_by: list[str] = Field(default_factory=list)
    codes: list[str] = Field(default_factory=list)

    @property
    def adds_key_result(self) -> bool:
        return self.kind == "add_key_result"


class OpenQuestion(_M):
    target: str
    text: str
    asked_by: list[str] = Field(default_factory=list)


class Synthesis(_M):
    agreements: list[Agreement] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    top_changes: list[Change] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    by: Literal["facilitator", "offline"] = "offline"


class Review(_M):
    """A whole session: what was reviewed, the seats, the synthesis, and what it cost."""

    id: int | None = None
    draft: str | None = None
    version: int | None = None
    source: str | None = None
    set_name: str | None = None
    okr_set: OKRSet
    engine: ReviewEngine
    model: str | None = None
    prompts: dict[str, str] = Field(default_factory=dict)
    personas: list[str]
    rounds: int
    seats: list[Seat]
    synthesis: Synthesis
    # HTTP requests sent (transport retries included) when okr-coach built the client;
    # with a client passed in, the number of asks. Always 0 offline.
    requests: int = 0
    usage: RunUsage | None = None  # None offline: no model was asked
    elapsed_s: float = 0.0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    accepted: dict[int, int] = Field(default_factory=dict)  # change number → version created

    @field_validator("usage", mode="before")
    @classmethod
    def _no_empty_usage(cls, value: Any) -> Any:
        # Transcripts stored before usage was typed hold ``{}`` for an offline review.
        return None if value == {} else value

    @property
    def offline(self) -> bool:
        return self.engine == "rules"

    @property
    def failed_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.status == "failed"]

    @property
    def complete(self) -> bool:
        """Every seat answered and, with the LLM engine, the facilitator wrote the synthesis."""
        return not self.failed_seats and (
            self.engine == "rules" or self.synthesis.by == "facilitator"
        )

    def display_name(self, persona: str) -> str:
        for seat in self.seats:
            if seat.persona == persona:
                return seat.display_name
        return persona

    def point_label(self, point_id: str) -> str:
        """How a reply names the point it answers: "Farah (finance lead) on O1.KR2",
        never the internal ``finance-lead#2``."""
        persona = point_id.split("#", 1)[0]
        name = self.display_name(persona)
        for seat in self.seats:
            for point in seat.points:
                if point.id == point_id:
                    return f"{name} on {point.target}"
        return name


class ReviewInfo(_M):
    """A stored review as ``okr reviews NAME`` lists it."""

    id: int
    draft: str
    version: int
    engine: str
    personas: list[str]
    rounds: int
    created_at: datetime
    top_changes: int
    failed_seats: int
    accepted: list[int] = Field(default_factory=list)
