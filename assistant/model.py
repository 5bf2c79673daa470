"""Domain model: OKR sets as read from files, and the critique of them.

Line numbers are kept for error messages and reports but are excluded from
``content()`` so that the same OKRs read from YAML, Markdown or JSON compare equal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OKRType = Literal["committed", "aspirational"]
Dimension = Literal["clarity", "measurability", "ambition", "structure"]
Severity = Literal["error", "warning", "info"]
SCORED_DIMENSIONS: tuple[str, ...] = ("clarity", "measurability", "ambition")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class KeyResult(_Model):
    text: str
    owner: str | None = None
    type: OKRType | None = None
    baseline: float | None = None
    target: float | None = None
    unit: str | None = None
    deadline: str | None = None
    aligns_to: str | None = None
    line: int | None = Field(default=None, exclude=True)

    def is_plain(self) -> bool:
        """True when only the text is set, so writers can emit a bare string."""
        return all(
            getattr(self, name) is None
            for name in ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to")
        )


class Objective(_Model):
    title: str
    type: OKRType | None = None
    owner: str | None = None
    aligns_to: str | None = None
    key_results: list[KeyResult] = Field(default_factory=list)
    line: int | None = Field(default=None, exclude=True)


class OKRSet(_Model):
    """One person's or team's OKRs for one cycle."""

    name: str | None = None
    owner: str | None = None
    cycle: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    line: int | None = Field(default=None, exclude=True)
    source: str | None = Field(default=None, exclude=True)
    index: int = Field(default=1, exclude=True)

    def content(self) -> dict[str, Any]:
        """The user's content only: what round-trips through every format."""
        return self.model_dump(mode="json", exclude_none=True)

    def iter_key_results(self) -> list[tuple[str, Objective, KeyResult]]:
        """``(id, objective, key_result)`` in document order, ids per SPEC §3."""
        return [
            (f"O{oi}.KR{ki}", objective, kr)
            for oi, objective in enumerate(self.objectives, start=1)
            for ki, kr in enumerate(objective.key_results, start=1)
        ]

    def target_text(self, target: str) -> str:
        """The text a finding's ``target`` id refers to (for evidence checks)."""
        if target == "SET":
            return self.name or ""
        objective_id, _, kr_id = target.partition(".")
        objective = self.objectives[int(objective_id[1:]) - 1]
        if not kr_id:
            return objective.title
        return objective.key_results[int(kr_id[2:]) - 1].text

    def target_line(self, target: str) -> int | None:
        if target == "SET":
            return self.line
        objective_id, _, kr_id = target.partition(".")
        objective = self.objectives[int(objective_id[1:]) - 1]
        if not kr_id:
            return objective.line
        return objective.key_results[int(kr_id[2:]) - 1].line


class Scores(_Model):
    clarity: int = Field(ge=1, le=5)
    measurability: int = Field(ge=1, le=5)
    ambition: int = Field(ge=1, le=5)
    overall: int = Field(ge=0, le=100)


class Rewrite(_Model):
    """A suggested replacement text, re-scored by the rules engine before it is offered."""

    text: str
    scores: Scores | None = None
    score_delta: int | None = None
    findings: list[Finding] = Field(default_factory=list)
    invented_numbers: list[str] = Field(default_factory=list)


class Finding(_Model):
    code: str
    target: str
    line: int | None = None
    dimension: Dimension
    severity: Severity
    evidence: str
    message: str
    question: str
    suggestion: str
    source: Literal["rules", "llm"] = "rules"
    rewrite: Rewrite | None = None


Rewrite.model_rebuild()


class TargetScores(_Model):
    id: str
    text: str
    line: int | None = None
    scores: Scores


class ObjectiveScores(TargetScores):
    key_results: list[TargetScores] = Field(default_factory=list)


class SetCritique(_Model):
    """The critique of one set: scores at every level plus the findings."""

    source: str | None = None
    index: int = 1
    name: str | None = None
    engine: str = "rules"
    scores: Scores
    objectives: list[ObjectiveScores] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    error: str | None = None


class Report(_Model):
    """The result of critiquing one or more files: what renderers turn into output."""

    engine: str = "rules"
    sets: list[SetCritique] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    usage: dict[str, Any] | None = None

    def summary(self) -> dict[str, int]:
        return {
            "sets": len(self.sets),
            "objectives": sum(len(s.objectives) for s in self.sets),
            "key_results": sum(len(o.key_results) for s in self.sets for o in s.objectives),
            "findings": sum(len(s.findings) for s in self.sets),
        }
