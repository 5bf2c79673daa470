"""Domain model: OKR sets as read from files, and the critique of them.

Line numbers are kept for error messages and reports but are excluded from
``content()`` so that the same OKRs read from YAML, Markdown or JSON compare equal.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.domain.source_spec import SourceSpec
from assistant.errors import UsageError
from assistant.ids import TargetId

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
    source: SourceSpec | None = None  # where its number lives (SPEC §9), ${VAR} unexpanded
    line: int | None = Field(default=None, exclude=True)
    expect: tuple[str, ...] = Field(default=(), exclude=True)  # okr eval labels (SPEC §12)

    def is_plain(self) -> bool:
        """True when only the text is set, so writers can emit a bare string."""
        fields = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "source")
        return all(getattr(self, name) is None for name in fields)


class Objective(_Model):
    title: str
    type: OKRType | None = None
    owner: str | None = None
    aligns_to: str | None = None
    key_results: list[KeyResult] = Field(default_factory=list)
    line: int | None = Field(default=None, exclude=True)
    expect: tuple[str, ...] = Field(default=(), exclude=True)  # okr eval labels (SPEC §12)


class OKRSet(_Model):
    """One person's or team's OKRs for one cycle."""

    name: str | None = None
    owner: str | None = None
    cycle: str | None = None
    objectives: list[Objective] = Field(default_factory=list)
    line: int | None = Field(default=None, exclude=True)
    source: str | None = Field(default=None, exclude=True)
    index: int = Field(default=1, exclude=True)
    expect: tuple[str, ...] = Field(default=(), exclude=True)  # okr eval labels (SPEC §12)

    def content(self) -> dict[str, Any]:
        """The user's content only: what round-trips through every format."""
        return self.model_dump(mode="json", exclude_none=True)

    def iter_key_results(self) -> list[tuple[str, Objective, KeyResult]]:
        """``(id, objective, key_result)`` in document order, ids per SPEC §3."""
        return [
            (str(TargetId(oi, ki)), objective, kr)
            for oi, objective in enumerate(self.objectives, start=1)
            for ki, kr in enumerate(objective.key_results, start=1)
        ]

    def iter_targets(self) -> list[tuple[TargetId, Objective | KeyResult]]:
        """Every objective and key result with its id, in document order."""
        out: list[tuple[TargetId, Objective | KeyResult]] = []
        for oi, objective in enumerate(self.objectives, start=1):
            out.append((TargetId(oi, 0), objective))
            out.extend(
                (TargetId(oi, ki), kr) for ki, kr in enumerate(objective.key_results, start=1)
            )
        return out

    def locate(self, target: TargetId | str) -> OKRSet | Objective | KeyResult:
        """The part of the set an id names; ``UnknownTarget`` when it does not exist."""
        tid = target if isinstance(target, TargetId) else _parse_target(target)
        if tid.is_set:
            return self
        if not 1 <= tid.objective <= len(self.objectives):
            raise UnknownTarget(
                f"{tid} does not exist (the set has {len(self.objectives)} objectives)"
            )
        objective = self.objectives[tid.objective - 1]
        if not tid.kr:
            return objective
        if not 1 <= tid.kr <= len(objective.key_results):
            raise UnknownTarget(
                f"{tid} does not exist (O{tid.objective} has "
                f"{len(objective.key_results)} key results)"
            )
        return objective.key_results[tid.kr - 1]

    def with_text(self, target: TargetId | str, text: str) -> OKRSet:
        """A copy of the set with one objective title or key-result text replaced
        (whitespace collapsed); the original is never touched."""
        tid = target if isinstance(target, TargetId) else _parse_target(target)
        if tid.is_set:
            raise UnknownTarget("only an objective or a key result can be rewritten, not SET")
        text = " ".join(text.split())
        if not text:
            raise UsageError(f"the rewrite of {tid} is empty")
        self.locate(tid)  # raises for an id that does not exist
        copy = self.model_copy(deep=True)
        part = copy.locate(tid)
        if isinstance(part, KeyResult):
            part.text = text
        elif isinstance(part, Objective):
            part.title = text
        return copy

    def target_text(self, target: TargetId | str) -> str:
        """The text a finding's ``target`` id refers to (for evidence checks)."""
        part = self.locate(target)
        if isinstance(part, OKRSet):
            return part.name or ""
        return part.title if isinstance(part, Objective) else part.text

    def target_line(self, target: TargetId | str) -> int | None:
        return self.locate(target).line


class UnknownTarget(UsageError, IndexError):
    """An id that names no part of the set (an IndexError too, for older callers)."""


def _parse_target(text: str) -> TargetId:
    try:
        return TargetId.parse(text)
    except ValueError as exc:
        raise UnknownTarget(str(exc)) from None


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
    source: Literal["rules", "llm", "lessons"] = "rules"
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


class RunUsage(_Model):
    """What an LLM run cost, built in one place (``services.coach.run_usage``) and read
    by attribute.

    ``requests`` counts requests actually sent: HTTP requests with transport retries
    for a live run, the request lines the Batch API answered for a batch. ``asks`` counts
    the answers whose tokens were counted. Tokens (cached ones included) are read from
    the same ``usage`` fields of each answer either way, so a renderer never asks which
    kind of run it was.
    """

    model: str | None = None
    requests: int = 0
    asks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_hits: int = 0
    cost_usd: float | None = None
    mode: str | None = None
    interrupted: bool = False
    batch: str | None = None
    # Said once on stderr (a response-mode fallback that is now remembered); not JSON.
    notes: list[str] = Field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The report's ``usage`` key (``batch`` only for a Batch API run)."""
        exclude = {"notes"} if self.batch is not None else {"notes", "batch"}
        return self.model_dump(mode="json", exclude=exclude)


class GuardStats(_Model):
    """What the LLM guards did with the model's findings (SPEC §5 ``summary.llm``):
    how many were kept, how many dropped and why, and rewrites withheld and why."""

    kept: int = 0
    dropped: int = 0
    dropped_by: dict[str, int] = Field(default_factory=dict)
    rewrites_withheld: int = 0
    withheld_by: dict[str, int] = Field(default_factory=dict)

    def drop(self, reason: str, count: int = 1) -> None:
        if count:
            self.dropped += count
            self.dropped_by[reason] = self.dropped_by.get(reason, 0) + count

    def withhold(self, reason: str) -> None:
        self.rewrites_withheld += 1
        self.withheld_by[reason] = self.withheld_by.get(reason, 0) + 1

    def add(self, other: GuardStats) -> None:
        self.kept += other.kept
        for reason, count in other.dropped_by.items():
            self.drop(reason, count)
        self.rewrites_withheld += other.rewrites_withheld
        for reason, count in other.withheld_by.items():
            self.withheld_by[reason] = self.withheld_by.get(reason, 0) + count


class DryRunItem(_Model):
    """One set of a dry run: the exact messages that would be sent, and their estimate."""

    item: str
    name: str | None = None
    cached: bool = False
    estimated_prompt_tokens: int = 0
    estimated_completion_tokens: int = 0
    messages: list[dict[str, Any]] = Field(default_factory=list)


class DryRunPlan(_Model):
    """What ``okr critique --dry-run`` would send, and what it would cost; nothing is sent."""

    model: str
    base_url: str
    prompt: str
    style: str
    response_format: str
    requests: int = 0
    cache_hits: int = 0
    estimated_prompt_tokens: int = 0
    estimated_completion_tokens: int = 0
    estimated_cost_usd: float | None = None
    estimated_batch_cost_usd: float | None = None
    items: list[DryRunItem] = Field(default_factory=list)


class Report(_Model):
    """The result of critiquing one or more files: what renderers turn into output.

    ``usage`` is set when the LLM engine ran; ``dry_run`` instead of it when nothing was
    sent (``okr critique --dry-run``)."""

    engine: str = "rules"
    sets: list[SetCritique] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    usage: RunUsage | None = None
    dry_run: DryRunPlan | None = None
    guards: GuardStats | None = None

    def summary(self) -> dict[str, int]:
        return {
            "sets": len(self.sets),
            "objectives": sum(len(s.objectives) for s in self.sets),
            "key_results": sum(len(o.key_results) for s in self.sets for o in s.objectives),
            "findings": sum(len(s.findings) for s in self.sets),
        }
