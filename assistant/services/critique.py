"""Critique use cases for the rules engine (the LLM engine lives in ``services.coach``).

The critique itself is the domain's (``rubric.critic``); this adds forked workers
for team files of hundreds of sets. A fork copies only the thread that calls it, so
workers start only when no other thread runs (``forking.may_fork``): the CLI's critique of
files (one thread, its event loop idle while the rules run) may fork; the TUI
(Textual's threads) and any caller with an executor or a driver thread stay in one
process, as ``services.engines.RulesCritic.critique`` always does.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from assistant import forking
from assistant.model import Finding, OKRSet, Report, SetCritique
from assistant.rubric.critic import (
    DUPLICATE,
    critique_from_findings,
    score_rules_rewrites,
)
from assistant.rubric.critic import critique_set as domain_critique_set
from assistant.rubric.critic import critique_sets as domain_critique_sets
from assistant.rubric.duplicates import Signature, signatures
from assistant.rubric.engine import duplicate_findings, set_findings
from assistant.rubric.rules import Rubric, load_rubric

# Below this many sets one process is faster than starting workers.
PARALLEL_MIN_SETS = 200


def _finish(
    okr_set: OKRSet, findings: list[Finding], duplicates: list[Finding], rubric: Rubric
) -> SetCritique:
    critique = critique_from_findings(okr_set, [*findings, *duplicates], rubric)
    return score_rules_rewrites(okr_set, critique, rubric)


def _work(channel: forking.Worker, sets: Sequence[OKRSet], rubric: Rubric) -> None:
    """In a forked worker, for its share of the sets: first their key results'
    signatures (duplicates compare KRs across the whole file, so the parent pairs them),
    then their own findings while the parent pairs, then, with the duplicates it found,
    their whole critiques. The measures found for the signatures stay cached here for
    the checks."""
    channel.send(signatures(sets, rubric.rule(DUPLICATE)))
    found = [set_findings(s, rubric) for s in sets]
    duplicates: list[list[Finding]] = channel.recv()
    channel.send(
        [_finish(s, f, d, rubric) for s, f, d in zip(sets, found, duplicates, strict=True)]
    )


# This process's share of the sets, against an equal one. It also pairs the duplicates
# and reads the workers' results, and they pickle theirs: about even. Measured on
# 1,000 sets since this process fills the wait for the workers' signatures with its own
# findings: 1.0 ahead of 0.96 and 1.04.
_OWN_SHARE = 1.0


def _bounds(count: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous slices: this process's own (a little smaller) first, then one per worker."""
    own = max(1, min(count, int(count / workers * _OWN_SHARE)))
    rest = count - own
    cuts = [0] + [own + rest * i // (workers - 1) for i in range(workers)] if rest else [0, count]
    return [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def _parallel_findings(sets: Sequence[OKRSet], workers: int) -> list[SetCritique] | None:
    """The critiques of ``sets``, computed by this process and ``workers - 1`` forked
    workers that inherit the sets instead of unpickling them. None where a worker failed
    (the caller then critiques in this process)."""
    rubric = load_rubric()
    bounds = _bounds(len(sets), workers)
    children: list[forking.Worker] = []
    done = False
    try:
        for start, end in bounds[1:]:
            work = functools.partial(_work, sets=sets[start:end], rubric=rubric)
            children.append(forking.Worker.start(work))
        own_start, own_end = bounds[0]
        own = sets[own_start:own_end]
        known: dict[str, Signature | None] = signatures(own, rubric.rule(DUPLICATE))
        # Until a worker's signatures arrive, this process finds its own sets' findings
        # (they need no duplicates) instead of waiting at the barrier.
        found: list[list[Finding]] = []
        for child in children:
            while len(found) < len(own) and not child.ready():
                found.append(set_findings(own[len(found)], rubric))
            known.update(child.recv())
        duplicates = duplicate_findings(sets, rubric, known)
        for child, (start, end) in zip(children, bounds[1:], strict=True):
            child.send(duplicates[start:end])
        found += [set_findings(s, rubric) for s in own[len(found) :]]
        critiques = [
            _finish(s, f, d, rubric)
            for s, f, d in zip(own, found, duplicates[own_start:own_end], strict=True)
        ]
        for child in children:
            critiques.extend(child.recv())
        done = True
    except forking.CHILD_FAILED:  # a worker died: one process is slower but always right
        return None
    finally:
        for child in children:
            child.finish(wanted=done)
    return critiques


def critique_sets(sets: Sequence[OKRSet]) -> Report:
    """Critique every set (rules rewrites scored); near-duplicate KRs are compared across
    the sets of one file.

    Large team files use every core when this process may fork (``forking.may_fork``): the
    rubric checks of each set are independent.
    """
    with _collector_paused():
        critiques = None
        if len(sets) >= PARALLEL_MIN_SETS:
            workers = min(forking.cores(), 4)
            if workers > 1 and forking.may_fork():
                critiques = _parallel_findings(sets, workers)
        if critiques is None:
            return domain_critique_sets(sets)
        return Report(engine="rules", sets=critiques)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a team file is critiqued: the critique builds
    hundreds of thousands of objects that all live on (the report), so each full
    collection walks them all for nothing (a tenth of the time); the forked workers
    inherit the pause and do not touch their copied pages either. Restored on the way out."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was built lives on (the report): out of the collector's sight, or the
        # first young collection after the pause walks all of it (~0.1 s). Reference
        # counting still frees it when it is dropped.
        gc.freeze()
        if enabled:
            gc.enable()


def critique_set(okr_set: OKRSet) -> SetCritique:
    """The rules critique of one set on its own (duplicates within the set only)."""
    return domain_critique_set(okr_set)
