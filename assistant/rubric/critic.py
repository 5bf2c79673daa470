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
from assistant.rubric.rewrites import (
    Rescored,
    fill_placeholders,
    only_placeholders,
    score_rewrite,
)
from assistant.rubric.rules import Rubric, load_rubric
from assistant.rubric.scoring import ScoreTree

DUPLICATE = "SET-DUPLICATE"

# (target id, filled rewrite text) → that target's findings if it read so.
Checked = Mapping[tuple[str, str], list[Finding]]


def critique_from_findings(
    okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric | None = None
) -> SetCritique:
    """Scores for one set from its findings (in document order). The score tree is kept
    for ``score_rules_rewrites`` of the same critique (it rescores rewrites on it)."""
    ordered = order_findings(findings)
    tree = ScoreTree(okr_set, ordered, rubric or load_rubric())
    critique = tree.critique(okr_set, ordered)
    if len(_TREES) > 64:
        _TREES.clear()
    _TREES[id(critique)] = (critique, okr_set, tree)
    return critique


# The score tree of the latest critiques, by the critique's id (checked by identity).
_TREES: dict[int, tuple[SetCritique, OKRSet, ScoreTree]] = {}


def _tree_of(critique: SetCritique, okr_set: OKRSet, rubric: Rubric) -> ScoreTree:
    kept = _TREES.pop(id(critique), None)
    if kept is not None and kept[0] is critique and kept[1] is okr_set and kept[2].rubric is rubric:
        return kept[2]
    return ScoreTree(okr_set, critique.findings, rubric)


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


def target_texts(okr_set: OKRSet) -> dict[str, str]:
    """Every objective's title and key result's text by target id (``O1``, ``O1.KR2``)."""
    texts: dict[str, str] = {}
    for oi, objective in enumerate(okr_set.objectives, start=1):
        texts[f"O{oi}"] = objective.title
        for ki, kr in enumerate(objective.key_results, start=1):
            texts[f"O{oi}.KR{ki}"] = kr.text
    return texts


def unscored_rewrites(
    findings: Iterable[Finding], okr_set: OKRSet | None = None
) -> list[tuple[Finding, Rewrite]]:
    """The rules findings whose rewrite has not been scored yet, with that rewrite. With
    ``okr_set``, rewrites that only add placeholders are left out: they are offered as
    text, with no score (their score would be the placeholders', not a gain)."""
    out = []
    texts: dict[str, str] | None = None
    for f in findings:
        if f.rewrite is None or f.rewrite.scores is not None or f.source != "rules":
            continue
        if okr_set is not None and "[" in f.rewrite.text:
            if texts is None:
                texts = target_texts(okr_set)
            current = texts.get(f.target)
            if current is not None and only_placeholders(current, f.rewrite.text):
                continue
        out.append((f, f.rewrite))
    return out


def check_rewrites(okr_set: OKRSet, findings: Sequence[Finding], rubric: Rubric) -> Checked:
    """The target checks every rules rewrite in ``findings`` needs, computed ahead (the
    forked workers of ``services.critique`` run them next to the set's own checks)."""
    out: dict[tuple[str, str], list[Finding]] = {}
    for finding, rewrite in unscored_rewrites(findings, okr_set):
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
    pending = unscored_rewrites(critique.findings, okr_set)
    if not pending:
        return critique
    rubric = rubric or load_rubric()
    known = checked or {}
    tree = _tree_of(critique, okr_set, rubric)
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
    critiques = []
    for okr_set, found in zip(sets, duplicates, strict=True):
        critique = critique_from_findings(okr_set, set_findings(okr_set, rubric) + found, rubric)
        if rewrites:  # right away: its score tree is still at hand
            critique = score_rules_rewrites(okr_set, critique, rubric)
        critiques.append(critique)
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet, *, rewrites: bool = True) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return critique_sets([okr_set], rewrites=rewrites).sets[0]
