"""What ``okr critique --cross`` reports beyond the per-set critiques: the team summary.

Value types only (the ``team`` key of the JSON output); ``services.cross_checks`` builds them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.model import Scores


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamSetRow(_Out):
    index: int
    source: str | None = None
    name: str | None = None
    scores: Scores
    key_results: int
    findings: int
    cross_findings: int


class WeakKeyResult(_Out):
    set_index: int
    set_name: str | None = None
    source: str | None = None
    id: str
    text: str
    line: int | None = None
    overall: int
    codes: list[str] = Field(default_factory=list)


class OwnerLoad(_Out):
    owner: str
    count: int
    key_results: list[str]
    over_limit: bool


class TeamSummary(_Out):
    """The ``team`` key of ``--cross`` JSON output: weakest sets and key results first."""

    sets: list[TeamSetRow] = Field(default_factory=list)
    weakest_key_results: list[WeakKeyResult] = Field(default_factory=list)
    owners: list[OwnerLoad] = Field(default_factory=list)
    owner_limit: int = 4
    uses_alignment: bool = False
    cross_findings: dict[str, int] = Field(default_factory=dict)
