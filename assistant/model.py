"""Domain model: OKR sets as read from files, and the critique of them.

Line numbers are kept for error messages and reports but are excluded from
``content()`` so that the same OKRs read from YAML, Markdown or JSON compare equal.
Plain dataclass records (``assistant.records``): no pydantic on the way to a critique.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from assistant.errors import UsageError
from assistant.ids import TargetId
from assistant.records import Record

if TYPE_CHECKING:
    from assistant.domain.source_spec import SourceSpec

OKRType = Literal["committed", "aspirational"]
Dimension = Literal["clarity", "measurability", "ambition", "structure"]
Severity = Literal["error", "warning", "info"]
SCORED_DIMENSIONS: tuple[str, ...] = ("clarity", "measurability", "ambition")


@dataclass(slots=True, kw_only=True)
class KeyResult(Record):
    _EXCLUDE: ClassVar[frozenset[str]] = frozenset({"line", "expect"})
    text: str
    owner: str | None = None
    type: OKRType | None = None
    baseline: float | None = None
    target: float | None = None
    unit: str | None = None
    deadline: str | None = None
    aligns_to: str | None = None
    source: SourceSpec | None = None  # where its number lives (SPEC §9), ${VAR} unexpanded
    line: int | None = None
    expect: tuple[str, ...] = ()  # okr eval labels (SPEC §12)

    def __post_init__(self) -> None:
        # Numbers are floats whoever builds the KR (pydantic made 5 into 5.0 here), so a
        # stored draft or a JSON report writes the same number either way.
        if type(self.baseline) is int:
            self.baseline = float(self.baseline)
        if type(self.target) is int:
            self.target = float(self.target)

    @classmethod
    def _before_schema(cls) -> None:
        # ``source`` is a pydantic union imported only when data is validated (start-up
        # without it); the annotation above resolves in this module's namespace.
        from assistant.domain.source_spec import SourceSpec

        globals()["SourceSpec"] = SourceSpec

    def is_plain(self) -> bool:
        """True when only the text is set, so writers can emit a bare string."""
        fields = ("owner", "type", "baseline", "target", "unit", "deadline", "aligns_to", "source")
        return all(getattr(self, name) is None for name in fields)


@dataclass(slots=True, kw_only=True)
class Objective(Record):
    _EXCLUDE: ClassVar[frozenset[str]] = frozenset({"line", "expect"})
    title: str
    type: OKRType | None = None
    owner: str | None = None
    aligns_to: str | None = None
    key_results: list[KeyResult] = field(default_factory=list)
    line: int | None = None
    expect: tuple[str, ...] = ()  # okr eval labels (SPEC §12)


@dataclass(slots=True, kw_only=True)
class OKRSet(Record):
    """One person's or team's OKRs for one cycle."""

    _EXCLUDE: ClassVar[frozenset[str]] = frozenset({"line", "source", "index", "expect"})

    name: str | None = None
    owner: str | None = None
    cycle: str | None = None
    objectives: list[Objective] = field(default_factory=list)
    line: int | None = None
    source: str | None = None
    index: int = 1
    expect: tuple[str, ...] = ()  # okr eval labels (SPEC §12)

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


@dataclass(slots=True, kw_only=True, frozen=True)
class Scores(Record):
    """Frozen: the scorer hands out one record per distinct value (thousands of targets
    share a handful)."""

    clarity: int  # 1-5
    measurability: int  # 1-5
    ambition: int  # 1-5
    overall: int  # 0-100

    def __post_init__(self) -> None:
        for name in ("clarity", "measurability", "ambition"):
            if not 1 <= getattr(self, name) <= 5:
                raise ValueError(f"{name} must be 1-5, not {getattr(self, name)}")
        if not 0 <= self.overall <= 100:
            raise ValueError(f"overall must be 0-100, not {self.overall}")


@dataclass(slots=True, kw_only=True)
class Rewrite(Record):
    """A suggested replacement text, re-scored by the rules engine before it is offered."""

    text: str
    scores: Scores | None = None
    score_delta: int | None = None
    findings: list[Finding] = field(default_factory=list)
    invented_numbers: list[str] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Finding(Record):
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


@dataclass(slots=True, kw_only=True)
class TargetScores(Record):
    id: str
    text: str
    line: int | None = None
    scores: Scores


@dataclass(slots=True, kw_only=True)
class ObjectiveScores(TargetScores):
    key_results: list[TargetScores] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class SetCritique(Record):
    """The critique of one set: scores at every level plus the findings."""

    source: str | None = None
    index: int = 1
    name: str | None = None
    engine: str = "rules"
    scores: Scores
    objectives: list[ObjectiveScores] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True, kw_only=True)
class RunUsage(Record):
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
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The report's ``usage`` key (``batch`` only for a Batch API run)."""
        exclude = {"notes"} if self.batch is not None else {"notes", "batch"}
        return self.model_dump(mode="json", exclude=exclude)


@dataclass(slots=True, kw_only=True)
class GuardStats(Record):
    """What the LLM guards did with the model's findings (SPEC §5 ``summary.llm``):
    how many were kept, how many dropped and why, and rewrites withheld and why."""

    kept: int = 0
    dropped: int = 0
    dropped_by: dict[str, int] = field(default_factory=dict)
    rewrites_withheld: int = 0
    withheld_by: dict[str, int] = field(default_factory=dict)

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


@dataclass(slots=True, kw_only=True)
class DryRunItem(Record):
    """One set of a dry run: the exact messages that would be sent, and their estimate."""

    item: str
    name: str | None = None
    cached: bool = False
    estimated_prompt_tokens: int = 0
    estimated_completion_tokens: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class DryRunPlan(Record):
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
    items: list[DryRunItem] = field(default_factory=list)


@dataclass(slots=True, kw_only=True)
class Report(Record):
    """The result of critiquing one or more files: what renderers turn into output.

    ``usage`` is set when the LLM engine ran; ``dry_run`` instead of it when nothing was
    sent (``okr critique --dry-run``)."""

    engine: str = "rules"
    sets: list[SetCritique] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
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
