"""The rules critique of sets: findings, scores and scored rewrites, in one process.

This is the domain's engine; ``services.critique`` adds forked workers for big
team files, and ``services.engines`` puts it behind the ``Critic`` protocol next
to the LLM engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from assistant.ids import TargetId
from assistant.model import Finding, KeyResult, Objective, OKRSet, Report, Rewrite, SetCritique
from assistant.rubric.engine import (
    duplicate_findings,
    kr_findings,
    objective_findings,
    order_findings,
    set_findings,
)
from assistant.rubric.rewrites import Rescored, fill_placeholders, score_rewrite
from assistant.rubric.rules import Rubric, load_rubric
from assistant.rubric.scoring import ScoreTree, score_set

DUPLICATE = "SET-DUPLICATE"

# (target id, filled rewrite text) → that target's findings if it read so.
Checked = Mapping[tuple[str, str], list[Finding]]


def critique_from_findings(
    okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric | None = None
) -> SetCritique:
    """Scores for one set from its findings (in document order)."""
    return score_set(okr_set, order_findings(findings), rubric=rubric or load_rubric())


def target_findings(
    okr_set: OKRSet, target: TargetId, text: str, rubric: Rubric | None = None
) -> list[Finding]:
    """The checks of one objective or key result as if it read ``text`` (duplicates aside:
    they compare KRs with each other, not with the rubric)."""
    rubric = rubric or load_rubric()
    part = okr_set.locate(target)
    if isinstance(part, KeyResult):
        return kr_findings(part.model_copy(update={"text": text}), str(target), okr_set, rubric)
    if isinstance(part, Objective):
        return objective_findings(part.model_copy(update={"title": text}), str(target), rubric)
    return []


def unscored_rewrites(findings: Iterable[Finding]) -> list[tuple[Finding, Rewrite]]:
    """The rules findings whose rewrite has not been scored yet, with that rewrite."""
    return [
        (f, f.rewrite)
        for f in findings
        if f.rewrite is not None and f.rewrite.scores is None and f.source == "rules"
    ]


def check_rewrites(okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric) -> Checked:
    """The target checks every rules rewrite in ``findings`` needs, computed ahead (the
    forked workers of ``services.critique`` run them next to the set's own checks)."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for finding, rewrite in unscored_rewrites(findings):
        tid = TargetId.try_parse(finding.target)
        if tid is None or tid.is_set:
            continue
        text = fill_placeholders(" ".join(rewrite.text.split())).text
        if (finding.target, text) not in out:
            out[(finding.target, text)] = target_findings(okr_set, tid, text, rubric)
    return out


def score_rules_rewrites(
    okr_set: OKRSet,
    critique: SetCritique,
    rubric: Rubric | None = None,
    checked: Checked | None = None,
) -> SetCritique:
    """``critique`` with every rules rewrite scored by ``score_rewrite``.

    Fast enough for team files: only the rewritten target's checks run again (or come
    from ``checked``) and only its branch of the score tree is recomputed; the set's
    other findings, duplicates included, stay as they are.
    """
    pending = unscored_rewrites(critique.findings)
    if not pending:
        return critique
    rubric = rubric or load_rubric()
    known = checked or {}
    tree = ScoreTree(okr_set, critique.findings, rubric)
    duplicates: dict[str, list[Finding]] = {}  # per target, once: not a scan per rewrite
    for f in critique.findings:
        if f.code == DUPLICATE:
            duplicates.setdefault(f.target, []).append(f)

    def rescore(changed: OKRSet, target: TargetId, text: str) -> Rescored | None:
        key = str(target)
        own = known.get((key, text))
        if own is None:
            own = target_findings(changed, target, text, rubric)
        found = [*own, *duplicates.get(key, ())]
        scored = tree.replaced(key, found)
        return None if scored is None else Rescored(found, scored[0], scored[1].overall)

    scored: dict[int, Finding] = {}
    for finding, offered in pending:
        rewrite = score_rewrite(
            okr_set, finding.target, offered.text, base=critique, rescore=rescore
        )
        scored[id(finding)] = finding.model_copy(update={"rewrite": rewrite})
    findings = [scored.get(id(f), f) for f in critique.findings]
    return critique.model_copy(update={"findings": findings})


def critique_sets(sets: Sequence[OKRSet], *, rewrites: bool = True) -> Report:
    """Critique every set; near-duplicate KRs are compared across the sets of one file.

    ``rewrites=False`` skips scoring the rules' rewrites (used while scoring one).
    """
    rubric = load_rubric()
    duplicates = duplicate_findings(sets, rubric)
    combined = [set_findings(s, rubric) + d for s, d in zip(sets, duplicates, strict=True)]
    critiques = [
        critique_from_findings(okr_set, findings, rubric)
        for okr_set, findings in zip(sets, combined, strict=True)
    ]
    if rewrites:
        critiques = [
            score_rules_rewrites(s, c, rubric) for s, c in zip(sets, critiques, strict=True)
        ]
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet, *, rewrites: bool = True) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return critique_sets([okr_set], rewrites=rewrites).sets[0]
