"""``okr sync`` (KRs that update themselves, SPEC §9) and ``okr calibration`` (is our
confidence worth anything, SPEC §10).

Parsing options and printing only: the work is the App's use cases
(``assistant.use_cases.sources``); the text is ``assistant.render.sources``.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, cast

import click

from assistant.cli.options import date_option

if TYPE_CHECKING:
    from assistant.domain.calibration import By


@click.command("sync")
@click.argument("drafts", nargs=-1, metavar="[DRAFT]...")
@click.option("--dry-run", is_flag=True, help="Read the sources and show what would be recorded.")
@click.option("--date", "on", callback=date_option, metavar="DATE", help="Date the check-ins (default: today).")  # fmt: skip
def sync_command(drafts: tuple[str, ...], dry_run: bool, on: date | None) -> None:
    """Check in every KR that names a `source:` from where its number lives, for every
    open cycle (or the named drafts).

    \b
    source: {csv: metrics.csv, column: activation}          # + where: {col: v}, pick: last|sum|mean|min|max|count
    source: {sql: "sqlite:///metrics.db", query: "select …"}  # any SQLAlchemy URL: pip install 'okr-coach[sql]'
    source: {command: ./scripts/tickets.sh}                  # only with sources.allow_commands = true
    source: {json: "https://…", pointer: /data/nps, headers: {Authorization: "Bearer ${TOKEN}"}}

    Values are read in the KR's unit unless the source has `unit:`, and converted like
    typed check-ins. A value equal to the KR's latest check-in of the same day adds
    nothing, so running it from cron or CI twice is harmless. Relative paths are read
    from the current directory; ${VAR} comes from the environment and is never stored.
    One line per KR; a source that fails is one line and the others are still recorded
    (exit 3).

    \b
    Examples:
      okr sync                       # every open cycle
      okr sync "Platform team" --dry-run
      okr sync --date 2026-02-13
    """
    from assistant.cli.core import app, run
    from assistant.render.sources import render_sync

    outcome = run(app().sync(drafts, on=on, dry_run=dry_run))
    click.echo(render_sync(outcome), nl=False)
    if outcome.failed:
        n = len(outcome.failed)
        click.echo(f"okr: {n} of {len(outcome.lines)} sources failed", err=True)
        sys.exit(outcome.exit_code)


@click.command("calibration")
@click.argument("drafts", nargs=-1, metavar="[DRAFT]...")
@click.option("--by", type=click.Choice(("owner", "draft")), default="owner", show_default=True,
              help="Score each owner's forecasts, or each draft's.")  # fmt: skip
@click.option("-f", "--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True)  # fmt: skip
def calibration_command(drafts: tuple[str, ...], by: str, fmt: str) -> None:
    """Is our confidence worth anything? Every confidence given in a check-in of a graded
    cycle is a forecast that the KR succeeds; this scores them per owner (or draft).

    \b
    p        = confidence / 10; o = 1 if the KR succeeded (grade 1.0 if committed,
               ≥ 0.7 if aspirational, the default), else 0
    Brier    = mean (p − o)²            0 is perfect, 0.25 is always saying 5/10
    bias     = mean p − mean o          > +0.15 over-confident, < −0.15 under-confident
    too few  = under 5 forecasts
    owner    = the KR's, else its objective's, else its set's, else 'unassigned'

    \b
    Examples:
      okr calibration
      okr calibration "Platform team" --by draft --format json
    """
    from assistant.cli.core import app, run
    from assistant.render.sources import render_calibration

    result = run(app().calibration(drafts, by=cast("By", by)))
    click.echo(render_calibration(result, fmt), nl=False)


def register(group: click.Group) -> None:
    for command in (sync_command, calibration_command):
        group.add_command(command)
