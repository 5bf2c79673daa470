"""Deleting is reversible: ``okr delete``, ``okr undelete``, and ``okr purge`` (the only
command that erases history, 30 days after a delete)."""

from __future__ import annotations

import click

from assistant.cli.drafts.common import app, esc, new_console, run, shell_quote


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
    if not yes and not click.confirm(
        f"Delete draft '{name}' ({summary.versions} version(s))? "
        f"`okr undelete {shell_quote(name)}` brings it back",
        err=True,
    ):
        click.echo(f"Kept '{name}'.", err=True)
        return
    deleted = run(okr.delete(name))
    purge_after = (
        deleted.purge_after.astimezone().strftime("%Y-%m-%d") if deleted.purge_after else "?"
    )
    new_console().print(
        f"Deleted '{esc(name)}'. Undo with: okr undelete {esc(shell_quote(name))} "
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
    new_console().print(f"Restored draft '{esc(summary.name)}' ({summary.versions} version(s)).")


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
        console.print(f"Would remove {len(expired)} draft(s) for good: {esc(listing)}")
        return
    # Declining is an answer, not a failure (as for `okr delete`): exit 0, nothing removed.
    if not yes and not click.confirm(
        f"Remove {len(expired)} draft(s) for good ({listing})? This cannot be undone",
        err=True,
    ):
        console.print("Nothing removed.")
        return
    removed = run(okr.purge())
    console.print(f"Removed {len(removed)} draft(s) for good: {esc(', '.join(removed))}")
