"""Deleting is reversible: ``okr delete``, ``okr undelete``, and ``okr purge`` (the only
command that erases history, 30 days after a delete)."""

from __future__ import annotations

import sys

import click

from assistant.cli.drafts.common import app, esc, new_console, run
from assistant.domain.commands import okr_command
from assistant.domain.plural import counted
from assistant.errors import UsageError


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _confirm(question: str, refused: str) -> bool:
    """Ask on a terminal; without one, say which flag answers (exit 2) instead of
    printing a question nobody can answer."""
    if not stdin_is_terminal():
        raise UsageError(f"{refused} asks for confirmation and there is no terminal; pass --yes")
    return click.confirm(question, err=True)


@click.command("delete")
@click.argument("name", metavar="NAME")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(name: str, yes: bool) -> None:
    """Delete a draft (reversible for 30 days).

    The draft disappears from `okr drafts` but keeps its whole history:
    `okr undelete NAME` brings it back. Drafts deleted more than 30 days ago
    are only removed for good by `okr purge`.

    \b
    Examples:
      okr delete "Old plan"
      okr delete scratch --yes
    """
    okr = app()
    summary = run(okr.summary(name))
    # Declining is an answer, not a failure: nothing changes and the exit code is 0.
    if not yes and not _confirm(
        f"Delete draft '{name}' ({counted(summary.versions, 'version')})? "
        f"`{okr_command('undelete', name)}` brings it back",
        "deleting a draft",
    ):
        click.echo(f"Kept '{name}'.", err=True)
        return
    deleted = run(okr.delete(name))
    purge_after = (
        deleted.purge_after.astimezone().strftime("%Y-%m-%d") if deleted.purge_after else "?"
    )
    new_console().print(
        f"Deleted '{esc(name)}'. Undo with: {esc(okr_command('undelete', name))} "
        f"(kept at least until {purge_after})"
    )


@click.command("undelete")
@click.argument("name", metavar="NAME")
def undelete_command(name: str) -> None:
    """Bring back a deleted draft with its whole history.

    \b
    Examples:
      okr drafts --deleted
      okr undelete "Old plan"
    """
    summary = run(app().undelete(name))
    versions = counted(summary.versions, "version")
    new_console().print(f"Restored draft '{esc(summary.name)}' ({versions}).")


@click.command("purge")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
def purge_command(yes: bool, dry_run: bool) -> None:
    """Remove for good the drafts deleted more than 30 days ago.

    This is the only command that erases history. Recently deleted drafts
    and all live drafts are never touched.

    \b
    Examples:
      okr purge --dry-run
      okr purge --yes
    """
    okr = app()
    expired = run(okr.purge(dry_run=True))
    console = new_console()
    if not expired:
        console.print("Nothing to purge: no draft was deleted more than 30 days ago.")
        return
    listing = ", ".join(expired)
    if dry_run:
        console.print(f"Would remove {counted(len(expired), 'draft')} for good: {esc(listing)}")
        return
    # Declining is an answer, not a failure (as for `okr delete`): exit 0, nothing removed.
    if not yes and not _confirm(
        f"Remove {counted(len(expired), 'draft')} for good ({listing})? This cannot be undone",
        "purging drafts",
    ):
        console.print("Nothing removed.")
        return
    removed = run(okr.purge())
    console.print(f"Removed {counted(len(removed), 'draft')} for good: {esc(', '.join(removed))}")
