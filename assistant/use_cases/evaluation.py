"""``okr eval``: score an engine against labelled OKRs (SPEC §12), to choose a model
by evidence and to catch a regression of the rules.

The labelled sets come from the user's files or from the set shipped in the package
(``rubrics/eval/builtin``, built from tests/data by ``scripts/build_eval_set.py``); the
critic is the one ``okr critique`` uses; the counting is ``domain.evaluation``'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.errors import UsageError
from assistant.use_cases.critique import CritiqueUseCases
from assistant.use_cases.llm_base import LLMUseCaseBase

if TYPE_CHECKING:
    from assistant.domain.evaluation import Evaluation
    from assistant.model import OKRSet, Report

ENGINES = ("rules", "llm")
BUILTIN_DIR = "eval/builtin"  # inside the ``rubrics`` package


@dataclass(frozen=True)
class EvalRequest:
    """What to score and how (the options of ``okr eval``)."""

    files: Sequence[str] = ()
    builtin: bool = False
    engine: str = "rules"
    model: str | None = None
    concurrency: int | None = None
    use_cache: bool = True
    progress: bool = False
    sample: int | None = None  # score only N sets, spread evenly (a quick look at a slow model)


def spread(sets: Sequence[OKRSet], count: int | None) -> list[OKRSet]:
    """``count`` sets taken evenly across ``sets`` (all of them when ``count`` is None or
    not smaller): the same sample on every run, so models can be compared on it."""
    if count is None or count >= len(sets):
        return list(sets)
    step = len(sets) / count
    return [sets[int(i * step)] for i in range(count)]


@dataclass
class EvalOutcome:
    """The scores, the run's report (usage, guards, errors) and what the run exits with:
    0 it ran, 3 the LLM could not finish some set (left out of the scores), 130
    interrupted."""

    evaluation: Evaluation
    report: Report
    exit_status: int = 0
    messages: list[str] = field(default_factory=list)  # one line each, for stderr


def builtin_sets() -> list[OKRSet]:
    """The labelled set shipped in the package, one context per file (a team file's
    sets are compared with each other for duplicates, and with nothing else)."""
    from importlib import resources

    from assistant.io import read_text

    folder = resources.files("rubrics").joinpath(BUILTIN_DIR)
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    if not names:
        raise UsageError("the built-in labelled set is missing from this installation")
    return [
        okr_set
        for name in names
        for okr_set in read_text(
            folder.joinpath(name).read_text(encoding="utf-8"), f"builtin/{name}", "yaml"
        )
    ]


class EvalUseCases(CritiqueUseCases, LLMUseCaseBase):
    async def evaluate(self, request: EvalRequest) -> EvalOutcome:
        """Critique the labelled sets with one engine and count its findings against
        the labels; a set the LLM could not finish is reported and left out."""
        from assistant.domain.evaluation import RunFacts, ScoredSet, score
        from assistant.io import read_paths

        if request.engine not in ENGINES:
            raise UsageError(f"unknown engine '{request.engine}' (rules or llm)")
        if request.builtin == bool(request.files):
            raise UsageError("give labelled FILE… or --builtin (one of them)")
        sets = builtin_sets() if request.builtin else read_paths(list(request.files))
        sets = spread(sets, request.sample)
        kind = self.engine_for(request.engine)
        settings = self.settings_for(request.model)
        critic = self.critic(
            kind,
            settings=settings,
            concurrency=request.concurrency,
            use_cache=request.use_cache,
            progress=request.progress,
            keep_partial=True,  # Ctrl-C: the sets that finished are scored, exit 130
        )
        started = time.perf_counter()
        report = await critic.critique(sets)
        seconds = time.perf_counter() - started

        scored = [
            ScoredSet(okr_set, critique, *_numbers_in(okr_set))
            for okr_set, critique in zip(sets, report.sets, strict=True)
            if not critique.error
        ]
        usage = report.usage
        run = RunFacts(
            engine=kind,
            model=settings.llm.model if kind == "llm" else None,
            dropped=report.guards.dropped if report.guards is not None else 0,
            requests=usage.requests if usage is not None else 0,
            seconds=seconds,
            cost_usd=usage.cost_usd if usage is not None else 0.0,
        )
        outcome = EvalOutcome(evaluation=score(scored, run), report=report)
        outcome.messages = list(report.errors)
        left_out = len(sets) - len(scored)
        if left_out:
            outcome.messages.append(
                f"{left_out} of {len(sets)} set(s) not scored: the LLM could not finish them"
            )
        if not outcome.evaluation.labels:
            outcome.messages.append(
                "no target carries 'expect: [CODE, …]': every finding counts as a false positive"
            )
        if usage is not None and usage.interrupted:
            outcome.exit_status = 130
        elif report.errors:
            outcome.exit_status = 3
        return outcome


def _numbers_in(okr_set: OKRSet) -> tuple[frozenset[float], frozenset[str]]:
    """The numbers and periods the set's text holds, read as the LLM guards read them."""
    from assistant.llm.guards import user_numbers

    numbers, periods = user_numbers(okr_set)
    return frozenset(numbers), frozenset(periods)
