"""``okr doctor``: verify the drafts database and every hash chain."""

from __future__ import annotations

import sys

import click

from assistant.cli.drafts.common import app, emit_json, esc, new_console, run
from assistant.domain.plural import counted


@click.command("doctor", short_help="Verify the drafts database and every hash chain.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def doctor_command(as_json: bool) -> None:
    """Check the drafts database: SQLite integrity and every record's hash.

    Every version, draft, cycle, check-in, grade, retrospective, review and
    accepted review change is checked against its hash and its chain, each
    chain's last record against its recorded head (so a deleted last version or
    check-in shows), and any row under an older hash scheme is named. Exits 0
    when healthy and 1 when something is broken (each problem is listed). It
    never modifies the database. If it is damaged, move okr.db aside and
    restore a backup with `okr import DIR`.

    \b
    Examples:
      okr doctor
      okr doctor --json
    """
    report = run(app().doctor())
    if as_json:
        emit_json({"version": 1, **report.model_dump(mode="json"), "ok": report.ok})
    else:
        console = new_console()
        if not report.exists:
            console.print(
                f"No drafts database yet at {esc(report.path)} (it is created on first save)."
            )
            return
        console.print(f"Database: {esc(report.path)}")
        console.print(
            f"Schema: version {report.schema_version} ({', '.join(report.migrations) or 'none'})"
        )
        console.print(f"Integrity check: {esc(report.integrity)}")
        console.print(f"Drafts: {report.drafts} · versions: {report.versions}")
        console.print(f"Cycles: {report.cycles} · check-ins: {report.checkins}")
        if report.ok:
            console.print("[green]OK[/]: every hash chain verifies.")
        else:
            for problem in report.problems:
                console.print(f"[red]problem:[/] {esc(problem)}")
            console.print(f"[red]{counted(len(report.problems), 'problem')} found.[/]")
    if not report.ok:
        sys.exit(1)
