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
    critique_from_findings,
    score_rules_rewrites,
)
from assistant.rubric.critic import critique_set as domain_critique_set
from assistant.rubric.critic import critique_sets as domain_critique_sets
from assistant.rubric.engine import duplicate_findings, set_findings
from assistant.rubric.rules import load_rubric

# Below this many sets one process is faster than starting workers.
PARALLEL_MIN_SETS = 200
# Slices per worker: the parent scores the first ones while the workers finish the rest.
_SLICES_PER_WORKER = 4
_FORKED_SETS: Sequence[OKRSet] = ()

_FORKED_DUPLICATES: list[list[Finding]] | None = None


def _slice_work(bounds: tuple[int, int]) -> list[str]:
    """In a worker: each set's whole critique, rewrites scored, as JSON. Duplicates
    compare KRs across the file, so each worker finds them once for all sets (cheap next
    to the checks); JSON crosses the process boundary far faster than pickled models."""
    global _FORKED_DUPLICATES
    rubric = load_rubric()
    if _FORKED_DUPLICATES is None:
        _FORKED_DUPLICATES = duplicate_findings(_FORKED_SETS, rubric)
    out: list[str] = []
    for pos in range(bounds[0], bounds[1]):
        okr_set = _FORKED_SETS[pos]
        findings = set_findings(okr_set, rubric)
        critique = critique_from_findings(okr_set, [*findings, *_FORKED_DUPLICATES[pos]], rubric)
        out.append(score_rules_rewrites(okr_set, critique, rubric).model_dump_json())
    return out


def _parallel_findings(sets: Sequence[OKRSet], workers: int) -> list[SetCritique] | None:
    """The critiques of ``sets`` computed in forked workers, which inherit the sets
    instead of unpickling them; this process only collects them in order. None where
    fork is not available."""
    if sys.platform != "linux" or "fork" not in multiprocessing.get_all_start_methods():
        return None
    global _FORKED_SETS, _FORKED_DUPLICATES
    _FORKED_SETS, _FORKED_DUPLICATES = sets, None
    step = max(1, -(-len(sets) // (workers * _SLICES_PER_WORKER)))
    slices = [(i, min(i + step, len(sets))) for i in range(0, len(sets), step)]
    critiques: list[SetCritique] = []
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for chunk in pool.imap(_slice_work, slices):
                critiques.extend(SetCritique.model_validate_json(text) for text in chunk)
    finally:
        _FORKED_SETS, _FORKED_DUPLICATES = (), None
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
