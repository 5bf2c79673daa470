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
from assistant.rubric.critic import critique_from_findings
from assistant.rubric.critic import critique_set as domain_critique_set
from assistant.rubric.critic import critique_sets as domain_critique_sets
from assistant.rubric.engine import duplicate_findings, set_findings
from assistant.rubric.rules import load_rubric

# Below this many sets one process is faster than starting workers.
PARALLEL_MIN_SETS = 200
_FORKED_SETS: Sequence[OKRSet] = ()


def _findings_for_slice(bounds: tuple[int, int]) -> list[list[Finding]]:
    rubric = load_rubric()
    return [set_findings(s, rubric) for s in _FORKED_SETS[bounds[0] : bounds[1]]]


def _parallel_findings(sets: Sequence[OKRSet], workers: int) -> list[list[Finding]] | None:
    """Per-set findings computed in forked workers (the sets are inherited, not pickled),
    while this process looks for duplicates. None where fork is not available."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _FORKED_SETS
    _FORKED_SETS = sets
    step = -(-len(sets) // workers)
    slices = [(i, min(i + step, len(sets))) for i in range(0, len(sets), step)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = pool.map_async(_findings_for_slice, slices)
            duplicates = duplicate_findings(sets, load_rubric())
            per_slice = pending.get()
    finally:
        _FORKED_SETS = ()
    findings = [f for chunk in per_slice for f in chunk]
    return [a + b for a, b in zip(findings, duplicates, strict=True)]


def critique_sets(sets: Sequence[OKRSet]) -> Report:
    """Critique every set; near-duplicate KRs are compared across the sets of one file.

    Large team files use every core: the rubric checks of each set are independent.
    """
    rubric = load_rubric()
    workers = min(os.cpu_count() or 1, 4)
    combined = None
    if len(sets) >= PARALLEL_MIN_SETS and workers > 1:
        combined = _parallel_findings(sets, workers)
    if combined is None:
        return domain_critique_sets(sets)
    critiques = [
        critique_from_findings(okr_set, findings, rubric)
        for okr_set, findings in zip(sets, combined, strict=True)
    ]
    return Report(engine="rules", sets=critiques)


def critique_set(okr_set: OKRSet) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return domain_critique_set(okr_set)
