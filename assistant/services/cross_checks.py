"""Team-file review, the use case of ``okr critique --cross``.

The team rules themselves are domain logic in ``assistant.rubric.team_rules``; this adds their
cross-set findings to each set's critique (re-scoring it like any other structure
finding) and builds the :class:`~assistant.domain.team_summary.TeamSummary`: the table of scores
per set, the weakest key results and who owns how many.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from assistant.domain.team_summary import OwnerLoad, TeamSetRow, TeamSummary, WeakKeyResult
from assistant.model import Finding, OKRSet, Report, SetCritique, TargetScores
from assistant.rubric.engine import order_findings
from assistant.rubric.rules import load_rubric
from assistant.rubric.scoring import score_set
from assistant.rubric.team_rules import (
    alignments,
    cross_findings,
    load_team_rules,
    owner_limit,
    owner_loads,
    set_label,
)

__all__ = ["TeamSummary", "apply_cross", "load_team_rules", "team_summary"]


def team_summary(
    sets: Sequence[OKRSet], critiques: Sequence[SetCritique], cross: Sequence[Sequence[Finding]]
) -> TeamSummary:
    """Scores per set (weakest first), the weakest key results, and who owns how many."""
    rules = load_team_rules()
    rows = [
        TeamSetRow(
            index=c.index,
            source=c.source,
            name=c.name,
            scores=c.scores,
            key_results=sum(len(o.key_results) for o in c.objectives),
            findings=len(c.findings),
            cross_findings=len(extra),
        )
        for c, extra in zip(critiques, cross, strict=True)
    ]
    order = sorted(range(len(rows)), key=lambda i: (rows[i].scores.overall, i))
    # Every key result below 100 or with a finding, weakest first; only the shown ones
    # become WeakKeyResult (a team file has thousands).
    weak: list[tuple[int, int, int, SetCritique, TargetScores, list[str]]] = []
    for pos, critique in enumerate(critiques):
        codes: dict[str, list[str]] = defaultdict(list)
        for f in critique.findings:
            if f.code not in codes[f.target]:
                codes[f.target].append(f.code)
        for n, objective in enumerate(critique.objectives):
            for k, kr in enumerate(objective.key_results):
                if kr.scores.overall >= 100 and not codes.get(kr.id):
                    continue
                weak.append((kr.scores.overall, pos, n * 1000 + k, critique, kr, codes[kr.id]))
    weak.sort(key=lambda w: w[:3])
    weakest = [
        WeakKeyResult(
            set_index=critique.index,
            set_name=critique.name,
            source=critique.source,
            id=kr.id,
            text=kr.text,
            line=kr.line,
            overall=kr.scores.overall,
            codes=found,
        )
        for _, _, _, critique, kr, found in weak[: rules.weakest_key_results]
    ]
    limit = owner_limit(rules)
    owners = [
        OwnerLoad(
            owner=owner,
            count=len(owned),
            key_results=[f"{set_label(sets[pos])} {kr_id}" for pos, kr_id in owned],
            over_limit=len(owned) > limit,
        )
        for owner, owned in owner_loads(sets).items()
    ]
    owners.sort(key=lambda o: (-o.count, o.owner.casefold()))
    counts: dict[str, int] = defaultdict(int)
    for extra in cross:
        for f in extra:
            counts[f.code] += 1
    return TeamSummary(
        sets=[rows[i] for i in order],
        weakest_key_results=weakest,
        owners=owners,
        owner_limit=limit,
        uses_alignment=any(alignments(sets)),
        cross_findings=dict(sorted(counts.items())),
    )


def apply_cross(sets: Sequence[OKRSet], report: Report) -> tuple[Report, TeamSummary]:
    """Add the cross-set findings to ``report`` (re-scoring each set) and build the summary.

    Scores come from the rules findings plus the cross findings, so an LLM report keeps
    the rules engine's transparent scores; the LLM's own findings are kept as they are.
    """
    if len(report.sets) != len(sets):
        raise ValueError("the report must hold one critique per set, in order")
    cross = cross_findings(sets)
    rubric = load_rubric()
    updated: list[SetCritique] = []
    for okr_set, critique, extra in zip(sets, report.sets, cross, strict=True):
        if not extra:
            updated.append(critique)
            continue
        rules_findings = [f for f in critique.findings if f.source == "rules"]
        scored = score_set(
            okr_set,
            order_findings([*rules_findings, *extra]),
            engine=critique.engine,
            rubric=rubric,
        )
        updated.append(
            critique.model_copy(
                update={
                    "scores": scored.scores,
                    "objectives": scored.objectives,
                    "findings": order_findings([*critique.findings, *extra]),
                }
            )
        )
    new_report = report.model_copy(update={"sets": updated})
    return new_report, team_summary(sets, updated, cross)
