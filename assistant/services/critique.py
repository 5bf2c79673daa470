"""Critique use cases for the rules engine (the LLM engine lives in ``services.coach``).

The critique itself is the domain's (``rubric.critic``); this adds forked workers
for team files of hundreds of sets. Never call it from inside a running event loop
(``services.engines.RulesCritic.critique_async`` stays in one process).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Sequence

from assistant.model import Finding, OKRSet, Report, SetCritique
from assistant.rubric.critic import (
    Checked,
    check_rewrites,
    critique_from_findings,
    score_rules_rewrites,
)
from assistant.rubric.critic import critique_set as domain_critique_set
from assistant.rubric.critic import critique_sets as domain_critique_sets
from assistant.rubric.engine import duplicate_findings, set_findings
from assistant.rubric.rules import Rubric, load_rubric

# Below this many sets one process is faster than starting workers.
PARALLEL_MIN_SETS = 200
# Slices per worker: the parent scores the first ones while the workers finish the rest.
_SLICES_PER_WORKER = 4
_FORKED_SETS: Sequence[OKRSet] = ()

SetWork = tuple[list[Finding], Checked]


def _slice_work(bounds: tuple[int, int]) -> list[SetWork]:
    """In a worker: each set's findings and the target checks its rewrites need."""
    rubric = load_rubric()
    out: list[SetWork] = []
    for okr_set in _FORKED_SETS[bounds[0] : bounds[1]]:
        findings = set_findings(okr_set, rubric)
        out.append((findings, check_rewrites(okr_set, findings, rubric)))
    return out


def _finish(
    okr_set: OKRSet, work: SetWork, duplicates: list[Finding], rubric: Rubric
) -> SetCritique:
    findings, checked = work
    critique = critique_from_findings(okr_set, [*findings, *duplicates], rubric)
    return score_rules_rewrites(okr_set, critique, rubric, checked)


def _parallel_findings(sets: Sequence[OKRSet], workers: int) -> list[SetCritique] | None:
    """The critiques of ``sets``: findings (and their rewrites' checks) computed in forked
    workers, which inherit the sets instead of unpickling them, while this process looks
    for duplicates and then scores the slices as they arrive. None where fork is not
    available."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _FORKED_SETS
    _FORKED_SETS = sets
    rubric = load_rubric()
    step = max(1, -(-len(sets) // (workers * _SLICES_PER_WORKER)))
    slices = [(i, min(i + step, len(sets))) for i in range(0, len(sets), step)]
    critiques: list[SetCritique] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.imap(_slice_work, slices)
            duplicates = duplicate_findings(sets, rubric)
            for chunk in pending:
                for work in chunk:
                    pos = len(critiques)
                    critiques.append(_finish(sets[pos], work, duplicates[pos], rubric))
    finally:
        _FORKED_SETS = ()
    return critiques


def critique_sets(sets: Sequence[OKRSet]) -> Report:
    """Critique every set (rules rewrites scored); near-duplicate KRs are compared across
    the sets of one file.

    Large team files use every core: the rubric checks of each set are independent.
    """
    workers = min(os.cpu_count() or 1, 4)
    critiques = None
    if len(sets) >= PARALLEL_MIN_SETS and workers > 1:
        critiques = _parallel_findings(sets, workers)
    if critiques is None:
        return domain_critique_sets(sets)
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return domain_critique_set(okr_set)
