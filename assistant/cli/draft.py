"""``okr draft``: from an idea to a first draft (SPEC §8), and ``--improve`` for one KR."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.options import output_option
from assistant.domain.commands import okr_command
from assistant.errors import UsageError

if TYPE_CHECKING:
    from assistant.app import App
    from assistant.domain.drafting import DraftOutcome, Question
    from assistant.domain.drafting_checks import Check
    from assistant.model import OKRSet

_FILE_SUFFIXES = {".yaml", ".yml", ".md", ".markdown", ".json", ".csv"}


def _is_terminal() -> bool:
    return sys.stdin.isatty()


class TerminalPrompter:
    """The interview on a terminal: questions and checks on stderr, one at a time."""

    def __init__(self, idea: str | None = None) -> None:
        click.echo(
            "Let's draft your OKRs: one outcome, then 2–5 key results, each with a measure, "
            "where it is today, where it should be and by when. Ctrl-C stops; nothing is "
            "written until the end.",
            err=True,
        )
        if idea:
            click.echo(f"Your idea: {idea}", err=True)

    def ask(self, question: Question) -> str:
        from assistant.render.drafting import question_prompt

        style = "yellow" if question.follow_up else "cyan"
        text = click.style(question_prompt(question), fg=style)
        return str(
            click.prompt(text, default="", show_default=False, err=True, prompt_suffix="\n> ")
        )

    def checked(self, question: Question, check: Check) -> None:
        from assistant.render.drafting import clean

        if check.composed:
            codes = ", ".join(f.code for f in check.findings)
            mark = f"  (the rules still say: {codes})" if codes else "  ✓"
            click.echo(click.style(f"  → {clean(check.composed)}{mark}", fg="green"), err=True)


@click.command("draft")
@click.argument("idea", required=False, metavar="[IDEA]")
@output_option("Write the draft (YAML) to FILE.")
@click.option("--save", "save_name", metavar="NAME", help="Save it as version 1 of draft NAME.")
@click.option(
    "--engine",
    type=click.Choice(["rules", "llm", "auto"]),
    default=None,
    help="llm: draft from IDEA with a model. rules: the offline guided interview. "
    "auto (default): llm when OPENAI_API_KEY is set, else rules.",
)
@click.option(
    "--answers",
    type=click.Path(dir_okay=False, allow_dash=True),
    metavar="FILE",
    help="Run the interview from an answers file (YAML, see below) instead of a terminal.",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent to the LLM; send nothing.")
@click.option(
    "--improve",
    nargs=2,
    metavar="DRAFT KR",
    help="Three alternative wordings of one key result of DRAFT (a stored draft, NAME@N, "
    "or a file), each re-scored and sorted by score.",
)
@click.option("--model", help="LLM model name (overrides the config file).")
@click.option("--author", metavar="A", help="Who --save attributes the version to.")
def draft_command(
    idea: str | None,
    output: str | None,
    save_name: str | None,
    engine: str | None,
    answers: str | None,
    dry_run: bool,
    improve: tuple[str, str] | None,
    model: str | None,
    author: str | None,
) -> None:
    """Write a first draft of your OKRs, from an idea or a guided interview.

    With an LLM (--engine llm), IDEA — a sentence or a paragraph about what
    you or your team want to achieve — becomes 1–3 objectives with 2–4 key
    results each. The model may only use numbers you wrote; every other
    number is a placeholder ([baseline], [target], [deadline]). The draft is
    re-scored by the rules engine and revised once if it still has errors.

    Offline (--engine rules, the default without an API key), the coach
    interviews you on a terminal: the outcome you want, then for each key
    result the measure, where it is today, where it should be and by when.
    Each answer is checked as you go, and the key result is written for you
    ("Raise week-1 activation from 32% to 50% by 31 Mar 2026").

    The draft is printed as YAML (the format 'okr critique' and 'okr save'
    read); findings and open questions go to stderr. Ctrl-C stops and writes nothing.

    \b
    An answers file (--answers) holds what you would type:
      objective: Make onboarding effortless
      cycle: 2026-Q1                  # optional
      key_results:
        - metric: week-1 activation
          baseline: 32%
          target: 50%
          deadline: 31 Mar 2026       # optional with a cycle
    An answer may be a list: the first answer, then the answers to the
    coach's follow-up questions.

    \b
    Examples:
      okr draft                                  # interview on a terminal
      okr draft --answers answers.yaml -o okrs.yaml
      okr draft "We lose half of new users in week one" --engine llm
      okr draft "Faster support replies" --engine llm --dry-run
      echo "What we want this quarter…" | okr draft - --engine llm
      okr draft "Grow self-serve revenue" --save growth   # stored as growth v1
      okr draft --improve growth O1.KR2          # 3 better wordings, best first

    \b
    Exit codes: 0 ok · 2 usage or input error · 3 the model gave no usable
    draft · 130 interrupted.
    """
    from assistant.cli.core import app, run

    okr = app()
    try:
        if improve:
            _improve(okr, improve, engine, model, dry_run=dry_run, idea=idea)
            return
        if save_name:
            run(okr.check_new_draft_name(save_name))
        outcome = _draft(okr, idea, engine, model, answers, dry_run=dry_run)
        if outcome is not None:
            _emit(okr, outcome, output=output, save_name=save_name, author=author,
                  answers=answers)  # fmt: skip
    except (KeyboardInterrupt, click.Abort):
        click.echo("\nokr: interrupted; nothing was written", err=True)
        sys.exit(130)


def _read_idea(idea: str) -> str:
    if idea == "-":
        return sys.stdin.read()
    return idea


def _draft(
    okr: App,
    idea: str | None,
    engine: str | None,
    model: str | None,
    answers: str | None,
    *,
    dry_run: bool,
) -> DraftOutcome | None:
    from assistant.cli.core import run

    if answers:
        if engine == "llm":
            raise UsageError("--answers runs the offline interview; drop --engine llm")
        if dry_run:
            raise UsageError("--dry-run shows what the LLM would be sent; --answers sends nothing")
        from assistant.io.answers import read_answers

        return okr.interview(read_answers(answers))
    text = _read_idea(idea) if idea else None
    if dry_run:
        if not text:
            raise UsageError("--dry-run needs an IDEA: it shows what the LLM would be sent")
        _print_plan(run(okr.plan_draft(text, model=model)))
        return None
    kind = okr.engine_for(engine)
    if kind == "llm":
        if not text:
            if not _is_terminal():
                raise UsageError(
                    "okr draft --engine llm needs an IDEA (a sentence about what you want to "
                    'achieve), e.g. okr draft "Halve support reply times" --engine llm'
                )
            text = str(click.prompt("What do you want to achieve?", err=True))
        return run(okr.draft_from_idea(text, model=model))
    if not _is_terminal():
        raise UsageError(
            "the offline interview asks questions on a terminal; without one, pass "
            "--answers FILE (see okr draft --help), or an IDEA with --engine llm and an API key"
        )
    if text and engine is None:
        click.echo(
            "No API key is set, so the offline interview will help you turn the idea into "
            "OKRs (set OPENAI_API_KEY and use --engine llm to draft from it directly).",
            err=True,
        )
    return okr.interview(TerminalPrompter(text))


def _print_plan(plan) -> None:
    from assistant.render.drafting import render_draft_dry_run

    click.echo(
        render_draft_dry_run(
            plan, note="A second request follows only if the draft still has rule errors."
        ),
        nl=False,
    )


def _emit(
    okr: App,
    outcome: DraftOutcome,
    *,
    output: str | None,
    save_name: str | None,
    author: str | None,
    answers: str | None,
) -> None:
    from dataclasses import replace

    from assistant.cli.core import run
    from assistant.io import write_sets
    from assistant.paths import write_output
    from assistant.render.drafting import draft_summary

    if save_name and not outcome.okr_set.name:
        named = outcome.okr_set.model_copy(update={"name": save_name})
        outcome = replace(outcome, okr_set=named)
    text = write_sets([outcome.okr_set], "yaml")
    click.echo(draft_summary(outcome, answers_path=answers if answers != "-" else None),
               err=True, nl=False)  # fmt: skip
    if outcome.usage is not None:
        from assistant.render.llm_usage import usage_line

        click.echo(usage_line(outcome.usage), err=True)
    if save_name:
        result = run(okr.save_draft(save_name, outcome, author=author))
        click.echo(
            f"Saved as draft '{save_name}' v{result.version.number} ({outcome.source}). "
            f"Next: {okr_command('critique', save_name)} · {okr_command('tui', save_name)}",
            err=True,
        )
    if output:
        write_output(output, text)
        click.echo(f"Wrote {output}. Next: {okr_command('critique', output)}", err=True)
    if not output and not save_name:
        click.echo(text, nl=False)


def _load_one(okr: App, target: str) -> OKRSet:
    """One set from a file or a stored draft (``NAME`` or ``NAME@N``)."""
    path = Path(target)
    if target == "-" or path.is_file() or path.suffix.lower() in _FILE_SUFFIXES or "/" in target:
        from assistant.io import read_path

        sets = read_path(target)
        if len(sets) != 1:
            raise UsageError(f"{target} holds {len(sets)} sets; --improve works on a one-set file")
        return sets[0]
    from assistant.cli.core import run
    from assistant.services.drafts import parse_ref

    name, number = parse_ref(target)
    return run(okr.version(name, number)).okr_set


def _improve(
    okr: App,
    improve: tuple[str, str],
    engine: str | None,
    model: str | None,
    *,
    dry_run: bool,
    idea: str | None,
) -> None:
    from assistant.cli.core import run
    from assistant.render.drafting import render_draft_dry_run, render_improvement

    if idea:
        raise UsageError("--improve DRAFT KR takes no IDEA")
    target, kr_id = improve
    okr_set = _load_one(okr, target)
    if dry_run:
        plan = run(okr.plan_improve(okr_set, kr_id, model=model))
        click.echo(render_draft_dry_run(plan), nl=False)
        return
    improvement = run(okr.improve_kr(okr_set, kr_id, engine=engine, model=model))
    click.echo(render_improvement(improvement), nl=False)
    if improvement.usage is not None:
        from assistant.render.llm_usage import usage_line

        click.echo(usage_line(improvement.usage), err=True)


def register(group: click.Group) -> None:
    group.add_command(draft_command)
