"""Commands that read history: ``okr drafts``, ``okr log`` and ``okr show``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from assistant.cli.drafts.common import (
    DIMENSIONS,
    app,
    emit_json,
    iso,
    new_console,
    run,
    scores_brief,
    signed,
    split_ref,
)
from assistant.cli.drafts.tables import Column, print_table
from assistant.render import ago

if TYPE_CHECKING:
    from rich.text import Text

SPARKS = "▁▂▃▄▅▆▇█"
DEFAULT_LOG_LIMIT = 20


def sparkline(values: Sequence[int]) -> str:
    """Overall scores (0–100) as block characters on a fixed scale, oldest first."""
    return "".join(SPARKS[min(len(SPARKS) - 1, max(0, v) * len(SPARKS) // 101)] for v in values)


def _arrow(new: int, old: int | None) -> Text:
    from rich.text import Text

    if old is None or new == old:
        return Text(str(new))
    up = new > old
    return Text.assemble(str(new), ("↑" if up else "↓", "green" if up else "red"))


@click.command("drafts")
@click.option(
    "--deleted", is_flag=True, help="List deleted drafts (restorable with `okr undelete`)."
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def drafts_command(deleted: bool, as_json: bool) -> None:
    """List your drafts: versions, latest scores and last change.

    \b
    Examples:
      okr drafts
      okr drafts --deleted        drafts deleted in the last 30 days (and older, until purged)
      okr drafts --json | jq '.drafts[].name'
    """
    summaries = run(app().drafts(deleted=deleted))
    now = datetime.now(UTC)
    if as_json:
        emit_json(
            {
                "version": 1,
                "drafts": [
                    s.model_dump(mode="json") | {"purge_after": iso(s.purge_after)}
                    for s in summaries
                ],
            }
        )
        return
    console = new_console()
    if not summaries:
        if deleted:
            console.print("No deleted drafts.")
        else:
            console.print('No drafts yet. Save one with: okr save my-okrs.yaml -m "First draft"')
        return
    columns = [
        Column("Draft", style="bold", flex=True, wrap=True),
        Column("Versions", justify="right"),
        Column("Overall", justify="right"),
        Column("Scores"),
    ]
    if deleted:
        columns += [Column("Deleted"), Column("Purgeable from")]
    else:
        columns += [Column("Last change"), Column("Message", flex=True, max_width=60)]
    rows: list[list[str | Text]] = []
    for s in summaries:
        head = s.head
        overall = str(head.scores.overall) if head.scores else "–"
        row: list[str | Text] = [s.name, str(s.versions), overall, scores_brief(head.scores)]
        if deleted and s.deleted_at and s.purge_after:
            row += [ago(s.deleted_at), s.purge_after.astimezone().strftime("%Y-%m-%d")]
        else:
            row += [f"{ago(head.created_at, now)} by {head.author}", head.message]
        rows.append(row)
    title = "Deleted drafts" if deleted else "Drafts"
    print_table(console, f"{title} ({len(summaries)})", columns, rows)


@click.command("log", short_help="Show a draft's history with scores and their trend.")
@click.argument("name", metavar="NAME")
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(1),
    default=DEFAULT_LOG_LIMIT,
    show_default=True,
    help="Show the latest N versions.",
)
@click.option("--all", "show_all", is_flag=True, help="Show every version.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def log_command(name: str, limit: int, show_all: bool, as_json: bool) -> None:
    """Show a draft's history, newest first, with scores and their trend.

    Each row is one version: who saved it, why (message), where it came from
    (manual, import, accept:rules, accept:llm, review, restore, draft:interview,
    draft:llm) and the scores at that version. Arrows mark a dimension that went up or down against the
    version before; the sparkline under the table shows the overall trend.

    \b
    Examples:
      okr log "Platform team"
      okr log growth --limit 50
      okr log growth --all --json > growth-history.json
    """
    okr = app()
    summary = run(okr.summary(name))
    wanted = None if show_all else limit
    # One extra, older version so the oldest row shown still gets its arrows.
    rows = run(okr.history(name, None if wanted is None else wanted + 1))
    shown = rows if wanted is None else rows[:wanted]
    if as_json:
        emit_json(
            {
                "version": 1,
                "draft": summary.name,
                "versions": summary.versions,
                "shown": len(shown),
                "history": [v.model_dump(mode="json") for v in shown],
            }
        )
        return
    console = new_console()
    caption = None
    if len(shown) < summary.versions:
        caption = (
            f"latest {len(shown)} of {summary.versions} versions — --all or --limit N for more"
        )
    columns = [
        Column("v", justify="right", style="bold"),
        Column("When"),
        Column("Author", flex=True, max_width=16),
        Column("Source"),
        Column("Message", flex=True),
        *(Column(dim[0].upper(), justify="right") for dim in DIMENSIONS),
        Column("Overall", justify="right"),
    ]
    now = datetime.now(UTC)
    table_rows: list[list[str | Text]] = []
    for i, v in enumerate(shown):
        older = rows[i + 1].scores if i + 1 < len(rows) else None
        cells: list[str | Text] = [
            str(v.number),
            ago(v.created_at, now),
            v.author,
            v.source,
            v.message,
        ]
        if v.scores is None:
            cells += ["–"] * 4
        else:
            for dim in DIMENSIONS:
                cells.append(_arrow(getattr(v.scores, dim), getattr(older, dim) if older else None))
            cells.append(_overall_cell(v.scores.overall, older.overall if older else None))
        table_rows.append(cells)
    title = f"{summary.name} · {summary.versions} version{'s' if summary.versions != 1 else ''}"
    print_table(console, title, columns, table_rows, caption)
    trend = [v.scores.overall for v in reversed(shown) if v.scores is not None]
    if len(trend) > 1:
        console.print(
            f"Overall trend (oldest → newest): {sparkline(trend)}  {trend[0]} → {trend[-1]} "
            f"({signed(trend[-1] - trend[0])})"
        )
    console.print("[dim]C = clarity, M = measurability, A = ambition (1–5); overall 0–100[/]")


def _overall_cell(new: int, old: int | None) -> Text:
    from rich.text import Text

    if old is None or new == old:
        return Text(str(new))
    colour = "green" if new > old else "red"
    return Text.assemble(str(new), " ", (signed(new - old), colour))


@click.command("show", short_help="Print a version of a draft as YAML.")
@click.argument("ref", metavar="NAME[@V]")
def show_command(ref: str) -> None:
    """Print one version of a draft as YAML (the latest unless @V is given).

    The output is a valid OKR file: pipe it to a file to edit, critique or save it.
    The first line is a YAML comment saying which version it is; then comes the
    YAML as it was written (comments and layout kept) when the version has it,
    else the canonical YAML.

    \b
    Examples:
      okr show "Platform team"
      okr show "Platform team@3" > v3.yaml
      okr show growth@v2 | okr critique -
    """
    from assistant.services.drafts.source_text import yaml_text

    name, number = split_ref(ref)
    version = run(app().version(name, number))
    header = (
        f"# {version.draft} v{version.number} ({version.short_hash}) · "
        f"{version.created_at.astimezone().strftime('%Y-%m-%d %H:%M')} · {version.author} · "
        f"{version.source}: {version.message}"
    )
    from assistant.domain.text_safety import safe_text

    click.echo(safe_text(" ".join(header.split())))
    body = yaml_text(version.okr_set, version.text, version.text_format)
    click.echo(safe_text(body), nl=False)
