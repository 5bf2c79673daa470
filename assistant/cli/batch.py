"""``okr batch …``: a whole team's critique through the OpenAI Batch API, at half price.

``openai`` is imported only inside the commands that talk to the API.
"""

from __future__ import annotations

import sys

import click

from assistant.cli.options import output_option
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted


@click.group("batch")
def batch_group() -> None:
    """Critique a whole team's OKRs through the OpenAI Batch API at half price.

    Results arrive within 24 hours. Batch ids are kept in the data home, and
    fetched answers go into the answer cache, so 'okr critique --engine llm'
    afterwards sends nothing for those sets.

    \b
    Examples:
      okr batch submit team.yaml
      okr batch status
      okr batch fetch batch_abc123 --format json > report.json
    """


@batch_group.command("submit")
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option("--format-in", type=click.Choice(["yaml", "markdown", "md", "json", "csv"]))
@click.option("--model", help="Model name (overrides the config file).")
@click.option("--style", type=click.Choice(["questions", "balanced", "rewrite"]))
def batch_submit(
    files: tuple[str, ...], format_in: str | None, model: str | None, style: str | None
) -> None:
    """Upload the sets in FILE… as one batch job (cached sets are skipped).

    \b
    Examples:
      okr batch submit team.yaml
      okr batch submit q3/*.yaml --model gpt-4.1-mini
    """
    from assistant.cli.core import app, run
    from assistant.io import read_paths
    from assistant.llm.cost import format_cost

    sets = read_paths(list(files), format_in)
    result = run(app().submit_batch(sets, model=model, style=style))
    if result["id"] is None:
        click.echo(
            f"{counted(len(sets), 'set')}, all with a cached answer already; nothing submitted. "
            "Run 'okr critique --engine llm' to see them."
        )
        return
    click.echo(
        f"Submitted {result['id']}: {counted(result['requests'], 'set')} ({result['cached']} cached), "
        f"estimated cost {format_cost(result['estimated_cost_usd'])} at batch price."
    )
    click.echo(
        f"Check with: {okr_command('batch', 'status', result['id'])}, then: "
        f"{okr_command('batch', 'fetch', result['id'])}"
    )


@batch_group.command("status")
@click.argument("batch_id", required=False)
def batch_status_command(batch_id: str | None) -> None:
    """Status of BATCH_ID, or of every batch submitted from here.

    \b
    Examples:
      okr batch status
      okr batch status batch_abc123
    """
    from assistant.cli.core import app, run

    rows = run(app().batch_status(batch_id))
    if not rows:
        click.echo("No batches yet. Submit one with 'okr batch submit FILE'.")
        return
    for row in rows:
        done = ""
        if row.get("total") is not None:
            done = f"  {row.get('completed') or 0}/{row['total']} done"
            if row.get("failed"):
                done += f", {row['failed']} failed"
        click.echo(f"{row['id']}  {row['status']}{done}")


@batch_group.command("fetch")
@click.argument("batch_id")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text"
)
@output_option("Write the report to a file.")
def batch_fetch(batch_id: str, fmt: str, output: str | None) -> None:
    """Download BATCH_ID's results and print the same report as 'okr critique'.

    \b
    Examples:
      okr batch fetch batch_abc123
      okr batch fetch batch_abc123 --format markdown -o report.md
    """
    from assistant.cli.core import app, run
    from assistant.render import render
    from assistant.render.llm_usage import usage_line

    report = run(app().fetch_batch(batch_id))
    text = render(report, fmt, color=sys.stdout.isatty() and output is None)
    if output:
        from assistant.paths import write_output

        write_output(output, text)
    else:
        click.echo(text, nl=False)
    if report.usage is not None:
        click.echo(usage_line(report.usage) + " (batch price)", err=True)
    for error in report.errors:
        click.echo(f"okr: {error}", err=True)
    if report.errors:
        sys.exit(3)


def register(group: click.Group) -> None:
    group.add_command(batch_group)
