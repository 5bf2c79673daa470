"""``okr launch``, ``okr checkin``, ``okr status``, ``okr grade`` and ``okr retro`` (SPEC §7).

Parsing options, asking on a terminal and printing only: each command awaits one of the
App's cycle use cases (``assistant.use_cases.cycle``); the output is
``assistant.render.status`` / ``.retro``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING

import click

from assistant.cli.options import date_option, emit, output_option, wants_color
from assistant.domain.commands import okr_command
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.domain.cycle_status import CheckinInput, CycleStatus
    from assistant.domain.lessons import RetroNotes
    from assistant.services.cycle import CheckinOutcome

Ask = Callable[[str, str], str]  # (prompt, default) -> answer


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


@contextmanager
def _asking() -> Iterator[None]:
    """Questions on a terminal: Ctrl-C leaves as an interrupt (exit 130), not as click's
    ``Aborted!`` (exit 1); the end of input says nothing was changed (exit 2)."""
    try:
        yield
    except click.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise UsageError("the input ended before the last question; nothing was changed") from None


# A negative number as typed for a value: -5, -5%, -1.2M, −3, -.5, -$40.
_NEGATIVE_RE = re.compile(r"^[-−]\s*[$€£¥]?\.?\d")


class NegativeValuesCommand(click.Command):
    """A command whose arguments may be negative numbers (``okr checkin plan O1.KR1 -5``)
    without ``--``: click would read ``-5`` as an unknown option. Tokens that look like
    a negative number and are not an option's value are passed as arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {
            opt
            for p in self.params
            if isinstance(p, click.Option) and not p.is_flag and not p.count
            for opt in p.opts
        }
        options: list[str] = []
        arguments: list[str] = []
        pending = list(args)
        while pending:
            token = pending.pop(0)
            if token == "--":
                arguments.extend(pending)
                break
            if _NEGATIVE_RE.match(token):
                arguments.append(token)
            elif token.startswith("-") and len(token) > 1:
                options.append(token)
                if token in takes_value and pending:
                    options.append(pending.pop(0))
            else:
                arguments.append(token)
        return super().parse_args(ctx, [*options, "--", *arguments] if arguments else options)


_COLOR = click.option("--color/--no-color", default=None, help="Force colours on or off (text).")
_OUTPUT = output_option("Write to FILE instead of stdout.")


# --- launch -----------------------------------------------------------------------------------


@click.command("launch")
@click.argument("draft", metavar="DRAFT[@N]")
@click.option("--cycle", "label", metavar="LABEL", help="2026-Q1, 2026-H2, 2026 or 2026-03 "
              "(default: the set's 'cycle').")  # fmt: skip
@click.option(
    "--start", callback=date_option, metavar="DATE", help="First day (overrides the label)."
)
@click.option("--end", callback=date_option, metavar="DATE", help="Last day (overrides the label).")
@click.option(
    "--fail-under",
    type=click.IntRange(0, 100),
    metavar="N",
    help="Refuse (exit 1) when the version's overall score is below N; lists the findings "
    "that block it.",
)
@click.option("--author", metavar="A", help="Who launches it (default: $OKR_AUTHOR or your login).")
@_COLOR
def launch_command(
    draft: str,
    label: str | None,
    start: date | None,
    end: date | None,
    fail_under: int | None,
    author: str | None,
    color: bool | None,
) -> None:
    """Launch a stored draft for a cycle: freeze version N (default: the latest) as the plan.

    KR ids (O1.KR2) refer to that version for the whole cycle; later edits to the
    draft go into the next cycle's draft. The cycle's dates come from its label:
    2026-Q1 → 1 Jan–31 Mar, 2026-H2 → 1 Jul–31 Dec, 2026 → the year, 2026-03 → March.
    A draft has at most one open cycle: grade it before launching the next one.

    Each KR is tracked from its baseline to its target (structured fields, else read
    from the text: "from 32% to 50%"); a KR without both is tracked as a fraction
    0–1 or 'done'.

    \b
    Examples:
      okr launch "Platform team"                       # cycle from the set's 'cycle'
      okr launch "Platform team@3" --cycle 2026-Q2
      okr launch plan --fail-under 70                  # quality gate (exit 1 below 70)
      okr launch plan --cycle sprint-7 --start 2026-05-04 --end 2026-05-15
    """
    from assistant.cli.core import app, run
    from assistant.render.retro import launch_text
    from assistant.services.cycle import LAUNCH_MEANS

    outcome = run(
        app().launch(draft, label=label, start=start, end=end, fail_under=fail_under, author=author)
    )
    use_color = wants_color(color, None)
    text = launch_text(outcome, LAUNCH_MEANS, color=use_color)
    if outcome.refused:
        click.echo(text, nl=False, err=True, color=use_color or None)
        sys.exit(1)
    click.echo(text, nl=False, color=use_color or None)


# --- check in ---------------------------------------------------------------------------------


def _ask_click(prompt: str, default: str) -> str:
    return str(click.prompt(prompt, default=default, show_default=bool(default)))


def prompt_checkins(
    status: CycleStatus, ask: Ask = _ask_click, on: date | None = None
) -> list[CheckinInput]:
    """KR by KR: show the last value, progress and confidence; Enter keeps each one.
    A KR whose value and confidence are kept (and no note typed) is not checked in.
    ``on`` dates every answer (``--date``; default: today)."""
    from assistant.domain.cycle import ValueProblem, format_value
    from assistant.domain.cycle_status import CheckinInput
    from assistant.io.cycle_files import parse_confidence
    from assistant.render.status import clean, pct
    from assistant.services.cycle import checkin_value

    out: list[CheckinInput] = []
    for kr in status.key_results:
        t = kr.track
        last = format_value(kr.value, t.unit) if kr.value is not None else "none"
        if t.mode == "fraction" and kr.value is not None:
            last = "done" if kr.value >= 1 else f"{kr.value:g}"
        click.echo(f"\n{t.id}  {clean(t.text)}")
        conf = "–" if kr.confidence is None else f"{kr.confidence}/10"
        click.echo(f"    last {last} · progress {pct(kr.progress)} · confidence {conf}")
        kept_value = "" if kr.value is None else (last if last != "none" else "")
        while True:
            value = ask("  value (Enter keeps it)", kept_value).strip()
            if not value:
                break
            try:
                checkin_value(t, value)
                break
            except ValueProblem as exc:
                click.echo(f"  {exc}", err=True)
        kept_conf = "" if kr.confidence is None else str(kr.confidence)
        while True:
            answer = ask("  confidence 0-10", kept_conf).strip()
            try:
                confidence = parse_confidence(answer)
                break
            except ValueError as exc:
                click.echo(f"  {exc}", err=True)
        note = ask("  note", "").strip()
        if not value or (value == kept_value and answer == kept_conf and not note):
            continue
        out.append(CheckinInput(t.id, value, confidence, note, on))
    return out


@click.command("checkin", cls=NegativeValuesCommand)
@click.argument("draft", metavar="DRAFT")
@click.argument("kr", required=False, metavar="[KR]")
@click.argument("value", required=False, metavar="[VALUE]")
@click.option("--confidence", type=click.IntRange(0, 10), metavar="0-10",
              help="How likely you now think the target is reached (Radical Focus style).")  # fmt: skip
@click.option("--note", default="", metavar="TEXT", help="What moved, or what is in the way.")
@click.option("--date", "on", callback=date_option, metavar="DATE", help="When (default: today).")
@click.option("--from", "csv_path", type=click.Path(dir_okay=False), metavar="FILE.csv",
              help="Many check-ins: columns kr,value[,confidence,note,date] with a header.")  # fmt: skip
@click.option("--author", metavar="A", help="Who checks in (default: $OKR_AUTHOR or your login).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def checkin_command(
    draft: str,
    kr: str | None,
    value: str | None,
    confidence: int | None,
    note: str,
    on: date | None,
    csv_path: str | None,
    author: str | None,
    quiet: bool,
) -> None:
    """Record progress on the draft's open cycle: one KR, a CSV of many, or KR by KR.

    VALUE is read like KR text, in the KR's unit: 41, 41%, $1.2M, -5, 3 days (36
    hours is converted to days; a negative value needs no --). A KR tracked as a
    fraction takes 0–1, 40% or 'done'. Check-ins are never edited: a later one
    supersedes an earlier one. A check-in dated after the cycle's end is recorded
    as late until the cycle is graded.

    Confidence 0–10 is how sure you are now that the target will be reached:
    7–10 on track, 4–6 at risk, 0–3 off track. Start a stretch KR near 5.

    \b
    Examples:
      okr checkin plan O1.KR1 41% --confidence 6 --note "onboarding emails live"
      okr checkin plan O2.KR1 "2 days" --date 2026-02-10
      okr checkin plan O3.KR1 -5                      # NPS of -5
      okr checkin plan --from numbers.csv             # exported from your BI tool
      okr checkin plan                                # on a terminal: asks KR by KR
    """
    from assistant.cli.core import app, run
    from assistant.domain.cycle_status import CheckinInput

    if csv_path is not None:
        if kr is not None:
            raise UsageError("give either KR VALUE or --from FILE.csv, not both")
        from assistant.io.cycle_files import read_checkins_csv

        items = read_checkins_csv(csv_path)
        source = "csv"
    elif kr is not None:
        if value is None:
            raise UsageError(f"missing VALUE: {okr_command('checkin', draft, kr)} VALUE")
        items = [CheckinInput(kr, value, confidence, note, on)]
        source = "cli"
    else:
        if not stdin_is_terminal():
            run(app().status(draft))  # an unknown draft, or one with no cycle, is said first
            raise UsageError(
                "give KR VALUE, or --from FILE.csv; the KR-by-KR questions need a terminal"
            )
        items = _asked_checkins(draft, on)
        if not items:
            click.echo("Nothing changed.")
            return
        source = "prompt"
    outcome = run(app().checkin(draft, items, source=source, author=author))
    if not quiet:
        _checked_in(outcome)


def _asked_checkins(draft: str, on: date | None) -> list[CheckinInput]:
    """The KR-by-KR questions for the draft's open cycle, every answer dated ``on``."""
    from assistant.cli.core import app, run
    from assistant.services.cycle import date_problem

    okr = app()
    current = run(okr.status(draft))
    if current.cycle.state != "open":
        raise UsageError(f"draft '{draft}' has no open cycle to check in")
    if on is not None:  # refused before the questions, not after them
        problem = date_problem(current.cycle, on, okr.today())
        if problem is not None:
            raise UsageError(f"--date: {problem}")
    with _asking():
        return prompt_checkins(current, on=on)


def _checked_in(outcome: CheckinOutcome) -> None:
    from assistant.render.status import pct

    ids = {c.kr for c in outcome.recorded}
    for k in outcome.status.key_results:
        if k.track.id in ids:
            click.echo(
                f"{k.track.id}: progress {pct(k.progress)} (expected {pct(k.expected)}) · "
                f"{k.status}"
            )
    count = len(outcome.recorded)
    click.echo(f"Recorded {count} check-in{'s' if count != 1 else ''}.", err=True)
    late = outcome.late
    if late:
        cycle = outcome.status.cycle
        which = ", ".join(f"{c.kr} ({c.on})" for c in late)
        click.echo(
            f"Late: {which} dated after {cycle.label} ended on {cycle.end}; recorded, "
            "since the cycle is not graded yet.",
            err=True,
        )


# --- status and grade -------------------------------------------------------------------------


@click.command("status")
@click.argument("draft", required=False, metavar="[DRAFT]")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(("text", "markdown", "json", "html")),
    default="text",
    show_default=True,
    help="html: one self-contained file with charts, to mail or attach.",
)
@click.option("--as-of", "as_of", callback=date_option, metavar="DATE", help="Status on DATE (default: today).")  # fmt: skip
@_OUTPUT
@_COLOR
def status_command(
    draft: str | None, fmt: str, as_of: date | None, output: str | None, color: bool | None
) -> None:
    """Where a cycle stands: per KR baseline → latest value → target, progress against
    what is expected by today, confidence and its trend, and a status.

    \b
    progress  = (value − baseline) / (target − baseline), clamped to 0–1
    expected  = the share of the cycle elapsed at the check-in date
    status    = on-track / at-risk / off-track / no-data: the worse of
                pace (progress ≥ expected − 0.10 on track, down to − 0.25 at risk,
                below that off track) and confidence (7–10 / 4–6 / 0–3)

    KRs not updated for 14+ days are called out; a value read by `okr sync` says
    where from. Text, markdown and html end with the calibration of the KRs' owners
    (see `okr calibration`). Without DRAFT: every draft with an open cycle in one
    team table.

    \b
    Examples:
      okr status "Platform team"
      okr status "Platform team" --format html -o q1-status.html
      okr status --format json                     # every open cycle
    """
    from assistant.cli.core import app, run
    from assistant.render.status import render_status, render_team

    okr = app()
    today = as_of or okr.today()
    use_color = wants_color(color, output)
    if draft is None:
        text = render_team(run(okr.team_status(today)), today, fmt, color=use_color)
    else:
        result = run(okr.status(draft, today))
        people = run(okr.owners_calibration(draft, today)) if fmt != "json" else None
        text = render_status(result, fmt, color=use_color, calibration=people)
    emit(text, output, color=use_color)


@click.command("grade")
@click.argument("draft", metavar="DRAFT")
@click.option("--final", "finals", multiple=True, metavar="KR=VALUE",
              help="A final value not checked in yet (repeatable): --final O1.KR2=41%.")  # fmt: skip
@click.option(
    "-f", "--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text",
    show_default=True,
)  # fmt: skip
@click.option("--author", metavar="A", help="Who grades (default: $OKR_AUTHOR or your login).")
@click.option("-y", "--yes", is_flag=True,
              help="Grade before the cycle's last day without asking.")  # fmt: skip
@_OUTPUT
@_COLOR
def grade_command(
    draft: str,
    finals: tuple[str, ...],
    fmt: str,
    author: str | None,
    yes: bool,
    output: str | None,
    color: bool | None,
) -> None:
    """Close the draft's open cycle and grade it.

    Each KR's grade is its final progress rounded to one decimal: 0.0–0.3 red,
    0.4–0.6 yellow, 0.7–1.0 green; an objective's grade is the mean of its KRs',
    the set's the mean of its objectives'. A KR never checked in has no grade.

    Flags: committed KRs below 1.0; aspirational objectives whose KRs all reach
    1.0 (targets too low); KRs never checked in; KRs only gradable as done / not done.

    A graded cycle is closed: no more check-ins. Run it again to see the grades.
    Before the cycle's last day it asks first on a terminal; elsewhere pass --yes.

    \b
    Examples:
      okr grade "Platform team"
      okr grade "Platform team" --final O1.KR2=41% --final O2.KR1="1.5 days"
      okr grade "Platform team" --yes                 # before the end, no question
    """
    from assistant.cli.core import app, run
    from assistant.render.status import render_status
    from assistant.services.cycle import EarlyGrade, parse_finals

    okr, pairs = app(), parse_finals(finals)
    try:
        outcome = run(okr.grade(draft, pairs, author=author, early=yes))
    except EarlyGrade as exc:
        if not stdin_is_terminal():
            raise UsageError(f"{exc}: pass --yes to grade it now") from None
        with _asking():
            sure = click.confirm(f"{exc}. Grade it now?", default=False, err=True)
        if not sure:  # declining is an answer: nothing changes, exit 0
            click.echo(f"Not graded: {exc.label} stays open until {exc.end}.", err=True)
            return
        outcome = run(okr.grade(draft, pairs, author=author, early=True))
    result, newly = outcome.status, outcome.newly
    if not newly:
        click.echo(f"{result.cycle.label} was graded on {(result.cycle.graded_at or '')[:10]}.", err=True)  # fmt: skip
    use_color = wants_color(color, output)
    emit(render_status(result, fmt, color=use_color), output, color=use_color)
    if newly and fmt == "text" and not output:
        click.echo(f"Next: {okr_command('retro', draft)} — what went well, what did not, what changes.", err=True)  # fmt: skip


# --- retro ------------------------------------------------------------------------------------


def prompt_notes(ask: Ask = _ask_click) -> RetroNotes:
    """The three questions on a terminal; several answers to one question split on ';'."""
    from assistant.domain.lessons import RetroNotes
    from assistant.services.retro import QUESTIONS

    answers = []
    for _, question in QUESTIONS:
        with _asking():
            text = ask(f"{question} (';' separates answers)", "")
        answers.append(tuple(a for a in (" ".join(p.split()) for p in text.split(";")) if a))
    return RetroNotes(*answers)


@click.command("retro")
@click.argument("draft", metavar="DRAFT")
@click.option("--notes", type=click.Path(dir_okay=False), metavar="FILE",
              help="YAML with went_well, did_not and change (each a string or a list).")  # fmt: skip
@click.option("--engine", type=click.Choice(("rules", "llm")), default="rules", show_default=True,
              help="llm adds a summary that quotes your notes and invents no numbers.")  # fmt: skip
@click.option("--show", is_flag=True, help="Show the stored retrospective instead of writing one.")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(("text", "markdown", "json")), default="text",
    show_default=True,
)  # fmt: skip
@click.option("--author", metavar="A", help="Who writes it (default: $OKR_AUTHOR or your login).")
@_OUTPUT
@_COLOR
def retro_command(
    draft: str,
    notes: str | None,
    engine: str,
    show: bool,
    fmt: str,
    author: str | None,
    output: str | None,
    color: bool | None,
) -> None:
    """Look back on the draft's last graded cycle and store what was learnt.

    Three questions — what went well, what did not, what changes — from --notes or
    asked on a terminal, plus lessons computed from the cycle: confidence against
    outcome, missed commitments, aspirational objectives all at 1.0, KRs never
    updated, KRs only gradable as done / not done, and which findings at launch went
    with low grades. The next draft of the same name is critiqued with them
    ('okr critique DRAFT' shows LESSON-… findings).

    \b
    Examples:
      okr retro "Platform team" --notes retro.yaml
      okr retro "Platform team" --engine llm --notes retro.yaml
      okr retro "Platform team" --show --format markdown

    \b
    retro.yaml:
      went_well: Weekly check-ins kept everyone honest
      did_not: [Hiring slipped, The status page KR had no baseline]
      change: Give every KR a baseline before launch
    """
    from assistant.cli.core import app, run
    from assistant.render.retro import render_retro
    from assistant.services.retro import SummaryFailed

    okr = app()
    use_color = wants_color(color, output)
    if show:
        if notes:
            raise UsageError("--show displays the stored retro; drop --notes")
        emit(
            render_retro(run(okr.show_retro(draft)), fmt, color=use_color), output, color=use_color
        )
        return
    if notes is not None:
        from assistant.io.cycle_files import read_notes

        answers = read_notes(notes)
    else:
        # An unknown draft, or one with nothing graded, is said before asking for notes.
        preview = run(okr.preview_lessons(draft))
        if not stdin_is_terminal():
            raise UsageError("give --notes FILE (YAML); the questions need a terminal")
        click.echo(f"Retrospective of {preview.status.cycle.label}.")
        answers = prompt_notes()
        if answers.empty:
            raise UsageError("no answers given; nothing was stored")
    try:
        result = run(okr.retro(draft, answers, engine=engine, author=author))
    except SummaryFailed as exc:
        emit(render_retro(exc.retro, fmt, color=use_color), output, color=use_color)
        raise
    emit(render_retro(result, fmt, color=use_color), output, color=use_color)


def register(group: click.Group) -> None:
    for command in (launch_command, checkin_command, status_command, grade_command, retro_command):
        group.add_command(command)
