"""``okr critique``, ``okr init``, ``okr rubric``, ``okr explain`` and ``okr examples``."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistant.cli.options import output_option, wants_color
from assistant.domain.commands import okr_command
from assistant.domain.plural import report_counts
from assistant.errors import UsageError
from assistant.paths import check_output, write_output
from assistant.render import OUTPUT_FORMATS

if TYPE_CHECKING:
    from assistant.model import DryRunPlan


@click.command("critique")
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(OUTPUT_FORMATS),
    default="text",
    show_default=True,
    help="Output format. 'text' is coloured on a terminal; 'json' is for scripts "
    "(scores, findings with their line, summary).",
)
@click.option(
    "--format-in",
    type=click.Choice(["yaml", "markdown", "md", "json", "csv"]),
    help="Input format when it cannot be told from the file name (stdin).",
)
@click.option(
    "--fail-under",
    type=click.IntRange(0, 100),
    metavar="N",
    help="Exit 1 when the overall score of any set is below N (for CI).",
)
@click.option(
    "--engine",
    type=click.Choice(["rules", "llm", "auto"]),
    default=None,
    help="rules: offline and deterministic. llm: an OpenAI-compatible model. "
    "auto (default): llm when OPENAI_API_KEY is set, else rules.",
)
@click.option("--model", help="LLM model name (overrides the config file).")
@click.option("--concurrency", type=click.IntRange(1, 256), help="LLM requests in flight at once.")
@click.option("--no-cache", is_flag=True, help="Ask the LLM again even for unchanged sets.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be sent to the LLM and the cost; send nothing.",
)
@click.option(
    "--style",
    type=click.Choice(["questions", "balanced", "rewrite"]),
    help="How much the LLM coach asks versus rewrites.",
)
@output_option("Write the report to a file.")
@click.option("--color/--no-color", default=None, help="Force colours on or off (text format).")
@click.option(
    "--cross",
    is_flag=True,
    help="Team review: add cross-set findings (TEAM-CONFLICT, TEAM-UNALIGNED, "
    "TEAM-OWNER-LOAD) and a team summary table.",
)
def critique_command(
    files: tuple[str, ...],
    fmt: str,
    format_in: str | None,
    fail_under: int | None,
    engine: str | None,
    model: str | None,
    concurrency: int | None,
    no_cache: bool,
    dry_run: bool,
    style: str | None,
    output: str | None,
    color: bool | None,
    cross: bool,
) -> None:
    """Critique OKR files like a careful coach's first pass.

    Scores every set on clarity, measurability and ambition (1–5 each, overall
    0–100), quotes the words each finding is about, asks a coaching question
    and suggests a rewrite that never invents your numbers.

    FILE may be YAML, Markdown, JSON or CSV; '-' reads stdin; a stored DRAFT or
    DRAFT@N is critiqued with the lessons of its last graded cycle (LESSON-… findings,
    source 'lessons'; see 'okr retro'). A team file
    (top-level 'sets:') is critiqued set by set, and near-duplicate key
    results are found across its sets.

    \b
    Examples:
      okr critique examples/weak.yaml
      okr critique team.yaml --format json > report.json
      okr critique team.yaml --cross                # conflicts, owner load, summary
      okr critique okrs.md --fail-under 70          # exit 1 below 70
      cat okrs.yaml | okr critique - --format markdown

    \b
    Exit codes: 0 ok · 1 a set scored below --fail-under ·
    2 usage or input error · 3 the LLM engine could not finish some item.
    """
    from assistant.cli.core import app, run
    from assistant.render import render
    from assistant.services.critique_run import CritiqueRequest

    use_color = wants_color(color, output)
    # LLM text on stdout streams set by set as each finishes; other output comes at the end.
    stream = fmt == "text" and output is None and not cross
    from assistant.services.engines import resolve_engine

    # The rules engine awaits nothing: it runs without an event loop (a faster start).
    needs_loop = resolve_engine(engine, app().settings) != "rules"
    outcome = run(
        app().critique(
            CritiqueRequest(
                targets=files,  # files, '-' or stored DRAFT[@N]
                format_in=format_in,
                engine=engine,
                model=model,
                style=style,
                concurrency=concurrency,
                use_cache=not no_cache,
                cross=cross,
                fail_under=fail_under,
                dry_run=dry_run,
                progress=sys.stderr.isatty(),
                keep_partial=True,  # Ctrl-C keeps what finished (exit 130)
                on_result=_text_streamer(use_color) if stream else None,
            )
        ),
        event_loop=needs_loop,
    )
    if outcome.plan is not None:  # --dry-run: what the LLM engine would send
        _print_dry_run(outcome.plan, fmt)
        return
    report = outcome.report
    assert report is not None
    if report.usage is not None:
        from assistant.render.llm_usage import usage_line

        click.echo(usage_line(report.usage), err=True)
        for message in outcome.messages:
            click.echo(f"okr: {message}", err=True)
    if outcome.streamed:
        if report.guards is not None:  # what the LLM guards kept and dropped
            from assistant.render.llm_usage import guards_line

            click.echo(guards_line(report.guards))
        s = report.summary()
        click.echo(" · ".join(report_counts(s)))
    else:
        if outcome.team is not None:
            from assistant.render.team_report import render_with_team

            text = render_with_team(report, outcome.team, fmt, color=use_color)
        else:
            text = render(report, fmt, color=use_color)
        # The renderers make every format safe on a terminal (user text escaped, their
        # own colour codes kept): escaping again here showed "\x1b[1m" on terminals.
        if output:
            write_output(output, text)
        else:
            click.echo(text, nl=False, color=use_color or None)
    if outcome.exit_status == 1 and outcome.worst is not None:
        worst = outcome.worst
        click.echo(
            f"okr: '{worst.name}' scored {worst.scores.overall}, below --fail-under {fail_under}",
            err=True,
        )
    if outcome.exit_status:
        sys.exit(outcome.exit_status)


def _print_dry_run(plan: DryRunPlan, fmt: str) -> None:
    """``--dry-run``: the messages and the estimate, as text or (``--format json``) the plan."""
    from assistant.render.llm_usage import render_dry_run

    if fmt == "json":
        from assistant.domain.text_safety import dumps

        click.echo(dumps({"dry_run": plan.model_dump(mode="json")}, indent=2, ensure_ascii=False))
    else:
        click.echo(render_dry_run(plan), nl=False)


def _text_streamer(color: bool):
    """Print each set's critique to stdout the moment it is finished (LLM engine)."""
    from assistant.model import Report
    from assistant.render import render

    def emit(critique) -> None:
        text = render(Report(engine=critique.engine, sets=[critique]), "text", color=color)
        click.echo(text.rstrip("\n").rsplit("\n", 1)[0])  # the summary comes once, at the end

    return emit


@click.command("init")
@click.argument("path", required=False, default="okrs.yaml", metavar="[PATH]")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init_command(path: str, force: bool) -> None:
    """Write a commented template draft to PATH (default: okrs.yaml).

    The template teaches the form "I will [objective] as measured by
    [key results]": a qualitative objective and 2–5 key results, each with a
    metric, a baseline, a target and a deadline. Edit it, then run
    'okr critique PATH'. The file gets your umask's permissions, like any new file.

    \b
    Examples:
      okr init                       # okrs.yaml in this folder
      okr init team/q3-okrs.yaml     # the folder must exist
      okr init okrs.yaml --force     # start again from the template
    """
    from importlib import resources

    target = Path(path)
    if target.exists() and not force:
        raise UsageError(f"{path}: already exists (use --force to overwrite)")
    template = resources.files("rubrics").joinpath("template.yaml").read_text(encoding="utf-8")
    write_output(target, template)
    click.echo(f"Wrote {path}. Next: edit it, then run: {okr_command('critique', path)}")


@click.command("rubric")
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def rubric_command(as_json: bool) -> None:
    """List the rules the offline coach checks (plus the team rules of
    'okr critique --cross').

    Run 'okr explain CODE' for why a rule matters, with good and bad examples.

    \b
    Examples:
      okr rubric
      okr rubric --json | jq -r '.[].code'
      okr explain KR-NO-BASELINE
    """
    from assistant.rubric import load_rubric
    from assistant.services.cross_checks import load_team_rules

    scoped = [("set", r) for r in load_rubric().rules]
    scoped += [("team", r) for r in load_team_rules().rules]
    if as_json:
        import json

        fields = ("code", "target", "dimension", "severity", "title", "detects")
        rules = [{"scope": scope, **{k: getattr(r, k) for k in fields}} for scope, r in scoped]
        click.echo(json.dumps(rules, indent=2))
        return
    from rich.table import Table

    from assistant.render.safe import safe_console

    table = Table(
        title="okr-coach rubric",
        caption="team: only with 'okr critique --cross'",
        show_lines=False,
    )
    for column in ("code", "target", "dimension", "severity", "fires when"):
        table.add_column(column, overflow="fold")
    for scope, r in scoped:
        target = r.target if scope == "set" else f"{r.target} (team)"
        table.add_row(r.code, target, r.dimension, r.severity, r.detects)
    safe_console(highlight=False).print(table)


@click.command("explain")
@click.argument("code")
def explain_command(code: str) -> None:
    """Explain one rule: what it detects, why it matters, the coach's question, examples.

    \b
    Examples:
      okr explain KR-NO-BASELINE
      okr explain kr-vague                # any case
      okr explain LESSON-OVERCONFIDENT    # what a retrospective teaches the coach
    """
    from rich.text import Text

    from assistant.render.safe import safe_console
    from assistant.rubric.rules import known_rules

    rules = known_rules()  # the rubric's rules, the team rules and the LESSON-… codes
    rule = rules.get(code.upper())
    if rule is None:
        raise UsageError(f"unknown rule '{code}' (known: {', '.join(rules)})")
    console = safe_console(highlight=False)
    console.print(Text.assemble((rule.code, "bold"), f" — {rule.title}"))
    console.print(Text(f"{rule.target} · {rule.dimension} · {rule.severity}", style="dim"))
    for label, value in (
        ("Fires when", rule.detects),
        ("Why it matters", rule.why),
        ("A coach asks", re.sub(r"\{\w+\}", "…", rule.question)),
    ):
        console.print(Text.assemble("\n", (label, "bold"), "\n  ", value))
    if rule.examples:
        console.print(Text("\nExamples", style="bold"))
        if "bad" in rule.examples:
            console.print(Text.assemble(("  ✗ weak:   ", "red"), rule.examples["bad"]))
        if "good" in rule.examples:
            console.print(Text.assemble(("  ✓ better: ", "green"), rule.examples["good"]))


@click.command("examples")
@click.option(
    "--kind", type=click.Choice(["all", "good", "weak"]), default="all", show_default=True
)
@click.option(
    "--save",
    "save_dir",
    type=click.Path(file_okay=False),
    help="Also write them as YAML files here.",
)
def examples_command(kind: str, save_dir: str | None) -> None:
    """Learn from examples: good and weak OKRs with a coach's commentary.

    The "study real examples" step of rolling out OKRs. Each weak example is
    followed by what the offline coach finds in it.

    \b
    Examples:
      okr examples
      okr examples --kind weak
      okr examples --save learn/          # as YAML files to critique or edit
    """
    from rich.text import Text

    from assistant.render.safe import safe_console
    from assistant.services.learn import load_examples

    console = safe_console(highlight=False)
    chosen = [e for e in load_examples() if kind in ("all", e.kind)]
    if save_dir and chosen:  # checked before anything is printed: DIR itself may be new
        folder = Path(save_dir)
        if folder.parent.is_dir() and not folder.exists():
            folder.mkdir()
        check_output(folder / f"{chosen[0].slug}.yaml")
    for example in chosen:
        style = "green" if example.kind == "good" else "red"
        console.print(
            Text.assemble((f"[{example.kind}] ", f"bold {style}"), (example.title, "bold"))
        )
        console.print(Text(example.commentary.strip(), style="italic"))
        for objective in example.okr_set.objectives:
            console.print(Text.assemble("  O  ", Text(objective.title, style="bold")))
            for kr in objective.key_results:
                console.print(Text.assemble("     – ", Text(kr.text)))
        if example.kind == "weak":
            codes = sorted({f.code for f in example.critique.findings})
            console.print(
                Text(
                    f"  The coach finds: {', '.join(codes)} (overall {example.critique.scores.overall}/100)",
                    style="yellow",
                )
            )
        console.print()
        if save_dir:
            from assistant.io import write_sets

            write_output(
                Path(save_dir) / f"{example.slug}.yaml", write_sets([example.okr_set], "yaml")
            )
    if save_dir:
        console.print(Text(f"Saved examples to {save_dir}/"))


def register(group: click.Group) -> None:
    for command in (
        critique_command,
        init_command,
        rubric_command,
        explain_command,
        examples_command,
    ):
        group.add_command(command)
