"""The critique use case: files or stored drafts in; a report, its team view and the exit
status out.

Everything ``okr critique`` and the TUI's coach decide lives here, once: which sets
(files, or a stored ``DRAFT[@N]``), which engine, the lessons of a draft's last graded
cycle (the LLM's grounding and ``LESSON-…`` findings), the team's cross-set checks and
the exit status (SPEC §5: 0 ok, 1 below ``--fail-under``, 3 the LLM could not finish,
130 interrupted). The rules run once per set; the LLM engine builds on their findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assistant.model import OKRSet, Report, SetCritique

if TYPE_CHECKING:
    from assistant.domain.team_summary import TeamSummary
    from assistant.model import DryRunPlan
    from assistant.use_cases.critique import CritiqueUseCases as App


@dataclass(frozen=True)
class CritiqueRequest:
    """What to critique and how (the options of ``okr critique``)."""

    targets: Sequence[str] = ()  # files, '-' or stored DRAFT[@N]
    sets: Sequence[OKRSet] = ()  # sets already read (the TUI's editor)
    drafts: Sequence[str | None] = ()  # per set in ``sets``: the draft it came from
    format_in: str | None = None
    engine: str | None = None  # rules | llm | auto; None: the settings' choice
    model: str | None = None
    style: str | None = None
    concurrency: int | None = None
    use_cache: bool = True
    cross: bool = False
    fail_under: int | None = None
    dry_run: bool = False
    progress: bool = False
    # Each set as it finishes, when the LLM engine critiques files (a stored draft's
    # lessons and the team's cross checks come at the end: nothing is streamed then).
    on_result: Callable[[SetCritique], None] | None = None
    keep_partial: bool = False  # the CLI: Ctrl-C keeps what finished (130), not cancels


@dataclass
class CritiqueOutcome:
    """The report (or the dry run's plan), the team view and what the run exits with."""

    report: Report | None
    sets: list[OKRSet]
    drafts: list[str | None]
    team: TeamSummary | None = None
    plan: DryRunPlan | None = None
    exit_status: int = 0
    worst: SetCritique | None = None  # the set below --fail-under, when one is
    streamed: bool = False  # each set went to ``on_result`` as it finished
    messages: list[str] = field(default_factory=list)  # one line each, for stderr


def read_request(app: App, request: CritiqueRequest) -> tuple[list[OKRSet], list[str | None]]:
    """The sets to critique and, per set, the stored draft it came from."""
    if request.sets:
        drafts = list(request.drafts) or [None] * len(request.sets)
        return list(request.sets), drafts
    from assistant.services.lessons import read_targets

    return read_targets(app.store, list(request.targets), request.format_in)


async def run_critique(app: App, request: CritiqueRequest) -> CritiqueOutcome:
    """One critique pipeline for the CLI and the TUI."""
    from assistant.services.lessons import lesson_texts, with_lessons

    sets, drafts = read_request(app, request)
    settings = app.settings
    if request.model:
        settings = settings.model_copy(deep=True)
        settings.llm.model = request.model
    if request.dry_run:  # what the LLM engine would send, whichever engine was chosen
        from assistant.services.dry_run import dry_run_plan

        plan = dry_run_plan(
            sets,
            settings=settings,
            cache=app.llm_cache(),
            use_cache=request.use_cache,
            style=request.style or settings.style,
            lessons=lesson_texts(app.store, drafts),  # shown as the live run sends them
        )
        return CritiqueOutcome(report=None, sets=sets, drafts=drafts, plan=plan)
    from assistant.services.engines import resolve_engine

    kind = resolve_engine(request.engine, settings)
    critic = app.critic(
        kind,
        settings=settings,
        style=request.style,
        concurrency=request.concurrency,
        use_cache=request.use_cache,
        progress=request.progress,
        # The LLM is grounded on what the drafts' last graded cycles taught.
        lessons=lesson_texts(app.store, drafts) if kind == "llm" else (),
        keep_partial=request.keep_partial,
    )
    streamed = (
        request.on_result is not None and kind == "llm" and not request.cross and not any(drafts)
    )
    if kind == "rules" and not request.sets:
        # Files read here (the CLI): the rules are CPU-bound and nothing else waits on
        # the loop, so a team file may use forked workers (``may_fork`` decides, by
        # threads). Sets handed in (the TUI's editor) stay with the one-process critic.
        from assistant.services.critique import critique_sets

        report = critique_sets(sets)
    else:
        report = await critic.critique(sets, on_result=request.on_result if streamed else None)
    report = with_lessons(app.store, report, sets, drafts)  # LESSON-… of the last cycle
    outcome = CritiqueOutcome(report=report, sets=sets, drafts=drafts, streamed=streamed)
    if request.cross:
        from assistant.services.cross_checks import apply_cross

        outcome.report, outcome.team = apply_cross(sets, report)
    outcome.messages = list(report.errors)
    outcome.exit_status = exit_status(outcome.report or report, request.fail_under)
    if outcome.exit_status == 1:
        outcome.worst = min(report.sets, key=lambda s: s.scores.overall)
    return outcome


def exit_status(report: Report, fail_under: int | None) -> int:
    """SPEC §5: 130 interrupted, 3 the LLM could not finish an item, 1 a set scored below
    ``fail_under``, else 0."""
    if report.usage is not None and report.usage.interrupted:
        return 130
    if report.errors:
        return 3
    if fail_under is not None and any(s.scores.overall < fail_under for s in report.sets):
        return 1
    return 0
