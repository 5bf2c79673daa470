"""``okr eval``: how good is this coach? Scores an engine against labelled OKRs (SPEC §12)."""

from __future__ import annotations

import sys

import click


@click.command("eval")
@click.argument("files", nargs=-1, metavar="[FILE…]")
@click.option(
    "--builtin",
    is_flag=True,
    help="Score against the labelled set shipped with okr-coach instead of FILEs.",
)
@click.option(
    "--engine",
    type=click.Choice(["rules", "llm"]),
    default="rules",
    show_default=True,
    help="rules: the offline rubric (a regression check). llm: an OpenAI-compatible model.",
)
@click.option("--model", help="LLM model name (overrides the config file).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="'text': a table per code and a summary line; 'json': the same numbers for scripts.",
)
@click.option("--concurrency", type=click.IntRange(1, 256), help="LLM requests in flight at once.")
@click.option(
    "--no-cache", is_flag=True, help="Ask the LLM again even for sets it answered before."
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    metavar="N",
    help="Score only N sets, spread evenly over the labelled ones (the same N every run): "
    "a quick look at a slow model.",
)
@click.option("--color/--no-color", default=None, help="Force colours on or off (text format).")
def eval_command(
    files: tuple[str, ...],
    builtin: bool,
    engine: str,
    model: str | None,
    fmt: str,
    concurrency: int | None,
    no_cache: bool,
    sample: int | None,
    color: bool | None,
) -> None:
    """Score an engine against labelled OKRs: is this coach any good?

    A labelled FILE is an ordinary OKR file (YAML or JSON) whose set, objectives
    and key results (in the mapping form) may carry 'expect: [CODE, …]': the
    codes a careful coach would raise there; no 'expect' means none. A finding
    counts when its target and code match a label. Reported per code and overall
    (micro): precision, recall and F1; then the share of findings whose evidence
    quotes the text exactly, numbers the LLM's rewrites invented, findings the
    guards dropped, requests, seconds and cost.

    \b
    A labelled key result:
      key_results:
        - text: Improve customer satisfaction
          expect: [KR-NO-NUMBER, KR-NO-DEADLINE, KR-VAGUE]

    \b
    Examples:
      okr eval --builtin                          the rules on the shipped labels
      okr eval --builtin --engine llm --model M   choose a model by evidence
      okr eval --builtin --engine llm --sample 8  a quick look at a slow local model
      okr eval my-labels.yaml --format json > scores.json

    \b
    Exit codes: 0 it ran · 2 usage or input error ·
    3 the LLM could not finish some set (the others are still scored).
    """
    from assistant.cli.core import app, run
    from assistant.domain.text_safety import safe_text
    from assistant.render.evaluation import evaluation_json, evaluation_text
    from assistant.use_cases.evaluation import EvalRequest

    request = EvalRequest(
        files=files,
        builtin=builtin,
        engine=engine,
        model=model,
        concurrency=concurrency,
        use_cache=not no_cache,
        progress=sys.stderr.isatty(),
        sample=sample,
    )
    outcome = run(app().evaluate(request))
    usage = outcome.report.usage
    if usage is not None:
        from assistant.render.llm_usage import guards_line, usage_line

        click.echo(safe_text(usage_line(usage)), err=True)
        if outcome.report.guards is not None:
            click.echo(safe_text(guards_line(outcome.report.guards)), err=True)
    for message in outcome.messages:
        click.echo(safe_text(f"okr: {message}"), err=True)
    if fmt == "json":
        click.echo(evaluation_json(outcome.evaluation), nl=False)
    else:
        from assistant.cli.options import wants_color

        use_color = wants_color(color)
        click.echo(evaluation_text(outcome.evaluation, color=use_color), nl=False, color=use_color)
    if outcome.exit_status:
        sys.exit(outcome.exit_status)


def register(group: click.Group) -> None:
    group.add_command(eval_command)
